// The token pool under real worker threads, against a fake GitHub rate limiter that
// counts every request sent on an empty bucket or to a paused user. Time is a
// ManualClock: the tests block on the pool's own events, on held requests and on waiting
// threads, never on sleeps; time moves only when every worker is blocked (each lane busy
// or waiting). The crew's LaneMeter counts each user's requests in flight.
#include <algorithm>
#include <set>
#include <string>
#include <utility>
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

// Tells the pool every token's login, as the engine's token check does.
void set_logins(TokenPool& pool, const std::vector<std::string>& users) {
  for (std::size_t t = 0; t < users.size(); ++t) pool.set_login(t, users[t]);
}

// `count` tokens for each of the given logins, in order.
std::vector<std::string> tokens_of_users(const std::vector<std::string>& logins,
                                         std::size_t count) {
  std::vector<std::string> users;
  for (const std::string& login : logins) users.insert(users.end(), count, login);
  return users;
}

WorkerCrew::Options holding(std::vector<std::string> resources = {"core"}) {
  WorkerCrew::Options options;
  options.resources = std::move(resources);
  options.hold = true;
  return options;
}

}  // namespace

TEST_CASE("5 workers on 20 tokens of 20 users spend every user's quota, one lane each",
          "[pool][scenario][lane]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  const std::vector<std::string> users = distinct_users(20);
  FakeGitHub github(clock, users, {{"core", core_per_hour(50)}});
  TokenPool pool(make_tokens(20), PoolOptions{}, clock);
  set_logins(pool, users);
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 5, holding());

  // Five workers, five users' lanes busy at once: no worker waits while a user has quota
  // and a free lane.
  std::set<std::string> busy;
  for (const auto& held : crew.await_held(5)) busy.insert(github.user_of(held.token));
  CHECK(busy.size() == 5);
  crew.open();
  const PoolEvent wait = events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();

  CHECK(github.total_served() == 20 * 50);
  for (std::size_t t = 0; t < 20; ++t) CHECK(github.served(t) == 50);  // every user spent
  CHECK(github.overspent() == 0);
  CHECK(crew.lanes().most_per_login() == 1);
  CHECK(crew.lanes().most() == 5);
  CHECK(clock.now() == start);  // all of it without waiting for a reset
  // The wait is for the earliest reset, plus the margin.
  CHECK(wait.until == start + seconds(3600) + seconds(1));
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.total_requests == 1000);
  CHECK(s.outcomes[static_cast<std::size_t>(Outcome::primary_limit)] == 0);
  CHECK(s.resources.at("core").available == 0);
  CHECK(s.resources.at("core").exhausted == 20);
}

TEST_CASE("10 workers on 10 tokens of 2 users: 2 requests in flight at most, 1 per user",
          "[pool][scenario][lane]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  const std::vector<std::string> users = tokens_of_users({"alice", "bob"}, 5);
  FakeGitHub github(clock, users, {{"core", core_per_hour(60)}});
  TokenPool pool(make_tokens(10), PoolOptions{}, clock);
  set_logins(pool, users);
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 10, holding());

  // Two lanes, however many tokens and workers: two requests out, eight workers waiting.
  const auto held = crew.await_held(2);
  clock.await_waiters(8);
  CHECK(crew.lanes().now("alice") == 1);
  CHECK(crew.lanes().now("bob") == 1);
  CHECK(github.user_of(held[0].token) != github.user_of(held[1].token));
  CHECK(pool.snapshot().waiting == 8);
  crew.open();
  events.next(PoolEvent::Kind::waiting);  // both users spent, nothing in flight
  crew.stop_and_join();

  CHECK(crew.lanes().most() == 2);
  CHECK(crew.lanes().most("alice") == 1);
  CHECK(crew.lanes().most("bob") == 1);
  CHECK(github.served_user("alice") == 60);
  CHECK(github.served_user("bob") == 60);
  CHECK(github.overspent() == 0);
  CHECK(clock.now() == start);
  CHECK(pool.snapshot().quota_groups == 2);
}

