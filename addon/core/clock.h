// The time source of the core. GitHub's rate-limit resets are wall-clock epoch seconds,
// so the core reasons in system_clock time; tests inject a ManualClock and advance it,
// so nothing in a test ever sleeps waiting for a reset.
#ifndef GH_INGEST_CORE_CLOCK_H_
#define GH_INGEST_CORE_CLOCK_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace gh {

using WallClock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<WallClock, std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

// Epoch seconds (as in x-ratelimit-reset) to a TimePoint, and back.
TimePoint from_epoch_seconds(std::int64_t seconds);
std::int64_t to_epoch_seconds(TimePoint t);
// "2026-11-23T14:30:00Z", for messages.
std::string format_utc(TimePoint t);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;

  // Waits on `cv` (whose mutex `lock` holds) until notified or until now() >= deadline.
  // Like condition_variable::wait_until, it may return early: callers re-check.
  virtual void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          TimePoint deadline) = 0;
};

// The real clock.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override;
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  TimePoint deadline) override;
};

// A clock that moves only when told to. advance() wakes every thread waiting in
// wait_until, so a blocked waiter re-checks against the new time at once.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = from_epoch_seconds(1'700'000'000));
  TimePoint now() const override;
  void wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                  TimePoint deadline) override;

  void advance(Millis by);
  void set(TimePoint to);
  // How many threads are blocked in wait_until and not yet woken by a change of time
  // (lets tests wait for workers to reach a wait without sleeping).
  int waiters() const;
  // Blocks the calling (test) thread until at least `count` threads wait in wait_until.
  void await_waiters(int count) const;

 private:
  struct Waiter {
    std::uint64_t id;
    std::condition_variable* cv;
    std::mutex* mutex;
  };
  void wake_all();

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;  // signals waiter-count changes to tests
  TimePoint now_;
  std::vector<Waiter> waiters_;
  std::uint64_t last_waiter_id_ = 0;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_CLOCK_H_
