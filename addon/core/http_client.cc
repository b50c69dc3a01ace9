#include "core/http_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "core/ascii.h"
#include "core/link_header.h"
#include "core/token_mask.h"

namespace gh {
namespace {

using ascii::iequals;
using ascii::trim;

// Whole seconds for CURLOPT_LOW_SPEED_TIME, at least one (0 would turn the check off).
long stall_seconds(Millis stall) {
  return std::max(1L, static_cast<long>((stall.count() + 999) / 1000));
}

// "64 MiB" for a whole number of MiB (or KiB), else "N bytes": said to people.
std::string describe_bytes(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// How often a running transfer looks at its stop flag, at the latest.
constexpr int kPollTickMs = 50;
constexpr long kMaxRedirects = 5;

// A header value must not smuggle in another header or line.
bool header_safe(std::string_view value) {
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// Appends a header line; false when libcurl ran out of memory.
bool append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) return false;
  list.release();
  list.reset(grown);
  return true;
}

// Replaces every occurrence of the token with its mask: curl's messages are not
// expected to contain request headers, but a message must never carry a secret.
void scrub(std::string& text, std::string_view token) {
  if (token.empty()) return;
  const std::string mask = mask_token(token);
  for (std::size_t at = text.find(token); at != std::string::npos;
       at = text.find(token, at + mask.size())) {
    text.replace(at, token.size(), mask);
  }
}

TransportError transport_error_of(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportError::none;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return TransportError::invalid_request;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return TransportError::connect_failed;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return TransportError::tls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::timeout;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
      return TransportError::connection_lost;
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:  // a compressed body cut short fails to inflate
      return TransportError::truncated;
    case CURLE_FILESIZE_EXCEEDED:
      return TransportError::too_large;
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportError::cancelled;
    default:
      return TransportError::other;
  }
}

}  // namespace

std::string make_user_agent(std::string_view version, std::string_view contact_url) {
  std::string agent = "gh-ingest/";
  agent += version.empty() ? std::string_view(GH_INGEST_VERSION) : version;
  if (!contact_url.empty()) {
    agent += " (+";
    agent += contact_url;
    agent += ')';
  }
  return agent;
}

const char* to_string(TransportError error) {
  switch (error) {
    case TransportError::none:
      return "none";
    case TransportError::invalid_request:
      return "invalid_request";
    case TransportError::connect_failed:
      return "connect_failed";
    case TransportError::tls:
      return "tls";
    case TransportError::timeout:
      return "timeout";
    case TransportError::connection_lost:
      return "connection_lost";
    case TransportError::truncated:
      return "truncated";
    case TransportError::too_large:
      return "too_large";
    case TransportError::cancelled:
      return "cancelled";
    case TransportError::other:
      return "other";
  }
  return "unknown";
}

Outcome outcome_of(TransportError error) {
  switch (error) {
    case TransportError::none:
      return Outcome::success;
    case TransportError::invalid_request:
    case TransportError::too_large:
      return Outcome::client_error;
    default:
      return Outcome::network_error;
  }
}

void HttpResponse::clear() {
  status = 0;
  outcome = Outcome::network_error;
  error = TransportError::none;
  error_message.clear();
  rate = RateLimitHeaders{};
  etag.clear();
  link_next.clear();
  link_last.clear();
  content_type.clear();
  request_id.clear();
  body.clear();
  elapsed_s = 0.0;
}

// ---------------------------------------------------------------------------
// HttpShare
// ---------------------------------------------------------------------------

HttpShare::HttpShare() noexcept {
  if (!global_.ok()) return;
  share_ = curl_share_init();
  if (share_ == nullptr) return;
  const bool configured =
      curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &HttpShare::lock) == CURLSHE_OK &&
      curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &HttpShare::unlock) == CURLSHE_OK &&
      curl_share_setopt(share_, CURLSHOPT_USERDATA, this) == CURLSHE_OK &&
      curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) == CURLSHE_OK &&
      curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK;
  if (!configured) {
    curl_share_cleanup(share_);
    share_ = nullptr;
  }
}

HttpShare::~HttpShare() {
  if (share_ != nullptr) curl_share_cleanup(share_);
}

