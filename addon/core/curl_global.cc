#include "core/curl_global.h"

#include <curl/curl.h>

#include <mutex>

namespace gh {
namespace {

struct GlobalState {
  std::mutex mutex;
  int references = 0;        // guards alive, including failed ones
  bool initialized = false;  // curl_global_init succeeded and is not yet cleaned up
  std::string error;
};

// Never destroyed: a guard in a static object may outlive any other static.
GlobalState& state() {
  static GlobalState* s = new GlobalState();
  return *s;
}

bool acquire() noexcept {
  GlobalState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  ++s.references;
  if (!s.initialized) {
    const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
    s.initialized = code == CURLE_OK;
    if (!s.initialized) {
      try {
        s.error = std::string("libcurl could not be initialized: ") + curl_easy_strerror(code);
      } catch (...) {
        // Out of memory while describing a failure: ok() still says false.
      }
    }
  }
  return s.initialized;
}

}  // namespace

CurlGlobal::CurlGlobal() noexcept : ok_(acquire()) {}

CurlGlobal::CurlGlobal(const CurlGlobal&) noexcept : ok_(acquire()) {}

CurlGlobal::~CurlGlobal() {
  GlobalState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (--s.references == 0 && s.initialized) {
    curl_global_cleanup();
    s.initialized = false;
  }
}

std::string CurlGlobal::error() const {
  GlobalState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.error;
}

int CurlGlobal::references() {
  GlobalState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.references;
}

}  // namespace gh
