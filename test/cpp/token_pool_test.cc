// The token pool's rules, one at a time, on one thread (try_acquire never blocks); a
// waiting acquire() only where the rule is about waking it.
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "core/token_pool.h"
#include "pool_helpers.h"
#include "worker_crew.h"

using namespace gh;
using namespace gh::test;
using std::chrono::seconds;

namespace {

struct Fixture {
  explicit Fixture(int tokens, PoolOptions options = {})
      : clock(from_epoch_seconds(1'700'000'000)), pool(make_tokens(tokens), options, clock) {}

  std::int64_t now() const { return epoch(clock.now()); }
  // Tells the pool a token's bucket as a free GET /rate_limit would.
  void bucket(std::size_t token, const std::string& resource, std::int64_t limit,
              std::int64_t remaining, std::int64_t reset) {
    pool.observe(token, ok(resource, limit, remaining, reset).headers, resource);
  }
  Permit take(std::size_t worker, const std::string& resource = "core") {
    Acquisition a = pool.try_acquire(worker, resource);
    REQUIRE(a.status == AcquireStatus::ok);
    return std::move(a.permit);
  }
  AcquireStatus status(std::size_t worker, const std::string& resource = "core",
                       std::int64_t cost = 1) {
    return pool.try_acquire(worker, resource, cost).status;
  }
  const TokenSnapshot& token(const PoolSnapshot& s, std::size_t i) { return s.tokens.at(i); }

  ManualClock clock;
  TokenPool pool;
};

}  // namespace

TEST_CASE("each worker is bound to its own primary token", "[pool]") {
  Fixture f(3);
  CHECK(f.take(0).token() == 0);
  CHECK(f.take(1).token() == 1);
  CHECK(f.take(2).token() == 2);
  CHECK(f.take(3).token() == 0);  // more workers than tokens: they share, evenly
  CHECK(f.pool.primary_of(3) == 0u);
  CHECK_FALSE(f.take(1).borrowed());
}

TEST_CASE("a newer window replaces the bucket, the same window only goes down", "[pool]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 100, reset);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 100);

  // A late response of the same window with a higher remaining does not raise it.
  f.bucket(0, "core", 5000, 150, reset);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 100);
  f.bucket(0, "core", 5000, 90, reset);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 90);

  // A response from an older window is ignored entirely.
  f.bucket(0, "core", 5000, 4999, reset - 3600);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 90);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").reset == reset);

  // The newest reset wins, even with a higher remaining.
  f.bucket(0, "core", 5000, 4999, reset + 3600);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 4999);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").reset == reset + 3600);
}

TEST_CASE("reported responses update the bucket named by x-ratelimit-resource", "[pool]") {
  Fixture f(1);
  Permit p = f.take(0, "search");
  // GitHub bills code search to its own bucket, whatever the caller reserved.
  p.report(ok("code_search", 10, 9, f.now() + 60));
  const PoolSnapshot s = f.pool.snapshot();
  CHECK(s.tokens[0].resources.at("code_search").remaining == 9);
  CHECK(s.tokens[0].resources.at("search").in_flight == 0);
  CHECK(s.tokens[0].requests == 1);
  CHECK(s.total_requests == 1);
  CHECK(s.requests_by_resource.at("search") == 1);  // counted where it was reserved
}

TEST_CASE("permits reserve their cost, so a bucket is never overspent", "[pool]") {
  PoolOptions options;
  options.concurrency_per_user = 3;  // a wider lane, so that the bucket is what holds back
  Fixture f(1, options);
  f.bucket(0, "core", 5000, 2, f.now() + 3600);
  Permit a = f.take(0);
  Permit b = f.take(1);
  CHECK(f.status(2) == AcquireStatus::would_block);  // 2 left, 2 in flight
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").in_flight == 2);

  // A permit dropped without a report was never sent: its reservation comes back.
  { Permit dropped = std::move(b); }
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").in_flight == 1);
  Permit c = f.take(2);
  CHECK(f.status(3) == AcquireStatus::would_block);
  a.report(ok("core", 5000, 1, f.now() + 3600));
  c.report(ok("core", 5000, 0, f.now() + 3600));
  CHECK(f.status(0) == AcquireStatus::would_block);
}