void HttpShare::lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
  const auto index = static_cast<std::size_t>(data);
  auto* share = static_cast<HttpShare*>(self);
  if (index < share->mutexes_.size()) share->mutexes_[index].lock();
}

void HttpShare::unlock(CURL*, curl_lock_data data, void* self) {
  const auto index = static_cast<std::size_t>(data);
  auto* share = static_cast<HttpShare*>(self);
  if (index < share->mutexes_.size()) share->mutexes_[index].unlock();
}

// ---------------------------------------------------------------------------
// HttpClient
// ---------------------------------------------------------------------------

// The state of one perform(), seen by the callbacks.
struct HttpClient::Transfer {
  HttpResponse* response = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::size_t max_body = 0;
  std::string link;  // every Link header of the last block, joined
  Slist headers;
  bool too_large = false;
  bool cancelled = false;
  bool out_of_memory = false;

  bool stop_requested() const { return stop != nullptr && stop->load(std::memory_order_relaxed); }
};

HttpClient::HttpClient(HttpOptions options, std::shared_ptr<HttpShare> share)
    : options_(std::move(options)), share_(std::move(share)) {
  user_agent_ = make_user_agent(options_.version, options_.contact_url);
  // A proxy from the environment must not capture loopback traffic (the local GitHub
  // simulator, tests). CURLOPT_NOPROXY replaces the environment's list, so extend it.
  const char* no_proxy = std::getenv("no_proxy");
  if (no_proxy == nullptr || *no_proxy == '\0') no_proxy = std::getenv("NO_PROXY");
  no_proxy_ = no_proxy != nullptr ? no_proxy : "";
  if (no_proxy_ != "*") {
    if (!no_proxy_.empty()) no_proxy_ += ',';
    no_proxy_ += "localhost,127.0.0.1,::1";
  }
  if (!global_.ok()) return;
  easy_ = curl_easy_init();
  multi_ = curl_multi_init();
  if (easy_ == nullptr || multi_ == nullptr) {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    easy_ = nullptr;
    multi_ = nullptr;
  }
}

HttpClient::~HttpClient() {
  // The easy handle is never left in the multi between transfers.
  if (easy_ != nullptr) curl_easy_cleanup(easy_);
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

std::size_t HttpClient::on_header(char* data, std::size_t size, std::size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  const std::size_t length = size * count;
  try {
    const std::string_view line = trim(std::string_view(data, length));
    HttpResponse& response = *transfer->response;
    if (line.size() >= 5 && line.substr(0, 5) == "HTTP/") {
      // A new header block (after a redirect, a 1xx or a proxy's CONNECT): only the
      // last response counts, its headers and its body.
      response.rate = RateLimitHeaders{};
      response.body.clear();
      response.etag.clear();
      response.content_type.clear();
      response.request_id.clear();
      transfer->link.clear();
      return length;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return length;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    response.rate.consume(name, value);
    if (iequals(name, "etag")) {
      response.etag.assign(value);
    } else if (iequals(name, "link")) {
      if (!transfer->link.empty()) transfer->link += ", ";
      transfer->link.append(value);
    } else if (iequals(name, "content-type")) {
      response.content_type.assign(value);
    } else if (iequals(name, "x-github-request-id")) {
      response.request_id.assign(value);
    }
    return length;
  } catch (...) {
    transfer->out_of_memory = true;
    return 0;  // not `length`: libcurl aborts the transfer
  }
}

std::size_t HttpClient::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* transfer = static_cast<Transfer*>(self);
  const std::size_t length = size * count;
  PaddedBuffer& body = transfer->response->body;
  if (length > transfer->max_body || body.size() > transfer->max_body - length) {
    transfer->too_large = true;
    return 0;
  }
  try {
    body.append(data, length);
  } catch (...) {
    transfer->out_of_memory = true;
    return 0;
  }
  return length;
}

int HttpClient::on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(self);
  if (transfer->stop_requested()) {
    transfer->cancelled = true;
    return 1;
  }
  return 0;
}

