// Shared mode (--coordinate): each GitHub user is leased to one host at a time, and its
// state (buckets, pause, per-minute grants) goes with the lease to the next host.
#include <array>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
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

PoolOptions shared_options() {
  PoolOptions options;
  options.shared = true;
  return options;
}

UserShare lease(std::string login) {
  UserShare share;
  share.login = std::move(login);
  return share;
}

// A user's status, if the pool knows the login (safe to call from any thread).
std::optional<UserStatus> status_of(const TokenPool& pool, const std::string& login) {
  for (UserStatus& u : pool.users()) {
    if (u.share.login == login) return std::move(u);
  }
  return std::nullopt;
}

UserStatus user(const TokenPool& pool, const std::string& login) {
  std::optional<UserStatus> u = status_of(pool, login);
  REQUIRE(u);
  return *u;
}

std::optional<UserShare::Bucket> bucket_of(const UserShare& share, const std::string& resource) {
  for (const UserShare::Bucket& b : share.buckets) {
    if (b.resource == resource) return b;
  }
  return std::nullopt;
}

std::int64_t epoch_ms(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

}  // namespace

TEST_CASE("without shared mode, users() reports and leases change nothing", "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(2), PoolOptions{}, clock);
  pool.set_login(0, "alice");
  pool.set_login(1, "bob");
  const std::vector<UserStatus> users = pool.users();
  REQUIRE(users.size() == 2);
  CHECK(users[0].share.login == "alice");
  CHECK(users[1].share.login == "bob");
  CHECK_FALSE(users[0].held);

  Acquisition a = pool.try_acquire(0, "core");  // never held, served all the same
  REQUIRE(a.status == AcquireStatus::ok);
  CHECK(user(pool, "alice").in_flight == 1);
  a.permit.report(ok("core", 5000, 4000, epoch(clock.now()) + 3600));
  const UserStatus alice = user(pool, "alice");
  CHECK(alice.in_flight == 0);
  CHECK(alice.requests == 1);
  REQUIRE(bucket_of(alice.share, "core"));
  CHECK(bucket_of(alice.share, "core")->remaining == 4000);
  CHECK(alice.share.rest_minute_ms.size() == 1);

  pool.release_user("alice");  // no lease to lose
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::ok);
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.held_users == 0);
  CHECK(s.resources.at("core").available == 2);
  CHECK(s.resources.at("core").unheld == 0);
}

TEST_CASE("shared: a user not held gets no permit, and hold_user wakes a waiting acquire",
          "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(2), shared_options(), clock);
  EventQueue events(pool);
  // Before its login is known a token serves: the token check at start.
  CHECK(pool.try_acquire_token(0, "core").status == AcquireStatus::ok);
  CHECK(pool.try_acquire(1, "core").status == AcquireStatus::ok);
  pool.set_login(0, "alice");
  pool.set_login(1, "bob");

  REQUIRE(pool.try_acquire(0, "core").status == AcquireStatus::would_block);
  REQUIRE(pool.try_acquire_token(1, "core").status == AcquireStatus::would_block);
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.resources.at("core").unheld == 2);  // neither available nor exhausted
  CHECK(s.resources.at("core").available == 0);
  CHECK(s.resources.at("core").exhausted == 0);
  CHECK(s.held_users == 0);

  // Nothing held, nothing in flight: a wait, not a dead end, and without a deadline.
  Acquisition got;
  std::thread worker([&] { got = pool.acquire(0, "core"); });
  clock.await_waiters(1);
  CHECK(pool.snapshot().waiting == 1);
  pool.hold_user(lease("bob"));
  worker.join();
  REQUIRE(got.status == AcquireStatus::ok);
  CHECK(got.permit.token() == 1);
  CHECK(got.permit.borrowed());
  CHECK(pool.snapshot().held_users == 1);
  CHECK(events.size() == 0);  // no "waiting", no "exhausted"
}