TEST_CASE("an answer lost after a later one was counted is still deducted", "[pool]") {
  PoolOptions options;
  options.concurrency_per_user = 2;  // two requests of the user out at once
  Fixture f(1, options);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 2, reset);
  Permit a = f.take(0);
  Permit b = f.take(0);
  // GitHub counts A (1 left), then B (0 left); B's answer is lost and A's arrives last.
  b.report(status_only(Outcome::network_error, 0));
  a.report(ok("core", 5000, 1, reset));
  CHECK(f.status(0) == AcquireStatus::would_block);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 0);
}

TEST_CASE("requests without headers after a reset are counted in the new window", "[pool]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 60;
  f.bucket(0, "core", 10, 0, reset);
  f.clock.set(from_epoch_seconds(reset + 1));
  // Three answers lost in the new window, then GitHub's first header of it, which was
  // produced before any of them was counted.
  for (int i = 0; i < 3; ++i) f.take(0).report(status_only(Outcome::server_error, 502));
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 7);
  f.take(0).report(ok("core", 10, 9, reset + 3600));
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 6);
}

TEST_CASE("an answer lost right at the reset counts in both windows", "[pool]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 60;
  f.bucket(0, "core", 10, 1, reset);
  f.clock.set(from_epoch_seconds(reset));
  f.take(0).report(status_only(Outcome::network_error, 0));
  CHECK(f.status(0) == AcquireStatus::would_block);  // the old window: spent
  f.clock.set(from_epoch_seconds(reset + 1));
  // The new window's first header may predate that request: it stays deducted.
  f.take(0).report(ok("core", 10, 9, reset + 3600));
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 8);
}

TEST_CASE("a request's cost is reserved in full", "[pool]") {
  PoolOptions options;
  options.concurrency_per_user = 2;  // two queries at once, to see the points
  Fixture f(1, options);
  f.bucket(0, "graphql", 5000, 10, f.now() + 3600);
  Permit big = std::move(f.pool.try_acquire(0, "graphql", 8).permit);
  REQUIRE(big);
  CHECK(f.status(0, "graphql", 3) == AcquireStatus::would_block);
  CHECK(f.status(0, "graphql", 2) == AcquireStatus::ok);
}

TEST_CASE("a GraphQL permit reserves its points and the answer's headers set them",
          "[pool][graphql]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "graphql", 5000, 100, reset);
  Acquisition a = f.pool.try_acquire(0, "graphql", 7);
  REQUIRE(a.status == AcquireStatus::ok);
  CHECK(a.permit.cost() == 7);
  CHECK(f.pool.snapshot().tokens[0].resources.at("graphql").in_flight == 7);
  // GitHub's headers speak in points for the graphql resource: they set its bucket only.
  a.permit.report(ok("graphql", 5000, 93, reset));
  const PoolSnapshot s = f.pool.snapshot();
  CHECK(s.tokens[0].resources.at("graphql").remaining == 93);
  CHECK(s.tokens[0].resources.at("graphql").in_flight == 0);
  CHECK(s.tokens[0].resources.at("core").known == false);
  CHECK(s.tokens[0].resources.at("core").remaining == 5000);
}

TEST_CASE("a GraphQL answer without headers is counted at its full cost", "[pool][graphql]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "graphql", 5000, 100, reset);
  f.pool.try_acquire(0, "graphql", 5).permit.report(status_only(Outcome::server_error, 502));
  CHECK(f.pool.snapshot().tokens[0].resources.at("graphql").remaining == 95);
  // A later header of the same window that predates it cannot raise it back.
  f.pool.try_acquire(0, "graphql", 5).permit.report(ok("graphql", 5000, 96, reset));
  CHECK(f.pool.snapshot().tokens[0].resources.at("graphql").remaining == 91);
}

TEST_CASE("one lane per user: its second request, on any resource, borrows another user's",
          "[pool][lane]") {
  Fixture f(3);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  f.pool.set_login(2, "bob");
  Permit alice = f.take(0, "graphql");
  CHECK(alice.token() == 0);
  // alice's second token is the same user, the same lane: worker 1 borrows bob's.
  Permit bob = f.take(1, "graphql");
  CHECK(bob.token() == 2);
  CHECK(bob.borrowed());
  // Both lanes are busy: nothing more for either user, whatever the resource, and no
  // GraphQL rule of its own: REST and search wait the same way.
  CHECK(f.status(0, "graphql") == AcquireStatus::would_block);
  CHECK(f.status(0, "core") == AcquireStatus::would_block);
  CHECK(f.status(1, "search") == AcquireStatus::would_block);
  CHECK(f.pool.try_acquire_token(1, "core").status == AcquireStatus::would_block);
  alice.report(ok("graphql", 5000, 4999, f.now() + 3600));
  // alice's lane is free again: worker 1 is back on its own token, a REST request this time.
  Permit home = f.take(1, "core");
  CHECK(home.token() == 1);
  CHECK_FALSE(home.borrowed());
}