void HttpClient::perform(const HttpRequest& request, HttpResponse& response) noexcept {
  const auto started = std::chrono::steady_clock::now();
  try {
    response.clear();
    Transfer transfer;
    transfer.response = &response;
    transfer.stop = request.stop;
    transfer.max_body = options_.max_body_bytes;
    if (configure(request, transfer, response)) {
      const CURLcode code = run(transfer);
      finish(request, transfer, code, response);
    }
    // Nothing may keep pointers into this request's memory.
    if (easy_ != nullptr) {
      curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    }
  } catch (...) {
    // Only allocation can throw here; the response says so and nothing escapes.
    response.status = 0;
    response.error = TransportError::other;
    response.outcome = outcome_of(response.error);
    response.error_message.clear();
    try {
      response.error_message = "out of memory";
    } catch (...) {
    }
  }
  response.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

bool HttpClient::configure(const HttpRequest& request, Transfer& transfer, HttpResponse& response) {
  auto refuse = [&](const char* why) {
    response.error = TransportError::invalid_request;
    response.outcome = outcome_of(response.error);
    response.error_message = why;
    return false;
  };
  if (easy_ == nullptr) {
    return refuse(global_.ok() ? "libcurl could not create a handle"
                               : "libcurl could not be initialized");
  }
  if (request.url.empty()) return refuse("no URL given");
  if (!header_safe(request.url) || !header_safe(request.method) || !header_safe(request.accept) ||
      !header_safe(request.if_none_match) || !header_safe(request.content_type)) {
    return refuse("a request field contains a line break");
  }
  if (!header_safe(request.token) || std::any_of(request.token.begin(), request.token.end(),
                                                 [](char c) { return c == ' ' || c == '\t'; })) {
    return refuse("the token contains whitespace or control characters");
  }
  if (request.method.empty()) return refuse("no method given");

  // From a clean slate: nothing of the previous request (method, body, headers)
  // carries over. Connections, the DNS cache and TLS sessions survive a reset.
  curl_easy_reset(easy_);
  error_buffer_[0] = '\0';
  CURL* const h = easy_;
  auto set = [&](CURLoption option, auto value) {
    return curl_easy_setopt(h, option, value) == CURLE_OK;
  };

  bool ok =
      set(CURLOPT_URL, request.url.c_str()) && set(CURLOPT_ERRORBUFFER, error_buffer_.data()) &&
      set(CURLOPT_NOSIGNAL, 1L) && set(CURLOPT_USERAGENT, user_agent_.c_str()) &&
      set(CURLOPT_ACCEPT_ENCODING, "") &&
      set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count())) &&
      set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count())) &&
      // Under 1 byte a second for stall_timeout: libcurl counts from the request's start,
      // so this is both a time to first byte and a mid-body stall limit.
      set(CURLOPT_LOW_SPEED_LIMIT, 1L) &&
      set(CURLOPT_LOW_SPEED_TIME, stall_seconds(options_.stall_timeout)) &&
      set(CURLOPT_SSL_VERIFYPEER, 1L) && set(CURLOPT_SSL_VERIFYHOST, 2L) &&
      set(CURLOPT_TCP_KEEPALIVE, 1L) && set(CURLOPT_NOPROXY, no_proxy_.c_str()) &&
      set(CURLOPT_FOLLOWLOCATION, 1L) && set(CURLOPT_MAXREDIRS, kMaxRedirects) &&
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
      set(CURLOPT_PROTOCOLS_STR, "http,https") && set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https") &&