TEST_CASE("shared: users not held are no exhaustion, and a held user's reset is the deadline",
          "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(2), shared_options(), clock);
  EventQueue events(pool);
  pool.set_login(0, "alice");
  pool.set_login(1, "bob");
  const std::int64_t reset = epoch(clock.now()) + 300;
  UserShare spent = lease("alice");
  spent.buckets.push_back({"core", 5000, 0, reset, false});
  pool.hold_user(spent);
  REQUIRE(pool.try_acquire(1, "core").status == AcquireStatus::would_block);

  Acquisition got;
  std::thread worker([&] { got = pool.acquire(1, "core"); });
  clock.await_waiters(1);
  // bob may be handed to this host: "all tokens exhausted" would not be true.
  CHECK(events.size() == 0);
  clock.set(from_epoch_seconds(reset + 1));  // alice's reset plus the margin
  worker.join();
  REQUIRE(got.status == AcquireStatus::ok);
  CHECK(got.permit.token() == 0);
  CHECK(events.size() == 0);

  // Nobody held, nothing in flight: acquire waits until stop(), never fails.
  got.permit.report(ok("core", 5000, 4999, reset + 3600));
  pool.release_user("alice");
  REQUIRE(pool.try_acquire(0, "core").status == AcquireStatus::would_block);
  Acquisition stopped;
  std::thread waiter([&] { stopped = pool.acquire(0, "core"); });
  clock.await_waiters(1);
  pool.stop();
  waiter.join();
  CHECK(stopped.status == AcquireStatus::stopped);
  CHECK(events.size() == 0);
}

TEST_CASE("shared: release_user lets permits in flight finish and grants no new one",
          "[pool][share]") {
  ManualClock clock;
  PoolOptions options = shared_options();
  options.concurrency_per_user = 2;  // room in the lane: only the lease holds back
  TokenPool pool(make_tokens(1), options, clock);
  pool.set_login(0, "alice");
  pool.hold_user(lease("alice"));
  const std::int64_t reset = epoch(clock.now()) + 3600;
  pool.observe(0, ok("core", 5000, 4500, reset).headers, "core");

  Acquisition a = pool.try_acquire(0, "core");
  REQUIRE(a.status == AcquireStatus::ok);
  pool.release_user("alice");
  CHECK(pool.try_acquire(1, "core").status == AcquireStatus::would_block);
  UserStatus alice = user(pool, "alice");
  CHECK_FALSE(alice.held);
  CHECK(alice.in_flight == 1);

  a.permit.report(ok("core", 5000, 4321, reset));
  alice = user(pool, "alice");
  CHECK(alice.in_flight == 0);
  CHECK(alice.requests == 1);
  REQUIRE(bucket_of(alice.share, "core"));
  CHECK(bucket_of(alice.share, "core")->remaining == 4321);  // its headers still count
  CHECK(pool.try_acquire(1, "core").status == AcquireStatus::would_block);
  CHECK(pool.snapshot().held_users == 0);
}

namespace {

// Two hosts with the same token (one user, "alice") and one GitHub.
struct TwoHosts {
  explicit TwoHosts(PoolOptions options = shared_options())
      : github(clock, {"alice"}), a(make_tokens(1), options, clock), b(make_tokens(1), options, clock) {
    a.set_login(0, "alice");
    b.set_login(0, "alice");
    a.hold_user(lease("alice"));
  }
  // Sends one request on `pool` if it grants one now; its outcome, or nullopt.
  std::optional<Outcome> send(TokenPool& pool) {
    Acquisition got = pool.try_acquire(0, "core");
    if (got.status != AcquireStatus::ok) return std::nullopt;
    const Feedback f = github.serve(got.permit.token(), "core");
    got.permit.report(f);
    return f.outcome;
  }
  // A hands alice over to B.
  UserShare hand_over() {
    a.release_user("alice");
    const UserStatus alice = user(a, "alice");
    CHECK(alice.in_flight == 0);
    b.hold_user(alice.share);
    CHECK(user(b, "alice").held);
    return alice.share;
  }

  ManualClock clock;
  FakeGitHub github;
  TokenPool a;
  TokenPool b;
};

}  // namespace

TEST_CASE("shared: the next host does not send on a bucket the last one spent",
          "[pool][share]") {
  TwoHosts hosts;
  const TimePoint reset = hosts.clock.now() + seconds(600);
  hosts.github.set("alice", "core", 2, reset);
  CHECK(hosts.send(hosts.a) == Outcome::success);
  CHECK(hosts.send(hosts.a) == Outcome::success);
  CHECK_FALSE(hosts.send(hosts.a));  // A knows the bucket is spent

  const UserShare share = hosts.hand_over();
  REQUIRE(bucket_of(share, "core"));
  CHECK(bucket_of(share, "core")->remaining == 0);
  CHECK(bucket_of(share, "core")->reset == epoch(reset));
  CHECK_FALSE(hosts.send(hosts.b));
  CHECK_FALSE(hosts.send(hosts.a));  // A no longer holds alice
  hosts.clock.set(reset + seconds(1));
  CHECK(hosts.send(hosts.b) == Outcome::success);
  CHECK(hosts.github.overspent() == 0);
}