TEST_CASE("a worker whose primary user is busy takes an idle user's token, never waits",
          "[pool][lane]") {
  Fixture f(4);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  f.pool.set_login(2, "bob");
  f.pool.set_login(3, "carol");
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 4000, reset);
  f.bucket(2, "core", 5000, 3000, reset);
  f.bucket(3, "core", 5000, 3500, reset);
  Permit first = f.take(0);
  CHECK(first.token() == 0);
  // Worker 1's primary (Token #2) can serve, but its user is busy: the idle user with
  // the most quota lends, and try_acquire shows the request would not have waited.
  Acquisition second = f.pool.try_acquire(1, "core");
  REQUIRE(second.status == AcquireStatus::ok);
  CHECK(second.permit.token() == 3);
  CHECK(second.permit.borrowed());
  Acquisition third = f.pool.try_acquire(5, "core");  // primary: Token #2 again
  REQUIRE(third.status == AcquireStatus::ok);
  CHECK(third.permit.token() == 2);
  // Every lane is busy now: the next one waits (would_block), it is not a dead end.
  CHECK(f.status(4) == AcquireStatus::would_block);
  CHECK(f.pool.snapshot().resources.at("core").available == 4);  // busy is not spent
}

TEST_CASE("ties between lenders with free lanes go to the user with fewer requests in flight",
          "[pool][lane]") {
  PoolOptions options;
  options.concurrency_per_user = 2;
  Fixture f(3, options);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 0, reset);  // worker 0's primary is spent for core
  f.bucket(1, "core", 5000, 700, reset);
  f.bucket(2, "core", 5000, 700, reset);
  // Token #2's user has a search request out: the same core quota, a busier lane.
  Permit search = f.take(1, "search");
  CHECK(search.token() == 1);
  CHECK(f.take(0).token() == 2);
  search.report(ok("search", 30, 29, f.now() + 60));
  CHECK(f.take(0).token() == 1);  // tied again: the lower index
}

namespace {

// How many requests the pool lets out at once on `resource` (one worker each), given
// back when it returns: the lane's width when quota is not what limits it.
std::size_t lane_room(TokenPool& pool, std::string_view resource) {
  std::vector<Permit> held;
  for (;;) {
    Acquisition a = pool.try_acquire(held.size(), resource);
    if (a.status != AcquireStatus::ok) break;
    held.push_back(std::move(a.permit));
  }
  return held.size();
}

}  // namespace

TEST_CASE("concurrency_per_user widens every user's lane, within 1 and 100", "[pool][lane]") {
  const std::int64_t reset = 1'700'000'000 + 3600;
  auto in_flight_allowed = [&](int setting) {
    PoolOptions options;
    options.concurrency_per_user = setting;
    Fixture f(1, options);
    f.bucket(0, "graphql", 5000, 5000, reset);
    return lane_room(f.pool, "graphql");
  };
  CHECK(in_flight_allowed(1) == 1);
  CHECK(in_flight_allowed(2) == 2);
  CHECK(in_flight_allowed(0) == 1);  // below 1 counts as 1
  CHECK(in_flight_allowed(-3) == 1);
  CHECK(in_flight_allowed(100) == 100);
  CHECK(in_flight_allowed(1000) == static_cast<std::size_t>(kMaxConcurrencyPerUser));
}

TEST_CASE("a secondary limit halves a wide lane for the rest of the run, down to one",
          "[pool][lane]") {
  const std::int64_t reset = 1'700'000'000 + 3600;
  PoolOptions options;
  options.concurrency_per_user = 5;
  Fixture f(1, options);
  f.bucket(0, "core", 5000, 5000, reset);
  auto width_now = [&] {
    return lane_room(f.pool, "core");
  };
  auto limited_once = [&] {
    Permit permit = f.take(0, "core");
    permit.report(secondary_limited(4000, reset, 1));
    f.clock.advance(seconds(2));  // past the retry-after
  };
  CHECK(width_now() == 5);
  limited_once();
  CHECK(width_now() == 2);  // 5 / 2
  limited_once();
  CHECK(width_now() == 1);
  limited_once();
  CHECK(width_now() == 1);  // never below one
}

