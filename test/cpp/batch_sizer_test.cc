// The GraphQL batch size found by the answers: halved on a timeout, remembered, grown
// back gradually, the failing size tried again only rarely.
#include <cstddef>
#include <thread>
#include <vector>

#include "catch.h"
#include "core/batch_sizer.h"

using namespace gh;

namespace {

// One query of `n` repositories to a GitHub that times out above `budget`, as the
// details fetch sends it: a failed query is split in halves, and the sizer hears of the
// timeout once both halves answered (else it was not the size). Counts the timeouts.
bool send(BatchSizer& sizer, std::size_t n, std::size_t budget, int& timeouts) {
  if (n <= budget) {
    sizer.succeeded(n);
    return true;
  }
  ++timeouts;
  const bool lower = send(sizer, n / 2, budget, timeouts);
  const bool upper = send(sizer, n - n / 2, budget, timeouts);
  if (lower && upper) sizer.timed_out(n);
  return lower && upper;
}

// `queries` queries of the size leased for each. Returns the timeouts met.
int run_against_budget(BatchSizer& sizer, std::size_t budget, int queries) {
  int timeouts = 0;
  for (int q = 0; q < queries; ++q) {
    const BatchLease lease = sizer.lease();
    send(sizer, lease.size, budget, timeouts);
    sizer.release(lease);
  }
  return timeouts;
}

}  // namespace

TEST_CASE("a timeout halves the size, and it stays below the failing size", "[batch]") {
  BatchSizer sizer;
  CHECK(sizer.size() == 100);
  sizer.timed_out(100);
  CHECK(sizer.size() == 50);
  sizer.timed_out(50);
  CHECK(sizer.size() == 25);
  // A stale timeout of a larger query (sent before the shrink) shrinks nothing more.
  sizer.timed_out(100);
  CHECK(sizer.size() == 25);
  CHECK(sizer.stats().gate == 50);
  CHECK(sizer.stats().smallest == 25);
  CHECK(sizer.stats().timeouts == 3);
}

TEST_CASE("one repository failing says nothing about the size", "[batch]") {
  BatchSizer sizer;
  sizer.timed_out(1);
  CHECK(sizer.size() == 100);
  CHECK(sizer.stats().timeouts == 0);
}

TEST_CASE("after a run of successes the size grows back towards the maximum", "[batch]") {
  BatchSizer sizer;
  sizer.timed_out(100);
  sizer.timed_out(50);
  REQUIRE(sizer.size() == 25);
  // The timeouts were passing trouble: every size answers from now on.
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 400 && sizer.size() < 100; ++i) {
    const BatchLease lease = sizer.lease();
    sizer.succeeded(lease.size);
    sizes.push_back(sizer.size());
  }
  CHECK(sizer.size() == 100);
  // Gradually: never more than a quarter at once.
  for (std::size_t i = 1; i < sizes.size(); ++i) {
    CHECK(sizes[i] <= sizes[i - 1] + sizes[i - 1] / 4 + 1);
  }
}

TEST_CASE("smaller answers (a short queue, the halves of a split) do not grow the size", "[batch]") {
  BatchSizer sizer;
  sizer.timed_out(100);
  for (int i = 0; i < 100; ++i) sizer.succeeded(10);
  CHECK(sizer.size() == 50);
}

TEST_CASE("under a fixed budget the size is found once, not per batch", "[batch]") {
  for (std::size_t budget : {60u, 40u, 30u, 12u}) {
    CAPTURE(budget);
    BatchSizer sizer;
    const int timeouts = run_against_budget(sizer, budget, 500);
    // 500 queries: a few timeouts to find the size (one per halving, one per step of
    // growth that went too far), then a probe after 16, 32, 64, ... successes, each
    // failing once more: never one per batch.
    // (A budget of a dozen repositories costs more up front: the first query's halves
    // time out again down to that size before the sizer hears of it.)
    CHECK(timeouts <= (budget >= 25 ? 10 : 16));
    CHECK(sizer.size() <= budget);
    CHECK(sizer.size() * 2 > budget);  // not far below what works
  }
}

TEST_CASE("a gate that answers again is forgotten and full batches come back", "[batch]") {
  BatchSizer sizer;
  run_against_budget(sizer, 40, 50);
  REQUIRE(sizer.size() <= 40);
  // GitHub recovers: the next probe succeeds and growth resumes to the maximum.
  run_against_budget(sizer, 100, 200);
  CHECK(sizer.size() == 100);
  CHECK(sizer.stats().gate == 101);
}

TEST_CASE("a larger size is tried by one query at a time", "[batch]") {
  BatchSizer sizer;
  sizer.timed_out(100);
  REQUIRE(sizer.size() == 50);
  for (int i = 0; i < 4; ++i) sizer.succeeded(50);
  const BatchLease trial = sizer.lease();
  CHECK(trial.trial);
  CHECK(trial.size > 50);
  // Meanwhile every other query keeps the size known to work.
  const BatchLease other = sizer.lease();
  CHECK_FALSE(other.trial);
  CHECK(other.size == 50);
  CHECK(sizer.size() == 50);
  // The trial fails: the size stays, the gate comes down to it, no second trial at once.
  sizer.timed_out(trial.size);
  CHECK(sizer.size() == 50);
  CHECK(sizer.stats().gate == trial.size);
  CHECK_FALSE(sizer.lease().trial);
}

TEST_CASE("a trial released unused goes to a later query", "[batch]") {
  BatchSizer sizer;
  sizer.timed_out(100);
  for (int i = 0; i < 4; ++i) sizer.succeeded(50);
  const BatchLease trial = sizer.lease();
  REQUIRE(trial.trial);
  sizer.release(trial);
  const BatchLease again = sizer.lease();
  CHECK(again.trial);
  CHECK(again.size == trial.size);
  sizer.succeeded(again.size);
  CHECK(sizer.size() == trial.size);
}

TEST_CASE("workers may share one sizer", "[batch][engine]") {
  BatchSizer sizer;
  std::vector<std::thread> threads;
  std::vector<int> timeouts(4);
  for (std::size_t t = 0; t < timeouts.size(); ++t) {
    threads.emplace_back([&, t] { timeouts[t] = run_against_budget(sizer, 30, 200); });
  }
  for (std::thread& t : threads) t.join();
  int total = 0;
  for (int n : timeouts) total += n;
  CHECK(total <= 4 * 10);
  CHECK(sizer.stats().gate <= 31);
}