#endif
      set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes)) &&
      set(CURLOPT_HEADERFUNCTION, &HttpClient::on_header) && set(CURLOPT_HEADERDATA, &transfer) &&
      set(CURLOPT_WRITEFUNCTION, &HttpClient::on_body) && set(CURLOPT_WRITEDATA, &transfer) &&
      set(CURLOPT_NOPROGRESS, 0L) && set(CURLOPT_XFERINFOFUNCTION, &HttpClient::on_progress) &&
      set(CURLOPT_XFERINFODATA, &transfer);
  // Best effort: a libcurl without HTTP/2 speaks HTTP/1.1.
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  if (ok && share_ != nullptr && share_->ok()) ok = set(CURLOPT_SHARE, share_->handle());
  if (ok && !options_.ca_bundle.empty()) ok = set(CURLOPT_CAINFO, options_.ca_bundle.c_str());

  const std::string& method = request.method;
  const bool has_body = !request.body.empty() || method == "POST";
  if (ok) {
    if (method == "HEAD") {
      ok = set(CURLOPT_NOBODY, 1L);
    } else if (has_body) {
      ok = set(CURLOPT_POSTFIELDS, request.body.data()) &&
           set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      if (ok && method != "POST") ok = set(CURLOPT_CUSTOMREQUEST, method.c_str());
    } else {
      ok = set(CURLOPT_HTTPGET, 1L);
      if (ok && method != "GET") ok = set(CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  }
  if (!ok) return refuse("libcurl rejected an option");

  Slist& headers = transfer.headers;
  bool listed = append(headers, std::string("Accept: ") + request.accept) &&
                append(headers, std::string("X-GitHub-Api-Version: ") + kGitHubApiVersion) &&
                // No "Expect: 100-continue" round trip before a large GraphQL body.
                append(headers, "Expect:");
  if (listed && !request.token.empty()) {
    listed = append(headers, "Authorization: Bearer " + request.token);
  }
  if (listed && !request.if_none_match.empty()) {
    listed = append(headers, "If-None-Match: " + request.if_none_match);
  }
  if (listed && has_body) listed = append(headers, "Content-Type: " + request.content_type);
  if (!listed || !set(CURLOPT_HTTPHEADER, headers.get())) {
    return refuse("out of memory while building the request headers");
  }
  return true;
}

CURLcode HttpClient::run(Transfer& transfer) {
  if (curl_multi_add_handle(multi_, easy_) != CURLM_OK) return CURLE_FAILED_INIT;
  CURLcode result = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    if (curl_multi_perform(multi_, &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == easy_) {
        result = message->data.result;
        done = true;
      }
    }
    if (done) break;
    if (running == 0) {  // finished without a message: should not happen
      result = CURLE_FAILED_INIT;
      break;
    }
    // The progress callback usually sees the flag first; this covers the moments
    // libcurl does not call it (e.g. while connecting on some versions).
    if (transfer.stop_requested()) {
      transfer.cancelled = true;
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    if (curl_multi_poll(multi_, nullptr, 0, kPollTickMs, nullptr) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
  }
  // Removing an unfinished transfer closes its connection; a finished one stays
  // cached in the multi handle for the next request.
  curl_multi_remove_handle(multi_, easy_);
  return result;
}

void HttpClient::finish(const HttpRequest& request, Transfer& transfer, CURLcode code,
                        HttpResponse& response) {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);

  TransportError error = transport_error_of(code);
  if (transfer.too_large) error = TransportError::too_large;
  if (transfer.cancelled) error = TransportError::cancelled;
  if (transfer.out_of_memory) error = TransportError::other;

  // A body shorter than its Content-Length is truncated even if libcurl let it pass.
  if (error == TransportError::none && request.method != "HEAD" && status != 204 && status != 304) {
    curl_off_t announced = -1;
    curl_off_t received = 0;
    if (curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        curl_easy_getinfo(easy_, CURLINFO_SIZE_DOWNLOAD_T, &received) == CURLE_OK &&
        announced >= 0 && received < announced) {
      error = TransportError::truncated;
    }
  }

  PageLinks links = parse_link_header(transfer.link);
  response.link_next = std::move(links.next);
  response.link_last = std::move(links.last);

  response.error = error;
  if (error == TransportError::none) {
    response.status = static_cast<int>(status);
    response.outcome = classify_response(response.status, response.rate, response.body.view());
    return;
  }

  response.status = 0;
  response.outcome = outcome_of(error);
  std::string message;
  if (error == TransportError::cancelled) {
    message = "the request was cancelled";
  } else if (error == TransportError::too_large) {
    message = "the answer was larger than " + describe_bytes(options_.max_body_bytes);
  } else if (transfer.out_of_memory) {
    message = "out of memory while receiving the response";
  } else {
    message = curl_easy_strerror(code);
    const std::string_view detail(error_buffer_.data());
    if (!detail.empty()) {
      message += ": ";
      message += trim(detail);
    }
    if (error == TransportError::truncated && code == CURLE_OK) {
      message = "the connection closed before the whole body arrived";
    }
  }
  scrub(message, request.token);
  response.error_message = std::move(message);
}

}  // namespace gh