TEST_CASE("a request waiting only for its user's lane starts when the request in flight ends",
          "[pool][lane]") {
  Fixture f(2);
  // Token #2's user is spent for ten minutes; Token #1's has quota but is busy.
  const TimePoint spent_until = f.clock.now() + seconds(600);
  f.bucket(0, "core", 5000, 4000, f.now() + 3600);
  f.bucket(1, "core", 5000, 0, epoch(spent_until));
  EventQueue events(f.pool);
  Permit first = f.take(0, "graphql");
  // No reset wait and no dead end: a busy lane is neither.
  CHECK(f.status(1) == AcquireStatus::would_block);
  Acquisition second;
  std::thread worker([&] { second = f.pool.acquire(1, "core"); });
  f.clock.await_waiters(1);
  CHECK(f.pool.snapshot().waiting == 1);
  first.report(ok("graphql", 5000, 4999, f.now() + 3600));
  worker.join();
  CHECK(f.clock.now() < spent_until);  // woken by the report, not by the reset
  REQUIRE(second.status == AcquireStatus::ok);
  CHECK(second.permit.token() == 0);
  CHECK(second.permit.borrowed());
  CHECK(events.size() == 0);  // never announced as "all tokens exhausted"
}

TEST_CASE("the last request of a lane ends: then the wait is for the earliest reset",
          "[pool][lane]") {
  Fixture f(2);
  const std::int64_t reset = f.now() + 300;
  f.bucket(0, "core", 5000, 1, f.now() + 900);
  f.bucket(1, "core", 5000, 0, reset);
  EventQueue events(f.pool);
  Permit last = f.take(0);
  Acquisition next;
  std::thread worker([&] { next = f.pool.acquire(1, "core"); });
  f.clock.await_waiters(1);
  CHECK(events.size() == 0);  // Token #1's lane is only busy
  last.report(ok("core", 5000, 0, f.now() + 900));
  // Nothing in flight and every bucket spent: "waiting" until Token #2's reset.
  const PoolEvent wait = events.next(PoolEvent::Kind::waiting);
  CHECK(wait.token == 1);
  CHECK(epoch(wait.until) == reset + 1);
  f.clock.set(wait.until);
  worker.join();
  REQUIRE(next.status == AcquireStatus::ok);
  CHECK(next.permit.token() == 1);
  CHECK(events.count(PoolEvent::Kind::waiting) == 0);  // said once
}

TEST_CASE("a user's tokens of unknown login are lanes of their own until set_login merges them",
          "[pool][lane]") {
  Fixture f(3);
  Permit a = f.take(0);
  Permit b = f.take(1);  // both out at once: two lanes while the logins are unknown
  CHECK(b.token() == 1);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  f.pool.set_login(2, "bob");
  // One lane now, with two requests in it: nothing more for alice until both end.
  CHECK(f.take(0).token() == 2);
  a.report(ok("core", 5000, 4999, f.now() + 3600));
  CHECK(f.take(0).token() == 2);
  b.report(ok("core", 5000, 4998, f.now() + 3600));
  CHECK(f.take(0).token() == 0);
}

TEST_CASE("GitHub's per-minute secondary caps pace each user: REST and GraphQL apart",
          "[pool][graphql]") {
  PoolOptions options;
  options.rest_points_per_minute = 3;
  options.graphql_points_per_minute = 2;
  Fixture f(2, options);
  f.bucket(0, "core", 5000, 5000, f.now() + 3600);
  f.bucket(0, "graphql", 5000, 5000, f.now() + 3600);
  for (int i = 0; i < 3; ++i) f.take(0).report(ok("core", 5000, 4999 - i, f.now() + 3600));
  f.clock.advance(seconds(20));
  // REST spent for this minute: the worker borrows the other user's token.
  Permit borrowed = f.take(0);
  CHECK(borrowed.token() == 1);
  borrowed.report(ok("core", 5000, 4999, f.now() + 3600));
  for (int i = 0; i < 2; ++i)
    f.take(0, "graphql").report(ok("graphql", 5000, 4990, f.now() + 3600));
  CHECK(f.pool.try_acquire(0, "graphql").permit.token() == 1);  // the same for GraphQL
  // A minute after the first requests, the user may send again.
  f.clock.advance(seconds(40));
  CHECK(f.take(0).token() == 0);
  // Every user paced: a waiting worker resumes when the oldest request of the minute ages
  // out, and no "exhausted" wait is announced (the buckets are far from spent).
  std::vector<PoolEvent> events;
  PoolOptions one;
  one.rest_points_per_minute = 1;
  Fixture g(1, one);
  g.bucket(0, "core", 5000, 5000, g.now() + 3600);
  g.take(0).report(ok("core", 5000, 4999, g.now() + 3600));
  g.pool.set_event_listener([&](const PoolEvent& e) { events.push_back(e); });
  Acquisition next;
  std::thread worker([&] { next = g.pool.acquire(0, "core"); });
  g.clock.await_waiters(1);
  g.clock.advance(seconds(60));
  worker.join();
  CHECK(next.status == AcquireStatus::ok);
  CHECK(events.empty());
}

