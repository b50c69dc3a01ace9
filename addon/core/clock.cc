#include "core/clock.h"

#include <algorithm>

#include "core/date_range.h"

namespace gh {

TimePoint from_epoch_seconds(std::int64_t seconds) {
  return TimePoint(std::chrono::seconds(seconds));
}

std::int64_t to_epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string format_utc(TimePoint t) { return format_instant(to_instant(t)); }

TimePoint SystemClock::now() const {
  return std::chrono::time_point_cast<Millis>(WallClock::now());
}

void SystemClock::wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                             TimePoint deadline) {
  if (deadline == TimePoint::max()) {
    cv.wait(lock);
    return;
  }
  // wait_for measures on the steady clock, so a wall-clock jump cannot stretch the wait;
  // the caller re-checks against now() anyway.
  const auto left = deadline - now();
  if (left > Millis::zero()) cv.wait_for(lock, left);
}

ManualClock::ManualClock(TimePoint start) : now_(start) {}

TimePoint ManualClock::now() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return now_;
}

void ManualClock::wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                             TimePoint deadline) {
  std::uint64_t id = 0;
  {
    // Checked and registered under our mutex while the caller still holds its own, so an
    // advance() either happens before the check or finds this waiter registered.
    std::lock_guard<std::mutex> guard(mutex_);
    if (now_ >= deadline) return;
    id = ++last_waiter_id_;
    waiters_.push_back({id, &cv, lock.mutex()});
    changed_.notify_all();
  }
  cv.wait(lock);
  std::lock_guard<std::mutex> guard(mutex_);
  // By id: other threads may wait on the same cv and mutex.
  auto it =
      std::find_if(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.id == id; });
  if (it != waiters_.end()) waiters_.erase(it);
  changed_.notify_all();
}

void ManualClock::advance(Millis by) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    now_ += by;
  }
  wake_all();
}

void ManualClock::set(TimePoint to) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    now_ = to;
  }
  wake_all();
}

int ManualClock::waiters() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return static_cast<int>(waiters_.size());
}

void ManualClock::await_waiters(int count) const {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return static_cast<int>(waiters_.size()) >= count; });
}

void ManualClock::wake_all() {
  std::vector<Waiter> waiting;
  {
    // Woken waiters leave the list: waiters() counts only threads still blocked at the
    // new time (they register again if they go back to waiting).
    std::lock_guard<std::mutex> guard(mutex_);
    waiting.swap(waiters_);
    changed_.notify_all();
  }
  for (const Waiter& w : waiting) {
    // Taking the waiter's mutex guarantees it is inside cv.wait (it registered while
    // holding that mutex), so the notification below cannot be lost.
    { std::lock_guard<std::mutex> hold(*w.mutex); }
    w.cv->notify_all();
  }
}

}  // namespace gh