TEST_CASE("shared: the next host respects the pause the last one met", "[pool][share]") {
  TwoHosts hosts;
  const TimePoint start = hosts.clock.now();
  hosts.github.arm_secondary_limit("alice", 120);
  CHECK(hosts.send(hosts.a) == Outcome::secondary_limit);

  const UserShare share = hosts.hand_over();
  CHECK(share.paused_until_ms == epoch_ms(start + seconds(120)));
  CHECK(share.strikes == 1);
  CHECK_FALSE(hosts.send(hosts.b));
  hosts.clock.advance(seconds(119));
  CHECK_FALSE(hosts.send(hosts.b));
  hosts.clock.advance(seconds(1));
  CHECK(hosts.send(hosts.b) == Outcome::success);
  CHECK(hosts.github.sent_while_paused() == 0);
  CHECK(user(hosts.b, "alice").share.strikes == 0);  // a success clears them, as before
}

TEST_CASE("shared: the per-minute cap goes on across the hand-over", "[pool][share]") {
  PoolOptions options = shared_options();
  options.rest_points_per_minute = 3;
  TwoHosts hosts(options);
  CHECK(hosts.send(hosts.a) == Outcome::success);
  CHECK(hosts.send(hosts.a) == Outcome::success);
  hosts.clock.advance(seconds(10));

  const UserShare share = hosts.hand_over();
  CHECK(share.rest_minute_ms.size() == 2);
  CHECK(hosts.send(hosts.b) == Outcome::success);
  CHECK_FALSE(hosts.send(hosts.b));  // three in the last minute, two of them on A
  hosts.clock.advance(seconds(50));  // A's two are a minute old
  CHECK(hosts.send(hosts.b) == Outcome::success);
  CHECK(hosts.send(hosts.b) == Outcome::success);
  CHECK_FALSE(hosts.send(hosts.b));
  CHECK(hosts.github.total_served() == 5);
}

