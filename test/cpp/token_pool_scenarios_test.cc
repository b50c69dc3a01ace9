// The token pool under real worker threads, against a fake GitHub rate limiter that
// counts every request sent on an empty bucket. Time is a ManualClock: the tests block
// on the pool's own events and on waiting threads, never on sleeps.
#include <string>
#include <vector>

#include "catch.h"
#include "core/token_pool.h"
#include "fake_github.h"
#include "pool_helpers.h"
#include "worker_crew.h"

using namespace gh;
using namespace gh::test;
using std::chrono::seconds;

namespace {

FakeGitHub::Limit core_per_hour(std::int64_t limit) { return {limit, seconds(3600)}; }

}  // namespace

TEST_CASE("5 workers on 20 tokens use the full capacity of all 20", "[pool][scenario]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  FakeGitHub github(clock, distinct_users(20), {{"core", core_per_hour(50)}});
  TokenPool pool(make_tokens(20), PoolOptions{}, clock);
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 5, "core");

  const PoolEvent wait = events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();

  CHECK(github.total_served() == 20 * 50);
  for (std::size_t t = 0; t < 20; ++t) CHECK(github.served(t) == 50);
  CHECK(github.overspent() == 0);
  CHECK(clock.now() == start);  // all of it without waiting for a reset
  // The wait is for the earliest reset, plus the margin.
  CHECK(wait.until == start + seconds(3600) + seconds(1));
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.total_requests == 1000);
  CHECK(s.outcomes[static_cast<std::size_t>(Outcome::primary_limit)] == 0);
  CHECK(s.resources.at("core").available == 0);
  CHECK(s.resources.at("core").exhausted == 20);
}

TEST_CASE("10 workers with half the tokens exhausted borrow without a pause", "[pool][scenario]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  FakeGitHub github(clock, distinct_users(10), {{"core", core_per_hour(100)}});
  TokenPool pool(make_tokens(10), PoolOptions{}, clock);
  // Tokens 6-10 are spent for the next half hour, and the pool knows it: the engine
  // reads every token's GET /rate_limit (free) before work starts.
  const TimePoint reset = start + seconds(1800);
  for (std::size_t t = 0; t < 10; ++t) {
    if (t >= 5) github.set("user" + std::to_string(t + 1), "core", 0, reset);
    const bool spent = t >= 5;
    pool.observe(
        t, ok("core", 100, spent ? 0 : 100, epoch(spent ? reset : start + seconds(3600))).headers,
        "core");
  }
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 10, "core", WorkerCrew::Start::together);

  const PoolEvent wait = events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();

  // Every worker got a request in flight at once; those of spent tokens borrowed.
  for (std::size_t w = 0; w < 10; ++w) {
    const auto& first = crew.first_permits()[w];
    CHECK(first.token < 5);
    CHECK(first.borrowed == (w >= 5));
  }
  CHECK(github.total_served() == 500);
  for (std::size_t t = 0; t < 5; ++t) CHECK(github.served(t) == 100);
  CHECK(github.overspent() == 0);
  CHECK(clock.now() == start);
  // The earliest token back is one of the spent half, at its reset.
  CHECK(wait.until == reset + seconds(1));
  CHECK(wait.token >= 5);
}

TEST_CASE(
    "all 20 tokens exhausted: one coordinated wait for the earliest reset, then work "
    "resumes",
    "[pool][scenario]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  FakeGitHub github(clock, distinct_users(20), {{"core", core_per_hour(40)}});
  TokenPool pool(make_tokens(20), PoolOptions{}, clock);
  // Token #N resets N minutes from now, except Token #8, which resets first.
  for (std::size_t t = 0; t < 20; ++t) {
    const TimePoint reset = start + (t == 7 ? seconds(30) : seconds(60 * (t + 1)));
    github.set("user" + std::to_string(t + 1), "core", 0, reset);
    pool.observe(t, ok("core", 40, 0, epoch(reset)).headers, "core");
  }
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 10, "core");

  const PoolEvent first_wait = events.next(PoolEvent::Kind::waiting);
  CHECK(first_wait.token == 7);
  CHECK(first_wait.until == start + seconds(31));
  CHECK(first_wait.message.find("Token #8") != std::string::npos);
  clock.await_waiters(10);  // every worker is blocked...
  CHECK(github.total_served() == 0);
  CHECK(events.count(PoolEvent::Kind::waiting) == 0);  // ...and it was reported once
  CHECK(pool.snapshot().waiting == 10);

  clock.set(first_wait.until);
  CHECK(events.next(PoolEvent::Kind::resumed).resource == "core");
  // Token #8's fresh window is spent, then everyone waits for Token #1 at 60 s.
  const PoolEvent second_wait = events.next(PoolEvent::Kind::waiting);
  CHECK(second_wait.token == 0);
  CHECK(second_wait.until == start + seconds(61));
  clock.await_waiters(10);
  CHECK(github.total_served() == 40);
  CHECK(github.served(7) == 40);
  CHECK(github.overspent() == 0);

  clock.set(second_wait.until);
  const PoolEvent third_wait = events.next(PoolEvent::Kind::waiting);
  CHECK(third_wait.token == 1);
  clock.await_waiters(10);
  CHECK(github.served(0) == 40);
  CHECK(github.overspent() == 0);
  crew.stop_and_join();
  CHECK(crew.failure().empty());
}

