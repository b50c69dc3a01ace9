// The HTTP layer: one HttpClient per worker thread (one reused libcurl handle, so the
// connection to GitHub stays open between requests), and one HttpShare between all of
// them (DNS cache and TLS sessions, so a new connection skips the lookup and the full
// handshake).
//
// A request goes in, a response comes out, always: perform() never throws and never
// crashes on a failed transfer. A transfer that does not end in a complete HTTP
// response (refused, timed out, reset, truncated, cancelled, too large) comes back with
// status 0, a TransportError saying which, and a message without the token.
#ifndef GH_INGEST_CORE_HTTP_CLIENT_H_
#define GH_INGEST_CORE_HTTP_CLIENT_H_

#include <curl/curl.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/curl_global.h"
#include "core/padded_buffer.h"
#include "core/rate_limit.h"

namespace gh {

inline constexpr const char* kAcceptJson = "application/vnd.github+json";
// A README's bytes instead of its JSON description (GET /repos/{o}/{r}/readme).
inline constexpr const char* kAcceptRaw = "application/vnd.github.raw+json";
inline constexpr const char* kGitHubApiVersion = "2022-11-28";

// "gh-ingest/0.1.0", or "gh-ingest/0.1.0 (+https://…)" with a contact URL.
std::string make_user_agent(std::string_view version, std::string_view contact_url = {});

// DNS cache and TLS session cache shared by every HttpClient given it, each kind of data
// behind its own mutex. Connections are not shared: libcurl does not support one
// connection cache used by concurrent threads, so each client keeps its own (see
// CURLSHOPT_SHARE). Must outlive the clients using it (they hold a shared_ptr to it).
class HttpShare {
 public:
  HttpShare() noexcept;
  ~HttpShare();
  HttpShare(const HttpShare&) = delete;
  HttpShare& operator=(const HttpShare&) = delete;

  bool ok() const { return share_ != nullptr; }
  CURLSH* handle() const { return share_; }

 private:
  static void lock(CURL* handle, curl_lock_data data, curl_lock_access access, void* self);
  static void unlock(CURL* handle, curl_lock_data data, void* self);

  CurlGlobal global_;  // first: initialized before the share, cleaned up after it
  std::array<std::mutex, CURL_LOCK_DATA_LAST> mutexes_;
  CURLSH* share_ = nullptr;
};

struct HttpOptions {
  std::string version;      // for the User-Agent; empty: the version compiled in
  std::string contact_url;  // appended to the User-Agent as "(+url)" when set
  Millis connect_timeout{10'000};
  // No byte for this long (waiting for the first byte of the answer, or mid-body) ends
  // the transfer as a timeout. GitHub itself gives up on a request after 10 seconds and
  // answers 502/504, so a silence well past that is a dropped answer, not a slow one.
  Millis stall_timeout{20'000};
  // The whole transfer: generous, so that a large answer on a slow link still arrives
  // (the stall timeout catches answers that will never come).
  Millis timeout{300'000};
  // A CA bundle file (PEM) for a GitHub Enterprise server with a private CA. It
  // replaces libcurl's default bundle for this client. Verification is always on.
  std::string ca_bundle;
  // A body growing past this many bytes (after decompression) ends the transfer.
  std::size_t max_body_bytes = 64u << 20;
};

struct HttpRequest {
  std::string method = "GET";  // any method; HEAD asks for no body
  std::string url;
  std::string token;  // sent as "Authorization: Bearer <token>"; empty: anonymous
  std::string accept = kAcceptJson;
  std::string if_none_match;  // a stored ETag; a 304 then costs no quota
  std::string body;           // sent when non-empty (or when the method is POST)
  std::string content_type = "application/json";  // for the body
  // Checked while the transfer runs (at least every ~50 ms): when it turns true the
  // transfer is abandoned and perform() returns TransportError::cancelled.
  const std::atomic<bool>* stop = nullptr;
};

// Why a transfer gave no complete HTTP response.
enum class TransportError {
  none,
  invalid_request,  // not sent: bad URL, a token with control characters, no handle
  connect_failed,   // DNS, refused, unreachable
  tls,              // handshake or certificate verification failed
  timeout,          // connect or overall timeout
  connection_lost,  // reset, or closed before a response (nothing, or a partial header)
  truncated,        // the body ended before its announced length
  too_large,        // the body went past HttpOptions::max_body_bytes
  cancelled,        // the request's stop flag was raised
  other,
};
const char* to_string(TransportError error);

// The outcome a transport error counts as:
//   network_error (transient: retry with backoff) for connect_failed, tls, timeout,
//   connection_lost, truncated, cancelled (the caller checks its stop flag first) and
//   other; client_error (not worth retrying) for invalid_request and too_large.
Outcome outcome_of(TransportError error);

struct HttpResponse {
  int status = 0;  // 0 unless a complete HTTP response arrived
  Outcome outcome = Outcome::network_error;
  TransportError error = TransportError::none;
  std::string error_message;  // curl's description; never contains the token
  // From the last header block (redirects and interim responses are skipped). Filled
  // even when the body was then lost: GitHub counted the request all the same.
  RateLimitHeaders rate;
  std::string etag;
  std::string link_next;  // the Link header's rel="next" URL; empty on the last page
  std::string link_last;
  std::string content_type;
  std::string request_id;  // x-github-request-id, for bug reports
  PaddedBuffer body;       // decoded (gzip/deflate/br); reused across requests
  double elapsed_s = 0.0;

  bool ok() const { return outcome == Outcome::success; }
  // Forgets the last response but keeps the body's memory.
  void clear();
};

// One per worker thread; not thread-safe itself. Keeps its connections open between
// requests (keep-alive, HTTP/2 where the server offers it over TLS). Follows up to 5
// redirects (GitHub answers 301 for a renamed repository), over http and https only;
// libcurl sends the Authorization header to the original host only. A proxy from the
// environment (https_proxy, ...) is used, except for loopback hosts.
class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {}, std::shared_ptr<HttpShare> share = nullptr);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const HttpOptions& options() const { return options_; }
  const std::string& user_agent() const { return user_agent_; }

  // Sends `request` and fills `response` (cleared first; its body buffer is reused).
  void perform(const HttpRequest& request, HttpResponse& response) noexcept;

 private:
  struct Transfer;
  bool configure(const HttpRequest& request, Transfer& transfer, HttpResponse& response);
  CURLcode run(Transfer& transfer);
  void finish(const HttpRequest& request, Transfer& transfer, CURLcode code,
              HttpResponse& response);

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

  CurlGlobal global_;  // first: initialized before the handles, cleaned up after them
  HttpOptions options_;
  std::shared_ptr<HttpShare> share_;
  std::string user_agent_;
  std::string no_proxy_;  // the environment's no_proxy list plus the loopback hosts
  CURL* easy_ = nullptr;
  // Drives the easy handle so the stop flag is polled every few milliseconds (the easy
  // interface may call the progress callback only once a second on a stalled
  // transfer). Owns the connection cache, so connections outlive each transfer.
  CURLM* multi_ = nullptr;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
};

}  // namespace gh

#endif  // GH_INGEST_CORE_HTTP_CLIENT_H_
