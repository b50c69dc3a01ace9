#include "core/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <utility>

namespace gh {
namespace {

RandomSource seeded(std::uint64_t seed) {
  return [engine = std::mt19937_64(seed)]() mutable {
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

}  // namespace

RandomSource make_random_source() {
  std::random_device device;
  const std::uint64_t seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  return seeded(seed);
}

RandomSource make_random_source(std::uint64_t seed) { return seeded(seed); }

Millis backoff_ceiling(const RetryOptions& options, int retry) {
  const std::int64_t base = std::max<std::int64_t>(options.base.count(), 0);
  const std::int64_t cap = std::max<std::int64_t>(options.cap.count(), 0);
  std::int64_t ceiling = base;
  for (int i = 0; i < retry && ceiling < cap; ++i) ceiling *= 2;
  return Millis(std::min(ceiling, cap));
}

Millis jittered_delay(const RetryOptions& options, int retry, double unit) {
  if (!(unit >= 0.0)) unit = 0.0;  // also catches NaN
  if (unit > 1.0) unit = 1.0;
  const double ceiling = static_cast<double>(backoff_ceiling(options, retry).count());
  return Millis(static_cast<std::int64_t>(std::floor(unit * ceiling)));
}

RetryPolicy::RetryPolicy(RetryOptions options, RandomSource random)
    : options_(options), random_(std::move(random)) {
  if (!random_) random_ = make_random_source();
}

RetryDecision RetryPolicy::decide(Outcome outcome, int attempts,
                                  std::optional<std::int64_t> retry_after_seconds) {
  RetryDecision decision;
  if (!is_transient(outcome) || attempts >= options_.max_attempts) return decision;
  decision.retry = true;
  if (retry_after_seconds && *retry_after_seconds >= 0) {
    constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1000;
    decision.delay = Millis(std::min(*retry_after_seconds, kMaxSeconds) * 1000);
    decision.from_server = true;
  } else if (outcome == Outcome::primary_limit || outcome == Outcome::secondary_limit) {
    decision.delay = Millis(0);
  } else {
    decision.delay = jittered_delay(options_, std::max(attempts - 1, 0), random_());
  }
  return decision;
}

}  // namespace gh