TEST_CASE("a lane of 3 (concurrency_per_user): 3 requests of a user in flight, never more",
          "[pool][scenario][lane]") {
  ManualClock clock;
  const std::vector<std::string> users = tokens_of_users({"alice", "bob"}, 3);
  FakeGitHub github(clock, users, {{"core", core_per_hour(90)}});
  PoolOptions options;
  options.concurrency_per_user = 3;
  TokenPool pool(make_tokens(6), options, clock);
  set_logins(pool, users);
  // The buckets' sizes are known (GET /rate_limit): no one-request probe of an unknown one.
  for (std::size_t t : {std::size_t{0}, std::size_t{3}}) {
    pool.observe(t, ok("core", 90, 90, epoch(clock.now() + seconds(3600))).headers, "core");
  }
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 8, holding());

  crew.await_held(6);
  clock.await_waiters(2);
  CHECK(crew.lanes().now("alice") == 3);  // reached...
  CHECK(crew.lanes().now("bob") == 3);
  crew.open();
  events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();

  CHECK(crew.lanes().most("alice") == 3);  // ...and never passed
  CHECK(crew.lanes().most("bob") == 3);
  CHECK(github.served_user("alice") == 90);
  CHECK(github.served_user("bob") == 90);
  CHECK(github.overspent() == 0);
}

TEST_CASE("workers whose primaries are spent borrow idle users' tokens without a pause",
          "[pool][scenario]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  const std::vector<std::string> users = distinct_users(10);
  FakeGitHub github(clock, users, {{"core", core_per_hour(100)}});
  TokenPool pool(make_tokens(10), PoolOptions{}, clock);
  set_logins(pool, users);
  // Tokens 1-5 (the primaries of workers 0-4) are spent for the next half hour, and the
  // pool knows it: the engine reads every token's GET /rate_limit (free) before work
  // starts.
  const TimePoint reset = start + seconds(1800);
  for (std::size_t t = 0; t < 10; ++t) {
    const bool spent = t < 5;
    if (spent) github.set(users[t], "core", 0, reset);
    pool.observe(
        t, ok("core", 100, spent ? 0 : 100, epoch(spent ? reset : start + seconds(3600))).headers,
        "core");
  }
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 5, holding());

  // Every worker has a request in flight at once, each on another idle user's token.
  std::set<std::size_t> lenders;
  for (const auto& held : crew.await_held(5)) {
    CHECK(held.token >= 5);
    CHECK(held.borrowed);
    lenders.insert(held.token);
  }
  CHECK(lenders.size() == 5);
  crew.open();
  const PoolEvent wait = events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();

  CHECK(github.total_served() == 500);
  for (std::size_t t = 5; t < 10; ++t) CHECK(github.served(t) == 100);
  CHECK(github.overspent() == 0);
  CHECK(crew.lanes().most_per_login() == 1);
  CHECK(clock.now() == start);
  // The earliest token back is one of the spent half, at its reset.
  CHECK(wait.until == reset + seconds(1));
  CHECK(wait.token < 5);
}

TEST_CASE("a worker whose primary user is busy borrows an idle user's token instead of waiting",
          "[pool][scenario][lane]") {
  ManualClock clock;
  const std::vector<std::string> users = {"alice", "alice", "bob"};
  FakeGitHub github(clock, users, {{"core", core_per_hour(100)}});
  TokenPool pool(make_tokens(3), PoolOptions{}, clock);
  set_logins(pool, users);
  // Workers 0 and 1 are bound to alice's two tokens: one lane for both.
  WorkerCrew crew(pool, github, 2, holding());
  const auto held = crew.await_held(2);
  CHECK(clock.waiters() == 0);  // nobody waited
  REQUIRE(held.size() == 2);
  const auto& on_bob = held[0].token == 2 ? held[0] : held[1];
  const auto& on_alice = held[0].token == 2 ? held[1] : held[0];
  CHECK(on_bob.token == 2);
  CHECK(on_bob.borrowed);
  CHECK(on_alice.token == on_alice.worker);  // on its own primary
  CHECK_FALSE(on_alice.borrowed);
  crew.stop_and_join();
  CHECK(crew.lanes().most_per_login() == 1);
}

