#include "core/batch_sizer.h"

#include <algorithm>

namespace gh {
namespace {

constexpr int kMaxProbeAfter = 1 << 20;

}  // namespace

BatchSizer::BatchSizer(BatchSizerOptions options)
    : options_(options),
      size_(std::max<std::size_t>(options.max, 1)),
      gate_(size_ + 1),
      probe_after_(std::max(options.probe_after, 1)) {
  options_.max = size_;
  stats_.smallest = size_;
}

std::size_t BatchSizer::size() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return size_;
}

BatchLease BatchSizer::lease() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (trial_ > size_ && !trial_out_) {
    trial_out_ = true;
    return {trial_, true};
  }
  return {size_, false};
}

void BatchSizer::release(const BatchLease& lease) {
  if (!lease.trial) return;
  std::lock_guard<std::mutex> guard(mutex_);
  if (lease.size == trial_) trial_out_ = false;
}

void BatchSizer::timed_out(std::size_t count) {
  // One repository failing says nothing about the size: it is that repository.
  if (count <= 1) return;
  std::lock_guard<std::mutex> guard(mutex_);
  ++stats_.timeouts;
  if (trial_out_ && count == trial_) {
    // The trial failed: the size known to work stays, the gate comes down to the trial.
    if (probing_) {
      // The gate, tried again, still fails: wait twice as long before the next try.
      probe_after_ = std::min(probe_after_ * 2, kMaxProbeAfter);
    }
    probing_ = false;
    trial_ = 0;
    trial_out_ = false;
    gate_ = std::min(gate_, count);
    streak_ = 0;
    return;
  }
  // The size known to work failed (GitHub got slower, or these repositories are heavier).
  gate_ = std::min(gate_, count);
  if (good_ >= gate_) good_ = 0;
  if (trial_ >= gate_ && !trial_out_) trial_ = 0;
  // Back to the largest size known to work, or half the one that failed.
  const std::size_t target = std::max<std::size_t>({count / 2, good_, 1});
  if (target < size_) {
    size_ = target;
    ++stats_.shrinks;
    stats_.smallest = std::min(stats_.smallest, size_);
  }
  streak_ = 0;
}

void BatchSizer::succeeded(std::size_t count) {
  if (count == 0) return;
  std::lock_guard<std::mutex> guard(mutex_);
  if (trial_out_ && count == trial_) {
    // The trial answered: it is the size now. Past the gate, the gate was wrong (or
    // GitHub recovered): forgotten.
    size_ = trial_;
    if (size_ >= gate_) gate_ = options_.max + 1;
    trial_ = 0;
    trial_out_ = false;
    probing_ = false;
    good_ = std::max(good_, count);
    ++stats_.grows;
    streak_ = 0;
    return;
  }
  if (count < gate_) good_ = std::max(good_, count);
  // Smaller queries (a short queue, the halves of a split) say little about this size.
  if (count < size_ || size_ >= options_.max || trial_ > 0) return;
  ++streak_;
  const std::size_t step = std::max<std::size_t>(size_ / 4, 1);
  // No gate: grow. A gate within a quarter is not worth a timeout: wait for the probe.
  const bool room = gate_ > options_.max || gate_ > size_ + step;
  if (room && streak_ >= options_.grow_after) {
    const std::size_t halfway = size_ + (gate_ - size_) / 2;
    trial_ = std::min({size_ + step, std::max(halfway, size_ + 1), options_.max});
  } else if (!room && streak_ >= probe_after_) {
    probing_ = true;
    trial_ = std::min(size_ + step, options_.max);
  }
}

BatchSizerStats BatchSizer::stats() const {
  std::lock_guard<std::mutex> guard(mutex_);
  BatchSizerStats stats = stats_;
  stats.size = size_;
  stats.gate = gate_;
  return stats;
}

}  // namespace gh