TEST_CASE("the min-remaining reserve applies to hourly buckets, not to search", "[pool]") {
  PoolOptions options;
  options.min_remaining = 10;
  Fixture f(1, options);
  f.bucket(0, "core", 5000, 11, f.now() + 3600);
  f.bucket(0, "search", 30, 1, f.now() + 60);
  f.take(0).report(ok("core", 5000, 10, f.now() + 3600));
  CHECK(f.status(0) == AcquireStatus::would_block);  // at the reserve: exhausted
  CHECK(f.status(0, "search") == AcquireStatus::ok);
  CHECK(f.pool.snapshot().tokens[0].state == TokenState::exhausted);
}

TEST_CASE("a bucket is full again once its reset (plus the margin) has passed", "[pool]") {
  Fixture f(1);
  f.bucket(0, "core", 5000, 0, f.now() + 100);
  CHECK(f.status(0) == AcquireStatus::would_block);
  f.clock.advance(seconds(100));
  CHECK(f.status(0) == AcquireStatus::would_block);  // the margin guards clock skew
  f.clock.advance(seconds(1));
  CHECK(f.status(0) == AcquireStatus::ok);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 5000);
}

TEST_CASE("a worker borrows the token with the most free requests, then goes home", "[pool]") {
  PoolOptions options;
  options.concurrency_per_user = 2;  // a lender's lane stays open with one request out
  Fixture f(4, options);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 0, reset);  // worker 0's primary is spent
  f.bucket(1, "core", 5000, 300, reset);
  f.bucket(2, "core", 5000, 900, reset);
  f.bucket(3, "core", 5000, 500, reset);
  Permit p = f.take(0);
  CHECK(p.token() == 2);
  CHECK(p.borrowed());
  CHECK(f.pool.snapshot().tokens[2].lent);

  // In-flight requests count against the lender: remaining minus in flight decides.
  f.bucket(3, "core", 5000, 900, reset + 1);  // newer window: 900 free
  Permit q = f.take(0);
  CHECK(q.token() == 3);  // token 2 has 900 - 1 in flight
  p.report(ok("core", 5000, 899, reset));
  CHECK_FALSE(f.pool.snapshot().tokens[2].lent);

  // When the primary refills, the worker is back on it.
  f.clock.set(from_epoch_seconds(reset + 1));
  Permit home = f.take(0);
  CHECK(home.token() == 0);
  CHECK_FALSE(home.borrowed());
}

TEST_CASE("ties between lenders go to the token with fewer recent errors", "[pool]") {
  Fixture f(3);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 0, reset);
  f.bucket(1, "core", 5000, 700, reset);
  f.bucket(2, "core", 5000, 700, reset);
  // A 502 that still carries the bucket's headers: an error, no change of quota.
  auto server_error = [&] {
    Feedback e = ok("core", 5000, 700, reset);
    e.outcome = Outcome::server_error;
    e.http_status = 502;
    return e;
  };
  // Token 2 had a server error a minute ago; token 1 none.
  f.take(2).report(server_error());
  f.clock.advance(seconds(60));
  CHECK(f.take(0).token() == 1);

  // Errors older than the window are forgiven; then the lower index wins the tie.
  f.take(1).report(server_error());
  f.clock.advance(seconds(60));
  f.take(1).report(server_error());
  CHECK(f.take(0).token() == 2);  // token 1 now has two recent errors, token 2 one
  f.clock.advance(std::chrono::minutes(10));
  CHECK(f.take(0).token() == 1);
}