TEST_CASE("search, GraphQL and core on one user's lane each spend their own budget",
          "[pool][scenario][lane]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  FakeGitHub github(
      clock, {"alice", "alice"},
      {{"core", core_per_hour(10)}, {"search", {5, seconds(60)}}, {"graphql", core_per_hour(8)}});
  TokenPool pool(make_tokens(2), PoolOptions{}, clock);
  set_logins(pool, {"alice", "alice"});
  EventQueue events(pool);
  WorkerCrew::Options options;
  options.resources = {"core", "search", "graphql"};
  WorkerCrew crew(pool, github, 3, options);

  // Each worker ends waiting for its own resource's reset: three waits, one per bucket.
  std::set<std::string> waits;
  for (int i = 0; i < 3; ++i) waits.insert(events.next(PoolEvent::Kind::waiting).resource);
  CHECK(waits == std::set<std::string>{"core", "graphql", "search"});
  crew.stop_and_join();

  const PoolSnapshot s = pool.snapshot();
  CHECK(s.requests_by_resource.at("core") == 10);
  CHECK(s.requests_by_resource.at("search") == 5);
  CHECK(s.requests_by_resource.at("graphql") == 8);
  CHECK(github.overspent() == 0);
  CHECK(crew.lanes().most("alice") == 1);  // one at a time, whatever the resource
  CHECK(clock.now() == start);
}

