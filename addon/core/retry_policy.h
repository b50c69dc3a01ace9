// When to try a failed request again, and after how long: exponential backoff with
// full jitter (a delay drawn uniformly from [0, min(cap, base * 2^n)]), so that workers
// that failed together do not come back together. A server's retry-after is honoured
// as given, never jittered below it.
//
// Pure: nothing here sleeps or reads a clock. The random source is injected, so tests
// are deterministic; each worker owns its own RetryPolicy (the default source is not
// shared between threads).
#ifndef GH_INGEST_CORE_RETRY_POLICY_H_
#define GH_INGEST_CORE_RETRY_POLICY_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "core/clock.h"
#include "core/rate_limit.h"

namespace gh {

struct RetryOptions {
  Millis base{1000};
  Millis cap{60'000};
  // Attempts in all, the first included: 5 means at most 4 retries.
  int max_attempts = 5;
};

// Uniform in [0, 1).
using RandomSource = std::function<double()>;

// A source seeded from std::random_device; `seed` makes it reproducible.
RandomSource make_random_source();
RandomSource make_random_source(std::uint64_t seed);

// The upper bound of the jittered delay before retry number `retry` (0 for the first
// retry): min(cap, base * 2^retry). Never overflows, however large `retry`.
Millis backoff_ceiling(const RetryOptions& options, int retry);

// Full jitter: `unit` (in [0, 1), clamped) scaled to [0, backoff_ceiling(retry)].
Millis jittered_delay(const RetryOptions& options, int retry, double unit);

struct RetryDecision {
  bool retry = false;
  Millis delay{0};
  bool from_server = false;  // the delay is the server's retry-after
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options = {}, RandomSource random = make_random_source());

  const RetryOptions& options() const { return options_; }

  // After `attempts` requests (>= 1) of which the last ended in `outcome`: retry or not,
  // and after what delay. Only transient outcomes (is_transient) are retried, and no
  // more than max_attempts requests are made in all. A retry-after (seconds) is used
  // as the delay exactly, even above the cap. Rate-limit outcomes without retry-after
  // get no delay of their own: the token pool holds the next acquire() until the
  // bucket refills or the pause ends.
  RetryDecision decide(Outcome outcome, int attempts,
                       std::optional<std::int64_t> retry_after_seconds = std::nullopt);

 private:
  RetryOptions options_;
  RandomSource random_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_RETRY_POLICY_H_