TEST_CASE("a primary-limit response marks the bucket spent until its reset", "[pool]") {
  Fixture f(2);
  const std::int64_t reset = f.now() + 1800;
  std::vector<PoolEvent> events;
  f.pool.set_event_listener([&](const PoolEvent& e) { events.push_back(e); });
  f.take(0).report(primary_limited("core", 5000, reset));
  CHECK(f.pool.snapshot().tokens[0].state == TokenState::exhausted);
  CHECK(f.take(0).token() == 1);            // borrows for core...
  CHECK(f.take(0, "search").token() == 0);  // ...but search on its own token is fine
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == PoolEvent::Kind::exhausted);
  CHECK(epoch(events[0].until) == reset);
  CHECK(events[0].message.find("Token #1") != std::string::npos);

  f.clock.set(from_epoch_seconds(reset + 1));
  CHECK(f.take(0).token() == 0);
  CHECK(f.pool.snapshot().tokens[0].state == TokenState::ok);
}

TEST_CASE("a secondary limit with retry-after pauses the user for every resource", "[pool]") {
  Fixture f(2);
  f.take(0).report(secondary_limited(4000, f.now() + 3600, 30));
  const PoolSnapshot s = f.pool.snapshot();
  CHECK(s.tokens[0].state == TokenState::paused);
  CHECK(s.tokens[0].paused_until == f.now() + 30);
  CHECK(f.take(0, "search").token() == 1);
  CHECK(f.take(0, "core").token() == 1);
  // Its quota is untouched by the pause.
  CHECK(s.tokens[0].resources.at("core").remaining == 4000);
  f.clock.advance(seconds(30));
  CHECK(f.take(0).token() == 0);
}

TEST_CASE("a secondary limit without retry-after waits for the reset when remaining is 0",
          "[pool]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 900;
  f.take(0).report(secondary_limited(0, reset, std::nullopt));
  CHECK(f.pool.snapshot().tokens[0].paused_until == reset + 1);
}

TEST_CASE("a secondary limit without retry-after backs off from 60 s, doubling", "[pool]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 3600;
  f.take(0).report(secondary_limited(4000, reset, std::nullopt));
  CHECK(f.pool.snapshot().tokens[0].paused_until == f.now() + 60);
  f.clock.advance(seconds(60));
  f.take(0).report(secondary_limited(3999, reset, std::nullopt));
  CHECK(f.pool.snapshot().tokens[0].paused_until == f.now() + 120);
  f.clock.advance(seconds(120));
  f.take(0).report(secondary_limited(3998, reset, std::nullopt));
  CHECK(f.pool.snapshot().tokens[0].paused_until == f.now() + 240);
  // A success ends the streak: the next one starts at 60 s again.
  f.clock.advance(seconds(240));
  f.take(0).report(ok("core", 5000, 3997, reset));
  f.take(0).report(secondary_limited(3996, reset, std::nullopt));
  CHECK(f.pool.snapshot().tokens[0].paused_until == f.now() + 60);
}

TEST_CASE("the secondary backoff is capped", "[pool]") {
  PoolOptions options;
  options.secondary_backoff_max = std::chrono::minutes(5);
  Fixture f(1, options);
  for (int i = 0; i < 10; ++i) {
    f.take(0).report(secondary_limited(4000, f.now() + 3600, std::nullopt));
    const std::int64_t pause = f.pool.snapshot().tokens[0].paused_until - f.now();
    CHECK(pause <= 300);
    f.clock.advance(seconds(pause));
  }
}

TEST_CASE("a 401 retires the token for the run", "[pool]") {
  Fixture f(2);
  std::vector<PoolEvent> events;
  f.pool.set_event_listener([&](const PoolEvent& e) { events.push_back(e); });
  f.take(0).report(status_only(Outcome::unauthorized, 401));
  CHECK(f.pool.snapshot().tokens[0].state == TokenState::retired);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kind == PoolEvent::Kind::retired);
  CHECK(events[0].message.find("Token #1 (ghp_\xE2\x80\xA6"
                               "0001)") != std::string::npos);
  CHECK(events[0].message.find("test000") == std::string::npos);  // the mask only
  // Worker 0 borrows from then on, even after any reset.
  CHECK(f.take(0).token() == 1);
  f.clock.advance(std::chrono::hours(2));
  CHECK(f.take(0).token() == 1);
  // New workers are not bound to a retired token.
  CHECK(f.take(5).token() == 1);
  CHECK(f.pool.primary_of(5) == 1u);
}

TEST_CASE("when every token is retired, acquire fails at once with a clear error", "[pool]") {
  Fixture f(2);
  f.pool.retire(0, "GitHub answered 401 Bad credentials");
  f.take(0).report(status_only(Outcome::unauthorized, 401));
  Acquisition a = f.pool.acquire(0, "core");  // blocking call: must not block
  CHECK(a.status == AcquireStatus::no_usable_token);
  CHECK(a.error.find("401") != std::string::npos);
  CHECK(a.error.find("test-tokens") != std::string::npos);
}

