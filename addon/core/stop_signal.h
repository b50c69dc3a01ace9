// The run's stop flag, and the one place a worker sleeps between retries: stop() wakes
// every sleeper at once, and the flag is what the HTTP layer polls to abandon a transfer.
#ifndef GH_INGEST_CORE_STOP_SIGNAL_H_
#define GH_INGEST_CORE_STOP_SIGNAL_H_

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "core/clock.h"

namespace gh {

class StopSignal {
 public:
  void stop() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      stopped_.store(true);
    }
    cv_.notify_all();
  }
  bool stopped() const { return stopped_.load(); }
  const std::atomic<bool>& flag() const { return stopped_; }

  // Sleeps until `deadline` on `clock`. False when the run stopped first.
  bool sleep_until(Clock& clock, TimePoint deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopped_.load() && clock.now() < deadline) clock.wait_until(cv_, lock, deadline);
    return !stopped_.load();
  }

 private:
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_STOP_SIGNAL_H_