TEST_CASE("shared: hold_user merges a share as headers are merged", "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(1), shared_options(), clock);
  pool.set_login(0, "alice");
  const std::int64_t reset = epoch(clock.now()) + 3600;
  pool.observe(0, ok("core", 5000, 100, reset).headers, "core");
  auto hold_core = [&](std::int64_t remaining, std::int64_t at) {
    UserShare share = lease("alice");
    share.buckets.push_back({"core", 5000, remaining, at, false});
    pool.hold_user(share);
  };
  auto core = [&] { return bucket_of(user(pool, "alice").share, "core").value(); };

  hold_core(50, reset);  // the same window: the lower remaining
  CHECK(core().remaining == 50);
  hold_core(80, reset);
  CHECK(core().remaining == 50);
  hold_core(4999, reset - 3600);  // an older window: ignored
  CHECK(core().remaining == 50);
  CHECK(core().reset == reset);
  hold_core(4000, reset + 3600);  // a newer window replaces, even higher
  CHECK(core().remaining == 4000);
  CHECK(core().reset == reset + 3600);

  // A bucket the pool did not know is taken as it is.
  UserShare graphql = lease("alice");
  graphql.buckets.push_back({"graphql", 5000, 10, reset, false});
  pool.hold_user(graphql);
  REQUIRE(bucket_of(user(pool, "alice").share, "graphql"));
  CHECK(bucket_of(user(pool, "alice").share, "graphql")->remaining == 10);
  CHECK(pool.try_acquire(0, "graphql", 11).status == AcquireStatus::would_block);

  // The later pause, the more strikes, the narrower lane (0: not narrowed).
  const std::int64_t now_ms = epoch_ms(clock.now());
  UserShare first = lease("alice");
  first.paused_until_ms = now_ms + 30'000;
  first.strikes = 2;
  first.narrowed_width = 4;
  pool.hold_user(first);
  UserShare second = lease("alice");
  second.paused_until_ms = now_ms + 10'000;
  second.strikes = 1;
  second.narrowed_width = 0;
  pool.hold_user(second);
  UserShare alice = user(pool, "alice").share;
  CHECK(alice.paused_until_ms == now_ms + 30'000);
  CHECK(alice.strikes == 2);
  CHECK(alice.narrowed_width == 4);
  second.narrowed_width = 2;
  pool.hold_user(second);
  CHECK(user(pool, "alice").share.narrowed_width == 2);
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::would_block);  // paused
  clock.advance(seconds(30));
  CHECK(user(pool, "alice").share.paused_until_ms == 0);

  // The last minute's grants: both hosts' (older ones dropped); a share that comes back
  // to the host it left adds none twice.
  pool.try_acquire(0, "core").permit.report(ok("core", 5000, 3999, reset + 3600));
  UserShare minute = lease("alice");
  minute.rest_minute_ms = {epoch_ms(clock.now()) - 30'000, epoch_ms(clock.now()) - 90'000};
  minute.graphql_minute_ms = {epoch_ms(clock.now()) - 1'000};
  pool.hold_user(minute);
  alice = user(pool, "alice").share;
  CHECK(alice.rest_minute_ms.size() == 2);
  CHECK(alice.graphql_minute_ms.size() == 1);
  pool.hold_user(alice);
  CHECK(user(pool, "alice").share.rest_minute_ms.size() == 2);
  CHECK(user(pool, "alice").share.graphql_minute_ms.size() == 1);
}

TEST_CASE("shared: a share back on its own host does not count lost answers twice",
          "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(1), shared_options(), clock);
  pool.set_login(0, "alice");
  pool.hold_user(lease("alice"));
  const std::int64_t reset = epoch(clock.now()) + 3600;
  pool.observe(0, ok("core", 5000, 4000, reset).headers, "core");
  pool.try_acquire(0, "core").permit.report(status_only(Outcome::server_error, 502));
  CHECK(bucket_of(user(pool, "alice").share, "core")->remaining == 3999);
  for (int i = 0; i < 3; ++i) {
    pool.release_user("alice");
    pool.hold_user(user(pool, "alice").share);
  }
  CHECK(bucket_of(user(pool, "alice").share, "core")->remaining == 3999);
  CHECK(pool.snapshot().tokens[0].resources.at("core").remaining == 3999);
  // Another host's lower count of the window came after our lost answer: it has it.
  UserShare later = lease("alice");
  later.buckets.push_back({"core", 5000, 3000, reset, false});
  pool.hold_user(later);
  CHECK(bucket_of(user(pool, "alice").share, "core")->remaining == 3000);
}

TEST_CASE("shared: an estimated window travels, and GitHub's next header replaces it",
          "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(1), shared_options(), clock);
  pool.set_login(0, "alice");
  // The last host met a primary limit without a reset: spent for a minute, by its count.
  const std::int64_t until = epoch(clock.now()) + 60;
  UserShare spent = lease("alice");
  spent.buckets.push_back({"core", 5000, 0, until, true});
  pool.hold_user(spent);
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::would_block);
  clock.set(from_epoch_seconds(until + 1));
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::ok);

  // The last host counted a window of its own after GitHub's ended (answers without
  // headers). GitHub's real window ends sooner: its first header is taken all the same.
  const std::int64_t estimate = epoch(clock.now()) + 3600;
  UserShare counted = lease("alice");
  counted.buckets.push_back({"graphql", 5000, 4990, estimate, true});
  pool.hold_user(counted);
  Acquisition a = pool.try_acquire(0, "graphql");
  REQUIRE(a.status == AcquireStatus::ok);
  a.permit.report(ok("graphql", 5000, 4200, estimate - 1800));
  const UserShare::Bucket graphql = bucket_of(user(pool, "alice").share, "graphql").value();
  CHECK(graphql.remaining == 4200);
  CHECK(graphql.reset == estimate - 1800);
  CHECK_FALSE(graphql.estimated);
}