TEST_CASE("a request no bucket can ever hold fails instead of waiting forever", "[pool]") {
  PoolOptions options;
  options.min_remaining = 5000;
  Fixture f(1, options);
  Acquisition a = f.pool.acquire(0, "core");
  CHECK(a.status == AcquireStatus::no_usable_token);
  CHECK(a.error.find("--min-remaining") != std::string::npos);
}

TEST_CASE("other 403s, 404s and server errors leave the quota alone", "[pool]") {
  Fixture f(1);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 100, reset);
  f.take(0).report(status_only(Outcome::forbidden, 403));
  f.take(0).report(status_only(Outcome::server_error, 503));
  f.take(0).report(status_only(Outcome::network_error, 0));
  f.take(0).report(status_only(Outcome::not_modified, 304));
  const PoolSnapshot s = f.pool.snapshot();
  CHECK(s.tokens[0].state == TokenState::ok);
  CHECK(s.tokens[0].paused_until == 0);
  // Without headers, the 403, the 503 and the lost answer are assumed counted (an
  // estimate too high would overspend); the 304 is free.
  CHECK(s.tokens[0].resources.at("core").remaining == 97);
  CHECK(s.tokens[0].errors == 3);
  CHECK(s.tokens[0].requests == 4);
  CHECK(s.tokens[0].last_status == 304);
  CHECK(s.outcomes[static_cast<std::size_t>(Outcome::forbidden)] == 1);
}

TEST_CASE("tokens of one GitHub user share one quota, counted once", "[pool]") {
  PoolOptions options;
  options.concurrency_per_user = 4;  // wider than the quota: the quota is what holds back
  Fixture f(3, options);
  const std::int64_t reset = f.now() + 3600;
  // Before logins are known, each token looks like its own user with 3 requests left.
  f.bucket(0, "core", 5000, 3, reset);
  f.bucket(1, "core", 5000, 3, reset);
  f.bucket(2, "core", 5000, 50, reset);
  CHECK(f.pool.snapshot().quota_groups == 3);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  f.pool.set_login(2, "bob");
  PoolSnapshot s = f.pool.snapshot();
  CHECK(s.quota_groups == 2);
  CHECK(s.tokens[0].login == "alice");
  CHECK(s.tokens[1].login == "alice");

  // alice has 3 requests in all, not 6: the fourth alice-bound request borrows bob's.
  std::vector<Permit> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(f.take(static_cast<std::size_t>(i % 2)));
    CHECK(held.back().token() < 2);
  }
  CHECK(f.take(0).token() == 2);
  CHECK(f.take(1).token() == 2);
  // A response through either token speaks for both.
  held[0].report(ok("core", 5000, 0, reset));
  s = f.pool.snapshot();
  CHECK(s.tokens[0].resources.at("core").remaining == 0);
  CHECK(s.tokens[1].resources.at("core").remaining == 0);
  CHECK(s.tokens[1].state == TokenState::exhausted);
}

TEST_CASE("merging a user's tokens keeps the newest window and the in-flight requests", "[pool]") {
  Fixture f(2);
  const std::int64_t reset = f.now() + 3600;
  f.bucket(0, "core", 5000, 10, reset);
  f.bucket(1, "core", 5000, 4000, reset - 3600);  // an older window
  Permit in_flight = f.take(1);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  const PoolSnapshot s = f.pool.snapshot();
  CHECK(s.tokens[1].resources.at("core").remaining == 10);
  CHECK(s.tokens[1].resources.at("core").reset == reset);
  CHECK(s.tokens[0].resources.at("core").in_flight == 1);
  in_flight.report(ok("core", 5000, 9, reset));
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").in_flight == 0);
  CHECK(f.pool.snapshot().tokens[0].resources.at("core").remaining == 9);
}

TEST_CASE("a secondary limit on one token pauses every token of its user", "[pool]") {
  Fixture f(3);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  f.pool.set_login(2, "bob");
  f.take(0).report(secondary_limited(4000, f.now() + 3600, 45));
  const PoolSnapshot s = f.pool.snapshot();
  CHECK(s.tokens[0].state == TokenState::paused);
  CHECK(s.tokens[1].state == TokenState::paused);
  CHECK(s.tokens[2].state == TokenState::ok);
  CHECK(f.take(1).token() == 2);
  // Every resource, through either token: no permit for alice during the pause.
  CHECK(f.take(0, "search").token() == 2);
  CHECK(f.take(1, "graphql").token() == 2);
  CHECK(f.pool.try_acquire_token(1, "search").status == AcquireStatus::would_block);
  f.clock.advance(seconds(45));
  CHECK(f.take(1, "search").token() == 1);
}

