// libcurl's process-wide state (curl_global_init / curl_global_cleanup), held by
// reference count.
//
// curl_global_init is not thread-safe on every platform and build (only when libcurl
// reports CURL_VERSION_THREADSAFE), and it must not run while another thread uses
// libcurl. So every owner of curl handles (HttpShare, HttpClient) holds a CurlGlobal as
// its first member: the first guard alive initializes libcurl, the last one to go
// cleans it up, and a mutex serializes both. The engine creates its share (and so a
// guard) on the starting thread before any worker thread exists, so by the time
// workers build their clients the count is already above zero and no initialization
// runs concurrently with a transfer.
#ifndef GH_INGEST_CORE_CURL_GLOBAL_H_
#define GH_INGEST_CORE_CURL_GLOBAL_H_

#include <string>

namespace gh {

class CurlGlobal {
 public:
  CurlGlobal() noexcept;
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) noexcept;  // another reference
  CurlGlobal& operator=(const CurlGlobal&) = delete;

  // False when curl_global_init failed; error() then says why. Nothing that uses
  // libcurl may run under a failed guard.
  bool ok() const { return ok_; }
  std::string error() const;

  // How many guards are alive (for tests).
  static int references();

 private:
  bool ok_ = false;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_CURL_GLOBAL_H_
