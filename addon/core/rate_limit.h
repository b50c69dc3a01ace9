// What a GitHub response says about rate limits: the x-ratelimit-* and retry-after
// headers, and the class of the response (success, primary or secondary limit, bad
// token, gone, ...). The HTTP layer fills these in; the token pool acts on them.
#ifndef GH_INGEST_CORE_RATE_LIMIT_H_
#define GH_INGEST_CORE_RATE_LIMIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh {

struct RateLimitHeaders {
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> remaining;
  std::optional<std::int64_t> used;
  std::optional<std::int64_t> reset;        // UTC epoch seconds
  std::optional<std::int64_t> retry_after;  // seconds
  std::string resource;                     // "core", "search", ...; empty when absent

  // Feeds one response header; names are matched case-insensitively and unrelated
  // headers are ignored. Values that are not plain non-negative integers are ignored.
  void consume(std::string_view name, std::string_view value);
  // True when the response carried a usable window: remaining and reset.
  bool has_window() const { return remaining.has_value() && reset.has_value(); }
};

// The class of a finished request, as far as the pool and the retry logic care.
enum class Outcome {
  success,          // 2xx
  not_modified,     // 304: free, does not count against the limit
  primary_limit,    // 403/429 with remaining 0: the bucket is spent until reset
  secondary_limit,  // 403/429 "secondary rate limit" (or retry-after): the user must pause
  unauthorized,     // 401: bad token, retire it
  forbidden,        // other 403: not a rate limit (too expensive, blocked); quota untouched
  gone,             // 404, 410, 451: the resource is not there
  validation,       // 422: invalid request (e.g. search past 1,000 results)
  client_error,     // other 4xx
  server_error,     // 5xx: retry with backoff
  network_error,    // no HTTP response at all (timeout, reset, DNS): retry with backoff
  malformed,        // a response whose body could not be parsed: retry
};
inline constexpr int kOutcomeCount = 12;

const char* to_string(Outcome outcome);

// Classifies an HTTP status (0 when the transfer failed) with its headers and body.
// Only the body's "secondary rate limit" / "rate limit exceeded" messages are looked at.
Outcome classify_response(int http_status, const RateLimitHeaders& headers, std::string_view body);

// Whether a request ending this way should be tried again (after a backoff).
bool is_transient(Outcome outcome);

}  // namespace gh

#endif  // GH_INGEST_CORE_RATE_LIMIT_H_