TEST_CASE("no more requests of one user in flight than concurrency_per_user", "[pool][lane]") {
  PoolOptions options;
  options.concurrency_per_user = 2;
  Fixture f(3, options);
  f.pool.set_login(0, "alice");
  f.pool.set_login(1, "alice");
  for (std::size_t t : {std::size_t{0}, std::size_t{2}}) {
    f.bucket(t, "core", 5000, 4000, f.now() + 3600);
    f.bucket(t, "search", 30, 30, f.now() + 60);
  }
  Permit a = f.take(0);
  Permit b = f.take(1);
  CHECK(b.token() == 1);
  // alice has two in flight, across both her tokens, even on another resource: worker 0
  // borrows bob's token.
  CHECK(f.take(0, "search").token() == 2);
  Permit c = f.take(2);
  Permit d = f.take(2);
  CHECK(f.status(0) == AcquireStatus::would_block);
  a.report(ok("core", 5000, 4000, f.now() + 3600));
  CHECK(f.take(1).token() == 1);
}

TEST_CASE("rotation moves a worker on after N consecutive requests", "[pool]") {
  PoolOptions options;
  options.requests_per_token = 3;
  Fixture f(3, options);
  std::vector<std::size_t> used;
  for (int i = 0; i < 9; ++i) {
    Permit p = f.take(0);
    used.push_back(p.token());
    p.report(ok("core", 5000, 4000 - i, f.now() + 3600));
  }
  // Three on the primary, then three on each of the others, never more in a row.
  CHECK(std::vector<std::size_t>(used.begin(), used.begin() + 3) ==
        std::vector<std::size_t>{0, 0, 0});
  for (std::size_t i = 0; i < used.size(); i += 3) {
    CHECK(used[i] == used[i + 1]);
    CHECK(used[i + 1] == used[i + 2]);
    if (i >= 3) CHECK(used[i] != used[i - 1]);
  }
}

TEST_CASE("without rotation a worker stays on its primary", "[pool]") {
  Fixture f(3);
  for (int i = 0; i < 20; ++i) {
    Permit p = f.take(1);
    CHECK(p.token() == 1);
    p.report(ok("core", 5000, 4000 - i, f.now() + 3600));
  }
}

TEST_CASE("the snapshot names tokens by label and mask only", "[pool]") {
  Fixture f(2);
  f.bucket(1, "search", 30, 0, f.now() + 60);
  const PoolSnapshot s = f.pool.snapshot();
  REQUIRE(s.tokens.size() == 2);
  CHECK(s.tokens[0].id == "Token #1");
  CHECK(s.tokens[1].mask ==
        "ghp_\xE2\x80\xA6"
        "0002");
  CHECK(s.tokens[1].state == TokenState::exhausted);  // every bucket it used is spent
  CHECK(s.resources.at("search").available == 1);
  CHECK(s.resources.at("search").exhausted == 1);
  CHECK(s.resources.at("core").available == 2);
  CHECK(s.tokens[0].resources.at("core").known == false);
  CHECK(s.tokens[0].resources.at("core").limit == 5000);
  CHECK(std::string(to_string(TokenState::paused)) == "paused");
}

TEST_CASE("a permit on one given token, for requests about that token", "[pool]") {
  Fixture f(3);
  f.bucket(1, "core", 5000, 0, f.now() + 3600);
  f.pool.retire(2, "test");
  Acquisition a = f.pool.try_acquire_token(0, "core");
  REQUIRE(a.status == AcquireStatus::ok);
  CHECK(a.permit.token() == 0);
  CHECK(a.permit.worker() == TokenPool::kNoWorker);
  CHECK_FALSE(a.permit.borrowed());
  CHECK(f.pool.try_acquire_token(1, "core").status == AcquireStatus::would_block);
  const Acquisition retired = f.pool.try_acquire_token(2, "core");
  CHECK(retired.status == AcquireStatus::no_usable_token);
  CHECK(retired.error.find("Token #3") != std::string::npos);
}

TEST_CASE("stop() ends every wait and every later acquire", "[pool]") {
  Fixture f(1);
  f.pool.stop();
  CHECK(f.pool.stopped());
  CHECK(f.pool.acquire(0, "core").status == AcquireStatus::stopped);
}
