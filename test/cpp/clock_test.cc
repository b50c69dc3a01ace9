#include <atomic>
#include <thread>

#include "catch.h"
#include "core/clock.h"

using namespace gh;

TEST_CASE("epoch seconds convert both ways and format as UTC", "[clock]") {
  const TimePoint t = from_epoch_seconds(1'700'000'000);
  CHECK(to_epoch_seconds(t) == 1'700'000'000);
  CHECK(format_utc(t) == "2023-11-14T22:13:20Z");
  CHECK(format_utc(from_epoch_seconds(0)) == "1970-01-01T00:00:00Z");
  CHECK(format_utc(from_epoch_seconds(951'782'400)) == "2000-02-29T00:00:00Z");
}

TEST_CASE("ManualClock moves only when told to", "[clock]") {
  ManualClock clock(from_epoch_seconds(100));
  CHECK(to_epoch_seconds(clock.now()) == 100);
  clock.advance(std::chrono::seconds(5));
  CHECK(to_epoch_seconds(clock.now()) == 105);
  clock.set(from_epoch_seconds(50));
  CHECK(to_epoch_seconds(clock.now()) == 50);
}

TEST_CASE("ManualClock wakes a waiter when time passes its deadline", "[clock]") {
  ManualClock clock(from_epoch_seconds(100));
  std::mutex mutex;
  std::condition_variable cv;
  std::atomic<bool> woke{false};
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (clock.now() < from_epoch_seconds(160)) {
      clock.wait_until(cv, lock, from_epoch_seconds(160));
    }
    woke = true;
  });
  clock.await_waiters(1);
  CHECK_FALSE(woke.load());
  clock.advance(std::chrono::seconds(60));
  waiter.join();
  CHECK(woke.load());
  CHECK(clock.waiters() == 0);
}

TEST_CASE("ManualClock returns at once for a deadline already past", "[clock]") {
  ManualClock clock(from_epoch_seconds(100));
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mutex);
  clock.wait_until(cv, lock, from_epoch_seconds(99));
  CHECK(clock.waiters() == 0);
}
