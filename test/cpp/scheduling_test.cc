// Fair service between groups, and the registry that fetches and counts a repository
// once however often it is found.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "core/fair_queue.h"
#include "core/repository_registry.h"

using namespace gh;

TEST_CASE("groups are served round-robin", "[schedule]") {
  FairQueue<std::string> queue(3);
  for (int i = 0; i < 4; ++i) queue.push(0, "a" + std::to_string(i));
  queue.push(1, "b0");
  for (int i = 0; i < 2; ++i) queue.push(2, "c" + std::to_string(i));
  std::vector<std::string> order;
  while (auto next = queue.pop()) order.push_back(next->second);
  CHECK(order == std::vector<std::string>{"a0", "b0", "c0", "a1", "c1", "a2", "a3"});
  CHECK(queue.empty());
}

TEST_CASE("a stopped run leaves the groups equally advanced", "[schedule]") {
  FairQueue<int> queue(4);
  for (std::size_t g = 0; g < 4; ++g) {
    for (int i = 0; i < 100; ++i) queue.push(g, i);
  }
  std::vector<int> served(4, 0);
  for (int i = 0; i < 37; ++i) ++served[queue.pop()->first];
  for (int count : served) {
    CHECK(count >= 9);
    CHECK(count <= 10);
  }
}

TEST_CASE("push_front puts an item ahead of its group's queue only", "[schedule]") {
  FairQueue<int> queue(2);
  queue.push(0, 1);
  queue.push(1, 10);
  queue.push_front(0, 0);
  CHECK(queue.pop()->second == 0);
  CHECK(queue.pop()->second == 10);
  CHECK(queue.pop()->second == 1);
}

TEST_CASE("a cancelled group drops its work and takes no more", "[schedule]") {
  FairQueue<int> queue(2);
  queue.push(0, 1);
  queue.push(0, 2);
  queue.push(1, 3);
  queue.cancel(0);
  CHECK(queue.size() == 1);
  CHECK_FALSE(queue.push(0, 4));
  CHECK(queue.cancelled(0));
  CHECK(queue.pop()->second == 3);
  CHECK_FALSE(queue.pop().has_value());
}

TEST_CASE("a paused group keeps its work and is skipped until resumed", "[schedule]") {
  FairQueue<int> queue(2);
  queue.push(0, 1);
  queue.push(0, 2);
  queue.push(1, 3);
  queue.pause(0);
  CHECK(queue.paused(0));
  CHECK(queue.pop()->second == 3);
  CHECK_FALSE(queue.pop().has_value());
  CHECK(queue.size() == 2);
  CHECK(queue.push_front(0, 0));  // a paused group still takes work
  queue.resume(0);
  CHECK(queue.pop()->second == 0);
  CHECK(queue.pop()->second == 1);
  CHECK(queue.pop()->second == 2);
}

TEST_CASE("a repository is claimed once, for the first group that finds it", "[schedule]") {
  RepositoryRegistry registry({10, 10});
  CHECK(registry.claim(1, 0).verdict == RepositoryRegistry::Verdict::claimed);
  const auto again = registry.claim(1, 1);
  CHECK(again.verdict == RepositoryRegistry::Verdict::duplicate);
  CHECK(again.owner == 0);
  CHECK(registry.claim(1, 0).verdict == RepositoryRegistry::Verdict::duplicate);
  CHECK(registry.finders(1) == std::vector<std::size_t>{0, 1});
  CHECK(registry.claimed(0) == 1);
  CHECK(registry.claimed(1) == 0);
}

TEST_CASE("known repositories need no details and count for no group", "[schedule]") {
  RepositoryRegistry registry({1});
  registry.add_known({5, 6});
  CHECK(registry.claim(5, 0).verdict == RepositoryRegistry::Verdict::known);
  CHECK(registry.claimed(0) == 0);
  CHECK(registry.finders(5) == std::vector<std::size_t>{0});
  CHECK(registry.claim(7, 0).verdict == RepositoryRegistry::Verdict::claimed);
}

TEST_CASE("a full group claims nothing more, a group with room may", "[schedule]") {
  RepositoryRegistry registry({1, 5});
  CHECK(registry.claim(1, 0).verdict == RepositoryRegistry::Verdict::claimed);
  CHECK(registry.full(0));
  CHECK(registry.claim(2, 0).verdict == RepositoryRegistry::Verdict::over_limit);
  const auto taken = registry.claim(2, 1);
  CHECK(taken.verdict == RepositoryRegistry::Verdict::claimed);
  CHECK(taken.owner == 1);
  CHECK(registry.finders(2) == std::vector<std::size_t>{1, 0});  // the owner first
}

TEST_CASE("groups that find a repository after its delivery are reported late", "[schedule]") {
  RepositoryRegistry registry({5, 5, 5});
  registry.add_known({9});
  CHECK(registry.claim(1, 0).verdict == RepositoryRegistry::Verdict::claimed);
  CHECK(registry.claim(1, 1).verdict == RepositoryRegistry::Verdict::duplicate);
  CHECK(registry.claim(2, 1).verdict == RepositoryRegistry::Verdict::claimed);
  CHECK(registry.deliver(1) == std::vector<std::size_t>{0, 1});
  CHECK(registry.deliver(2) == std::vector<std::size_t>{1});
  CHECK(registry.late_finders().empty());  // the delivered rows list every finder
  CHECK(registry.claim(1, 2).verdict == RepositoryRegistry::Verdict::duplicate);
  CHECK(registry.claim(9, 2).verdict == RepositoryRegistry::Verdict::known);
  CHECK(registry.claim(3, 2).verdict == RepositoryRegistry::Verdict::claimed);  // not delivered
  using Late = std::vector<std::pair<std::int64_t, std::vector<std::size_t>>>;
  CHECK(registry.late_finders() == Late{{1, {0, 1, 2}}, {9, {2}}});
}

TEST_CASE("a released claim frees its place for other repositories", "[schedule]") {
  RepositoryRegistry registry({1});
  CHECK(registry.claim(1, 0).verdict == RepositoryRegistry::Verdict::claimed);
  registry.release(1);
  CHECK(registry.claimed(0) == 0);
  CHECK(registry.claim(2, 0).verdict == RepositoryRegistry::Verdict::claimed);
  registry.release(2);
  // Met again by the search that goes on: it failed once in this run, not again.
  CHECK(registry.claim(1, 0).verdict == RepositoryRegistry::Verdict::released);
  CHECK(registry.claim(2, 0).verdict == RepositoryRegistry::Verdict::released);
  CHECK(registry.claimed(0) == 0);
}

TEST_CASE("concurrent claims never exceed a limit or double-claim", "[schedule]") {
  RepositoryRegistry registry({300, 300});
  std::atomic<int> claimed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (std::int64_t id = 0; id < 1000; ++id) {
        const auto c = registry.claim(id, static_cast<std::size_t>(t % 2));
        if (c.verdict == RepositoryRegistry::Verdict::claimed) ++claimed;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(claimed.load() == 600);
  CHECK(registry.claimed(0) == 300);
  CHECK(registry.claimed(1) == 300);
}
