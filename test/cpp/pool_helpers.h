// Building blocks for token pool tests: tokens, and the feedback GitHub's responses
// would produce.
#ifndef GH_INGEST_TEST_POOL_HELPERS_H_
#define GH_INGEST_TEST_POOL_HELPERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/token_pool.h"

namespace gh::test {

inline std::vector<std::string> make_tokens(int count) {
  std::vector<std::string> tokens;
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i + 1);
    tokens.push_back("ghp_test" + std::string(32 - n.size(), '0') + n);
  }
  return tokens;
}

inline std::int64_t epoch(TimePoint t) { return to_epoch_seconds(t); }

// A 2xx whose headers describe the bucket after the request.
inline Feedback ok(std::string resource, std::int64_t limit, std::int64_t remaining,
                   std::int64_t reset) {
  Feedback f;
  f.outcome = Outcome::success;
  f.http_status = 200;
  f.headers.resource = std::move(resource);
  f.headers.limit = limit;
  f.headers.remaining = remaining;
  f.headers.used = limit - remaining;
  f.headers.reset = reset;
  return f;
}

inline Feedback primary_limited(std::string resource, std::int64_t limit, std::int64_t reset) {
  Feedback f = ok(std::move(resource), limit, 0, reset);
  f.outcome = Outcome::primary_limit;
  f.http_status = 403;
  return f;
}

inline Feedback secondary_limited(std::int64_t remaining, std::int64_t reset,
                                  std::optional<std::int64_t> retry_after) {
  Feedback f = ok("core", 5000, remaining, reset);
  f.outcome = Outcome::secondary_limit;
  f.http_status = 403;
  f.headers.retry_after = retry_after;
  return f;
}

inline Feedback status_only(Outcome outcome, int status) {
  Feedback f;
  f.outcome = outcome;
  f.http_status = status;
  return f;
}

}  // namespace gh::test

#endif  // GH_INGEST_TEST_POOL_HELPERS_H_
