// Many threads acquiring and reporting at once, with shared logins, two resources,
// server errors, dropped requests and secondary limits thrown in. Whatever the
// interleaving, no request may reach a bucket GitHub already counts as empty, no user
// may have more requests in flight than its lane allows, and (one request per user at a
// time) none may reach GitHub while its user is paused. Time moves only when every
// thread is blocked in the pool. Built and run under TSan by .ci/run.
#include <atomic>
#include <random>
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

TEST_CASE("stress: 16 threads never overspend a bucket nor widen a lane", "[pool][stress][lane]") {
  const int width = GENERATE(1, 3);
  CAPTURE(width);
  constexpr int kThreads = 16;
  constexpr int kTokens = 8;
  constexpr std::int64_t kTarget = 3000;
  ManualClock clock;
  // Eight tokens of five users: alice(0,1) bob(2,3) carol(4) dave(5) erin(6,7).
  const std::vector<std::string> users = {"alice", "alice", "bob",  "bob",
                                          "carol", "dave",  "erin", "erin"};
  FakeGitHub github(clock, users, {{"core", {40, seconds(60)}}, {"search", {10, seconds(60)}}});
  PoolOptions options;
  options.min_remaining = 2;
  options.concurrency_per_user = width;
  TokenPool pool(make_tokens(kTokens), options, clock);
  for (std::size_t t = 0; t < users.size(); ++t) pool.set_login(t, users[t]);

  LaneMeter lanes(github.logins());
  std::atomic<std::int64_t> reports{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::mt19937 random(static_cast<unsigned>(i) * 7919u + 1u);
      std::uniform_int_distribution<int> percent(0, 99);
      const std::size_t worker = static_cast<std::size_t>(i);
      for (;;) {
        const std::string resource = percent(random) < 25 ? "search" : "core";
        Acquisition a = pool.acquire(worker, resource);
        if (a.status != AcquireStatus::ok) return;
        const std::string& login = github.user_of(a.permit.token());
        lanes.enter(login);
        const int roll = percent(random);
        if (roll < 3) {  // dropped before sending: the reservation comes back
          lanes.leave(login);
          continue;
        }
        // One answer in a hundred is a secondary limit that pauses the user for 3 s.
        Feedback f = roll == 9 ? github.trip_secondary_limit(a.permit.token(), resource, 3)
                               : github.serve(a.permit.token(), resource);
        if (roll < 6) {
          f = status_only(Outcome::network_error, 0);  // the answer was lost
        } else if (roll < 9) {
          f.outcome = Outcome::server_error;  // 502 without rate-limit headers
          f.http_status = 502;
          f.headers = RateLimitHeaders{};
        }
        std::this_thread::yield();  // let reports arrive out of order
        lanes.leave(login);
        a.permit.report(f);
        ++reports;
      }
    });
  }

  // Time moves only when every thread is blocked: then the next reset is the only way on.
  while (github.total_served() < kTarget) {
    clock.await_waiters(kThreads);
    clock.advance(seconds(1));
  }
  pool.stop();
  for (std::thread& t : threads) t.join();

  CHECK(github.overspent() == 0);
  CHECK(lanes.most_per_login() <= width);
  CHECK(lanes.most() <= 5 * width);
  if (width == 1) {
    // Serial per user: a pause is known before the user's next request can be granted.
    // With a wider lane, requests already out when the pause is answered can land in it:
    // the risk a user accepts by raising concurrency_per_user.
    CHECK(github.sent_while_paused() == 0);
  }
  const PoolSnapshot s = pool.snapshot();
  CHECK(s.total_requests == static_cast<std::uint64_t>(reports.load()));
  CHECK(s.outcomes[static_cast<std::size_t>(Outcome::primary_limit)] == 0);
  CHECK(s.outcomes[static_cast<std::size_t>(Outcome::secondary_limit)] > 0);
  CHECK(s.quota_groups == 5);
  CHECK(s.waiting == 0);
  for (const TokenSnapshot& t : s.tokens) {
    for (const auto& [resource, bucket] : t.resources) {
      CHECK(bucket.in_flight == 0);
    }
  }
}