TEST_CASE("stop() wakes workers blocked in a wait for a reset", "[pool][scenario]") {
  ManualClock clock;
  FakeGitHub github(clock, distinct_users(2), {{"core", core_per_hour(10)}});
  TokenPool pool(make_tokens(2), PoolOptions{}, clock);
  for (std::size_t t = 0; t < 2; ++t) {
    pool.observe(t, ok("core", 10, 0, epoch(clock.now() + seconds(3600))).headers, "core");
  }
  WorkerCrew crew(pool, github, 4, "core");
  clock.await_waiters(4);
  crew.stop_and_join();  // returns only if every worker woke up
  CHECK(github.total_served() == 0);
  CHECK(pool.snapshot().waiting == 0);
}

TEST_CASE("two tokens of one login spend one quota between them", "[pool][scenario]") {
  ManualClock clock;
  FakeGitHub github(clock, {"alice", "alice", "bob", "bob"}, {{"core", core_per_hour(40)}});
  TokenPool pool(make_tokens(4), PoolOptions{}, clock);
  pool.set_login(0, "alice");
  pool.set_login(1, "alice");
  pool.set_login(2, "bob");
  pool.set_login(3, "bob");
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 4, "core");
  events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();
  CHECK(github.total_served() == 80);  // two users' quotas, not four tokens'
  CHECK(github.overspent() == 0);
  CHECK(pool.snapshot().quota_groups == 2);
}

TEST_CASE("tokens rejected with 401 are retired and the rest carry the run", "[pool][scenario]") {
  ManualClock clock;
  FakeGitHub github(clock, distinct_users(4), {{"core", core_per_hour(30)}});
  github.set_bad(1);
  github.set_bad(3);
  TokenPool pool(make_tokens(4), PoolOptions{}, clock);
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 4, "core");
  events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.tokens[1].state == TokenState::retired);
  CHECK(s.tokens[3].state == TokenState::retired);
  CHECK(s.tokens[0].state == TokenState::exhausted);
  CHECK(github.total_served() == 60);
  CHECK(github.overspent() == 0);
  // A bad token is tried at most once per worker that was bound to it or raced to it.
  CHECK(github.unauthorized() >= 2);
  CHECK(github.unauthorized() <= 4);
}

TEST_CASE("every token rejected: workers fail at once with a clear error", "[pool][scenario]") {
  ManualClock clock;
  FakeGitHub github(clock, distinct_users(3), {{"core", core_per_hour(30)}});
  for (std::size_t t = 0; t < 3; ++t) github.set_bad(t);
  TokenPool pool(make_tokens(3), PoolOptions{}, clock);
  WorkerCrew crew(pool, github, 3, "core");
  crew.join();  // no stop(): the workers must give up by themselves
  CHECK(crew.failure().find("401") != std::string::npos);
  // Each bad token answers 401 at least once; a worker may race another to a token
  // that is about to be retired, but no token is tried again once retired.
  CHECK(github.unauthorized() >= 3);
  CHECK(github.unauthorized() <= 3 + 2);
}

TEST_CASE("a secondary limit pauses one user while the others go on", "[pool][scenario]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  FakeGitHub github(clock, distinct_users(3), {{"core", core_per_hour(20)}});
  TokenPool pool(make_tokens(3), PoolOptions{}, clock);
  std::atomic<bool> tripped{false};
  EventQueue events(pool);
  // The first answer on Token #1 is a secondary limit with retry-after: 120.
  WorkerCrew crew(pool, github, 3, "core", WorkerCrew::Start::free, [&](std::size_t, Feedback& f) {
    if (f.outcome == Outcome::success && !tripped.exchange(true)) {
      f.outcome = Outcome::secondary_limit;
      f.http_status = 403;
      f.headers.retry_after = 120;
    }
  });
  const PoolEvent paused = events.next(PoolEvent::Kind::paused);
  CHECK(paused.until == start + seconds(120));
  // The others spend their quota; then the earliest way on is the end of the pause.
  const PoolEvent wait = events.next(PoolEvent::Kind::waiting);
  CHECK(wait.token == paused.token);
  CHECK(wait.until == paused.until);
  clock.await_waiters(3);
  CHECK(github.overspent() == 0);
  clock.set(wait.until);
  events.next(PoolEvent::Kind::resumed);
  events.next(PoolEvent::Kind::waiting);  // now truly spent until the resets
  crew.stop_and_join();
  CHECK(github.total_served() == 60);
  CHECK(github.overspent() == 0);
}
