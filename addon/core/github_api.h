// One worker's way to GitHub: a permit from the token pool, the request through the
// worker's HttpClient, the answer reported back to the pool, and transient failures
// (5xx, network, malformed bodies) retried with backoff. Rate limits are not retried
// here with a delay of their own: the pool holds the next acquire() until a token can
// serve. A body check may reclassify a 2xx answer (GraphQL says "rate limited" with
// HTTP 200), and the pool then hears the real outcome. Not thread-safe: one per worker.
#ifndef GH_INGEST_CORE_GITHUB_API_H_
#define GH_INGEST_CORE_GITHUB_API_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/github_json.h"
#include "core/http_client.h"
#include "core/retry_policy.h"
#include "core/stop_signal.h"
#include "core/token_pool.h"

namespace gh {

struct ApiCall {
  std::string resource = "core";  // the bucket it is paid from
  std::string url;                // absolute, or a path joined to the API base URL
  std::string accept = kAcceptJson;
  std::string etag;  // If-None-Match
  std::string method = "GET";
  std::string body;
  std::int64_t cost = 1;  // reserved in the bucket before sending (GraphQL: points)
  // Transient failures (5xx, network, malformed) after which the call gives up; 0: the
  // retry policy's own bound. A caller with a cheaper way out than sending the same
  // request again (a GraphQL query split in halves after a timeout) sets 1.
  int max_failures = 0;
};

enum class ApiStatus {
  ok,            // 2xx, and the body parsed
  not_modified,  // 304 (free)
  gone,          // 404, 410, 451: skip the repository
  rejected,      // 422, other 4xx, other 403: not worth repeating
  failed,        // transient failures past the retry budget
  stopped,       // the run is stopping
  no_token,      // no token can ever serve (all retired)
};
const char* to_string(ApiStatus status);

struct ApiResult {
  ApiStatus status = ApiStatus::failed;
  int http_status = 0;
  int attempts = 0;   // requests sent for this call
  std::string error;  // one line, no token; empty on ok / not_modified
  // How the last request ended: the outcome, after the body check, and why a transfer
  // gave no complete answer. Callers tell a timeout from other failures with them.
  Outcome last_outcome = Outcome::success;
  TransportError transport = TransportError::none;
  std::string body_error;  // the body check's reason, when it had one
};

// Requests of one worker, by how they ended.
struct ApiCounters {
  std::array<std::uint64_t, kOutcomeCount> outcomes{};
  std::uint64_t requests = 0;
  std::uint64_t retried = 0;  // requests sent again after a failure
};

// What a body check makes of a 2xx answer: `success`, or the outcome it really is.
// Meaningful ones: malformed (retried with backoff, a bounded number of times),
// primary_limit / secondary_limit (the pool hears it, and the call waits for a token
// like any REST rate limit). `error` says why, in one line.
struct BodyVerdict {
  Outcome outcome = Outcome::success;
  std::string error;
};

class GitHubApi {
 public:
  // A body parser: ok, or why the body is not what the endpoint returns (malformed).
  using Parse = std::function<JsonStatus(const HttpResponse&)>;
  // A body check that may also say the 2xx answer is a rate limit.
  using Check = std::function<BodyVerdict(const HttpResponse&)>;

  GitHubApi(std::size_t worker, std::string base_url, TokenPool& pool, HttpClient& http,
            Clock& clock, StopSignal& stop, RetryPolicy retry = RetryPolicy{});

  // Sends `call` until it succeeds, fails for good, or the run stops. On ok, response()
  // holds the answer and `parse` (when given) has accepted its body.
  ApiResult send(const ApiCall& call, const Parse& parse = nullptr);
  // The same, with a check that classifies the 2xx body itself.
  ApiResult send_checked(const ApiCall& call, const Check& check);

  const HttpResponse& response() const { return response_; }
  const ApiCounters& counters() const { return counters_; }
  std::string url_for(const std::string& path_or_url) const;

 private:
  std::size_t worker_;
  std::string base_url_;
  TokenPool& pool_;
  HttpClient& http_;
  Clock& clock_;
  StopSignal& stop_;
  RetryPolicy retry_;
  HttpResponse response_;
  GitHubJson json_;  // for the "message" of error bodies
  ApiCounters counters_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_GITHUB_API_H_