TEST_CASE(
    "all 20 tokens exhausted: one coordinated wait for the earliest reset, then work "
    "resumes",
    "[pool][scenario]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  const std::vector<std::string> users = distinct_users(20);
  FakeGitHub github(clock, users, {{"core", core_per_hour(40)}});
  TokenPool pool(make_tokens(20), PoolOptions{}, clock);
  set_logins(pool, users);
  // Token #N resets N minutes from now, except Token #8, which resets first.
  for (std::size_t t = 0; t < 20; ++t) {
    const TimePoint reset = start + (t == 7 ? seconds(30) : seconds(60 * (t + 1)));
    github.set(users[t], "core", 0, reset);
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
  // Token #8's fresh window is spent, one request at a time (its user's lane; the nine
  // others wait for it without calling it exhaustion), then everyone waits for Token #1
  // at 60 s.
  const PoolEvent second_wait = events.next(PoolEvent::Kind::waiting);
  CHECK(second_wait.token == 0);
  CHECK(second_wait.until == start + seconds(61));
  clock.await_waiters(10);
  CHECK(github.total_served() == 40);
  CHECK(github.served(7) == 40);
  CHECK(github.overspent() == 0);
  CHECK(events.count(PoolEvent::Kind::waiting) == 0);  // reported once again

  clock.set(second_wait.until);
  const PoolEvent third_wait = events.next(PoolEvent::Kind::waiting);
  CHECK(third_wait.token == 1);
  clock.await_waiters(10);
  CHECK(github.served(0) == 40);
  CHECK(github.overspent() == 0);
  crew.stop_and_join();
  CHECK(crew.failure().empty());
  CHECK(crew.lanes().most_per_login() == 1);
}

TEST_CASE("rotation moves each worker on after N requests, within the lanes",
          "[pool][scenario][lane]") {
  ManualClock clock;
  const std::vector<std::string> users = distinct_users(6);
  FakeGitHub github(clock, users, {{"core", core_per_hour(1000)}});
  PoolOptions options;
  options.requests_per_token = 5;
  TokenPool pool(make_tokens(6), options, clock);
  set_logins(pool, users);
  WorkerCrew::Options crew_options;
  crew_options.requests_per_worker = 40;
  WorkerCrew crew(pool, github, 3, crew_options);
  crew.join();  // each worker ends after its 40 requests

  // Three workers, six users: another user's lane is always free to rotate to, so no
  // worker sends more than 5 requests in a row with one token.
  for (std::size_t w = 0; w < 3; ++w) {
    const std::vector<std::size_t>& used = crew.tokens_of(w);
    REQUIRE(used.size() == 40);
    int run = 1;
    int longest = 1;
    for (std::size_t i = 1; i < used.size(); ++i) {
      run = used[i] == used[i - 1] ? run + 1 : 1;
      longest = std::max(longest, run);
    }
    CHECK(longest <= 5);
  }
  CHECK(github.total_served() == 120);
  CHECK(github.overspent() == 0);
  CHECK(crew.lanes().most_per_login() == 1);
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

TEST_CASE("stop() wakes workers blocked on a busy lane", "[pool][scenario][lane]") {
  ManualClock clock;
  FakeGitHub github(clock, {"alice"}, {{"core", core_per_hour(10)}});
  TokenPool pool(make_tokens(1), PoolOptions{}, clock);
  WorkerCrew crew(pool, github, 3, holding());
  crew.await_held(1);
  clock.await_waiters(2);  // the two others wait for the lane, with quota left
  pool.stop();
  crew.await_finished(2);  // both woke and left while the request is still held
  CHECK(pool.snapshot().waiting == 0);
  crew.stop_and_join();
  CHECK(github.total_served() == 1);
}

TEST_CASE("two tokens of one login spend one quota between them", "[pool][scenario]") {
  ManualClock clock;
  const std::vector<std::string> users = {"alice", "alice", "bob", "bob"};
  FakeGitHub github(clock, users, {{"core", core_per_hour(40)}});
  TokenPool pool(make_tokens(4), PoolOptions{}, clock);
  set_logins(pool, users);
  EventQueue events(pool);
  WorkerCrew crew(pool, github, 4, "core");
  events.next(PoolEvent::Kind::waiting);
  crew.stop_and_join();
  CHECK(github.total_served() == 80);  // two users' quotas, not four tokens'
  CHECK(github.overspent() == 0);
  CHECK(pool.snapshot().quota_groups == 2);
  CHECK(crew.lanes().most_per_login() == 1);
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
  // Each token is a lane of its own (logins unknown): a bad token carries one request,
  // its 401 retires it before any other can be sent with it.
  CHECK(github.unauthorized() == 2);
}

TEST_CASE("every token rejected: workers fail at once with a clear error", "[pool][scenario]") {
  ManualClock clock;
  FakeGitHub github(clock, distinct_users(3), {{"core", core_per_hour(30)}});
  for (std::size_t t = 0; t < 3; ++t) github.set_bad(t);
  TokenPool pool(make_tokens(3), PoolOptions{}, clock);
  WorkerCrew crew(pool, github, 3, "core");
  crew.join();  // no stop(): the workers must give up by themselves
  CHECK(crew.failure().find("401") != std::string::npos);
  CHECK(github.unauthorized() == 3);  // one request per bad token, its lane held until the 401
}

TEST_CASE(
    "a secondary limit pauses every token of its user, every resource: nothing is sent for "
    "it until the pause ends",
    "[pool][scenario][lane]") {
  ManualClock clock;
  const TimePoint start = clock.now();
  const std::vector<std::string> users = {"alice", "alice", "bob", "carol"};
  FakeGitHub github(clock, users, {{"core", core_per_hour(20)}, {"search", {5, seconds(60)}}});
  TokenPool pool(make_tokens(4), PoolOptions{}, clock);
  set_logins(pool, users);
  // alice's first request, whichever token and resource, is answered with a secondary
  // limit and retry-after: 120; GitHub refuses (and the fake counts) any request of hers
  // until then.
  github.arm_secondary_limit("alice", 120);
  EventQueue events(pool);
  WorkerCrew::Options options;
  options.resources = {"core", "search"};
  WorkerCrew crew(pool, github, 4, options);

  const PoolEvent paused = events.next(PoolEvent::Kind::paused);
  CHECK(paused.token < 2);
  CHECK(paused.until == start + seconds(120));
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.tokens[0].state == TokenState::paused);
  CHECK(s.tokens[1].state == TokenState::paused);
  CHECK(s.tokens[2].state != TokenState::paused);
  CHECK(s.tokens[3].state != TokenState::paused);
  // The others go on (search refills every minute); time moves a second at a time, only
  // when every worker is blocked, to past the end of the pause.
  while (clock.now() < paused.until + seconds(10)) {
    clock.await_waiters(4);
    clock.advance(seconds(1));
  }
  crew.stop_and_join();

  CHECK(github.sent_while_paused() == 0);
  CHECK(github.served_user("alice") > 0);  // back to work once the pause ended
  CHECK(github.served_user("bob") >= 20 + 5 * 2);
  CHECK(github.overspent() == 0);
  CHECK(crew.lanes().most_per_login() == 1);
}
