// Backoff with full jitter, and when not to retry at all.
#include <algorithm>
#include <vector>

#include "catch.h"
#include "core/retry_policy.h"

using namespace gh;

namespace {

// A random source that returns the given values in turn (then the last one again).
RandomSource sequence(std::vector<double> values) {
  return [values = std::move(values), next = std::size_t{0}]() mutable {
    const double value = values[std::min(next, values.size() - 1)];
    ++next;
    return value;
  };
}

RandomSource constant(double value) {
  return [value] { return value; };
}

}  // namespace

TEST_CASE("the ceiling doubles from 1 s up to the 60 s cap", "[retry]") {
  const RetryOptions options;
  CHECK(backoff_ceiling(options, 0) == Millis(1000));
  CHECK(backoff_ceiling(options, 1) == Millis(2000));
  CHECK(backoff_ceiling(options, 2) == Millis(4000));
  CHECK(backoff_ceiling(options, 5) == Millis(32'000));
  CHECK(backoff_ceiling(options, 6) == Millis(60'000));
  CHECK(backoff_ceiling(options, 1000) == Millis(60'000));  // no overflow
  CHECK(backoff_ceiling(options, -3) == Millis(1000));
}

TEST_CASE("full jitter spans zero to the ceiling", "[retry]") {
  const RetryOptions options;
  CHECK(jittered_delay(options, 3, 0.0) == Millis(0));
  CHECK(jittered_delay(options, 3, 0.5) == Millis(4000));
  CHECK(jittered_delay(options, 3, 0.999999) <= Millis(8000));
  CHECK(jittered_delay(options, 3, 0.999999) > Millis(7990));
  CHECK(jittered_delay(options, 10, 0.5) == Millis(30'000));
  // Out-of-range sources are clamped rather than trusted.
  CHECK(jittered_delay(options, 0, -1.0) == Millis(0));
  CHECK(jittered_delay(options, 0, 7.0) == Millis(1000));
}

TEST_CASE("transient outcomes are retried with growing jittered delays", "[retry]") {
  RetryPolicy policy({}, constant(0.5));
  for (Outcome outcome : {Outcome::server_error, Outcome::network_error, Outcome::malformed}) {
    INFO(to_string(outcome));
    const RetryDecision first = policy.decide(outcome, 1);
    CHECK(first.retry);
    CHECK_FALSE(first.from_server);
    CHECK(first.delay == Millis(500));  // half of [0, 1 s]
    CHECK(policy.decide(outcome, 2).delay == Millis(1000));
    CHECK(policy.decide(outcome, 3).delay == Millis(2000));
    CHECK(policy.decide(outcome, 4).delay == Millis(4000));
  }
}

TEST_CASE("no more than max_attempts requests in all", "[retry]") {
  RetryPolicy policy({}, constant(0.5));
  CHECK(policy.options().max_attempts == 5);
  CHECK(policy.decide(Outcome::server_error, 4).retry);
  CHECK_FALSE(policy.decide(Outcome::server_error, 5).retry);
  CHECK_FALSE(policy.decide(Outcome::server_error, 6).retry);

  RetryOptions once;
  once.max_attempts = 1;
  CHECK_FALSE(RetryPolicy(once, constant(0.5)).decide(Outcome::network_error, 1).retry);
}

TEST_CASE("final outcomes are never retried", "[retry]") {
  RetryPolicy policy({}, constant(0.5));
  for (Outcome outcome :
       {Outcome::success, Outcome::not_modified, Outcome::unauthorized, Outcome::forbidden,
        Outcome::gone, Outcome::validation, Outcome::client_error}) {
    INFO(to_string(outcome));
    CHECK_FALSE(policy.decide(outcome, 1).retry);
    CHECK_FALSE(policy.decide(outcome, 1, 30).retry);
  }
}

TEST_CASE("a server's retry-after is the delay, even above the cap", "[retry]") {
  RetryPolicy policy({}, constant(0.0));  // jitter would say 0
  const RetryDecision secondary = policy.decide(Outcome::secondary_limit, 1, 90);
  CHECK(secondary.retry);
  CHECK(secondary.from_server);
  CHECK(secondary.delay == Millis(90'000));
  const RetryDecision busy = policy.decide(Outcome::server_error, 2, 3);
  CHECK(busy.delay == Millis(3000));
  CHECK(busy.from_server);
  CHECK(policy.decide(Outcome::server_error, 1, 0).delay == Millis(0));
  CHECK(policy.decide(Outcome::server_error, 1, 0).from_server);
  // An absurd value does not overflow.
  CHECK(policy.decide(Outcome::server_error, 1, 999'999'999'999'999'999).delay > Millis(0));
}

TEST_CASE("rate limits without retry-after leave the wait to the token pool", "[retry]") {
  RetryPolicy policy({}, constant(0.9));
  for (Outcome outcome : {Outcome::primary_limit, Outcome::secondary_limit}) {
    const RetryDecision decision = policy.decide(outcome, 1);
    CHECK(decision.retry);
    CHECK(decision.delay == Millis(0));
  }
}

TEST_CASE("the injected source decides every jittered delay", "[retry]") {
  RetryPolicy policy({}, sequence({0.25, 0.75, 0.0, 0.5}));
  CHECK(policy.decide(Outcome::server_error, 1).delay == Millis(250));
  CHECK(policy.decide(Outcome::server_error, 2).delay == Millis(1500));
  CHECK(policy.decide(Outcome::server_error, 3).delay == Millis(0));
  CHECK(policy.decide(Outcome::server_error, 4).delay == Millis(4000));
}

TEST_CASE("seeded sources repeat, and stay inside the bounds", "[retry]") {
  RetryOptions options;
  options.max_attempts = 100;
  RetryPolicy a(options, make_random_source(42));
  RetryPolicy b(options, make_random_source(42));
  for (int attempt = 1; attempt < 40; ++attempt) {
    const RetryDecision da = a.decide(Outcome::network_error, attempt);
    const RetryDecision db = b.decide(Outcome::network_error, attempt);
    CHECK(da.delay == db.delay);
    CHECK(da.delay >= Millis(0));
    CHECK(da.delay <= backoff_ceiling(options, attempt - 1));
  }
  RetryPolicy unseeded(options);  // std::random_device
  CHECK(unseeded.decide(Outcome::network_error, 3).delay <= Millis(4000));
}

TEST_CASE("base and cap are options", "[retry]") {
  RetryOptions options;
  options.base = Millis(100);
  options.cap = Millis(250);
  CHECK(backoff_ceiling(options, 0) == Millis(100));
  CHECK(backoff_ceiling(options, 1) == Millis(200));
  CHECK(backoff_ceiling(options, 2) == Millis(250));
  RetryPolicy policy(options, constant(0.999));
  CHECK(policy.decide(Outcome::server_error, 4).delay <= Millis(250));
}