TEST_CASE("shared: hold_user before set_login applies when the login is known",
          "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(3), shared_options(), clock);
  const std::int64_t reset = epoch(clock.now()) + 3600;
  UserShare bob = lease("bob");
  bob.buckets.push_back({"core", 5000, 0, reset, false});
  bob.strikes = 1;
  pool.hold_user(bob);
  pool.hold_user(lease("carol"));
  pool.release_user("carol");  // a lease given back before its login was known
  CHECK(pool.users().empty());
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::ok);  // login unknown: serves

  pool.set_login(0, "bob");
  UserStatus status = user(pool, "bob");
  CHECK(status.held);
  CHECK(status.share.strikes == 1);
  REQUIRE(bucket_of(status.share, "core"));
  CHECK(bucket_of(status.share, "core")->remaining == 0);
  CHECK(pool.try_acquire_token(0, "core").status == AcquireStatus::would_block);  // spent
  CHECK(pool.try_acquire_token(0, "search").status == AcquireStatus::ok);  // held: serves

  pool.set_login(1, "bob");  // joins the held lane
  CHECK(pool.users().size() == 1);
  CHECK(pool.try_acquire_token(1, "core").status == AcquireStatus::would_block);
  CHECK(pool.try_acquire_token(1, "search").status == AcquireStatus::ok);

  pool.set_login(2, "carol");
  CHECK_FALSE(user(pool, "carol").held);
  CHECK(pool.try_acquire_token(2, "core").status == AcquireStatus::would_block);
  pool.hold_user(lease("carol"));
  CHECK(pool.try_acquire_token(2, "core").status == AcquireStatus::ok);
  CHECK(pool.snapshot().held_users == 2);
}

TEST_CASE("shared: no permit is granted for a user while this host does not hold it",
          "[pool][share]") {
  constexpr int kUsers = 3;
  constexpr int kWorkers = 4;
  constexpr int kRequests = 300;
  ManualClock clock;
  PoolOptions options = shared_options();
  options.rest_points_per_minute = 0;  // only the leases hold requests back
  TokenPool pool(make_tokens(kUsers), options, clock);
  const std::vector<std::string> logins = distinct_users(kUsers);
  for (std::size_t i = 0; i < logins.size(); ++i) {
    pool.set_login(i, logins[i]);
    pool.hold_user(lease(logins[i]));
  }
  const std::int64_t reset = epoch(clock.now()) + 3600;
  // quiet[u]: user u is released and its last permit has ended. A permit seen on u while
  // it is set was granted without a lease.
  std::array<std::atomic<bool>, kUsers> quiet{};
  std::atomic<int> violations{0};
  std::atomic<int> failures{0};
  std::atomic<int> granted{0};
  std::atomic<bool> done{false};

  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int n = 0; n < kRequests; ++n) {
        Acquisition a = pool.acquire(static_cast<std::size_t>(w), "core");
        if (a.status != AcquireStatus::ok) {
          ++failures;
          return;
        }
        const std::size_t u = a.permit.token();
        if (quiet[u].load()) ++violations;
        // The pool itself counts this request in flight on that user.
        const std::optional<UserStatus> status = status_of(pool, logins[u]);
        if (!status || status->in_flight < 1) ++violations;
        ++granted;
        a.permit.report(ok("core", 5000, 4000, reset));
      }
    });
  }
  std::thread toggler([&] {
    while (!done.load()) {
      for (std::size_t u = 0; u < logins.size(); ++u) {
        pool.release_user(logins[u]);
        // Permits granted before the release end on their own (they report at once).
        while (status_of(pool, logins[u])->in_flight > 0) std::this_thread::yield();
        quiet[u] = true;
        for (int i = 0; i < 20; ++i) std::this_thread::yield();
        quiet[u] = false;
        // Handed back to this host, with its own share: exercises the merge under load.
        pool.hold_user(status_of(pool, logins[u])->share);
      }
    }
  });
  for (std::thread& t : workers) t.join();
  done = true;
  toggler.join();
  CHECK(violations.load() == 0);
  CHECK(failures.load() == 0);
  CHECK(granted.load() == kWorkers * kRequests);
  CHECK(pool.snapshot().held_users == kUsers);
}

TEST_CASE("shared: leases lapse at the renewal deadline until renewed again", "[pool][share]") {
  ManualClock clock;
  TokenPool pool(make_tokens(1), shared_options(), clock);
  pool.set_login(0, "alice");
  pool.hold_user(lease("alice"));
  // Before any renewal there is no deadline (a run without a coordinator's heartbeat).
  clock.advance(Millis(3'600'000));
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::ok);

  pool.renew_leases(clock.now() + Millis(1500));
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::ok);
  clock.advance(Millis(1500));
  // The heartbeat stalled: the database may give alice to another host from now on.
  Acquisition lapsed = pool.try_acquire(0, "core");
  CHECK(lapsed.status == AcquireStatus::would_block);
  CHECK(user(pool, "alice").held);  // still this host's in the database's eyes, not served
  CHECK(pool.snapshot().resources["core"].exhausted == 0);  // not a quota wait

  pool.renew_leases(clock.now() + Millis(1500));
  CHECK(pool.try_acquire(0, "core").status == AcquireStatus::ok);
}
