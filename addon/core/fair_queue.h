// Work queued per group (a cluster), served round-robin: each pop() takes the next item
// of the next group that has one, so a run stopped at any moment leaves the groups
// equally advanced. A cancelled group drops its work and takes no more; a paused group
// (its quota met for now) keeps its work but is skipped until resumed.
// Not thread-safe: the scheduler that owns it holds its lock.
#ifndef GH_INGEST_CORE_FAIR_QUEUE_H_
#define GH_INGEST_CORE_FAIR_QUEUE_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace gh {

template <typename T>
class FairQueue {
 public:
  explicit FairQueue(std::size_t groups)
      : queues_(groups), cancelled_(groups, false), paused_(groups, false) {}

  std::size_t groups() const { return queues_.size(); }

  // False (and the item dropped) when the group is cancelled.
  bool push(std::size_t group, T item) {
    if (cancelled_[group]) return false;
    queues_[group].push_back(std::move(item));
    ++size_;
    return true;
  }
  // Ahead of the group's other work (a retried item, or the next page of a query being
  // read, so queries finish before new ones start).
  bool push_front(std::size_t group, T item) {
    if (cancelled_[group]) return false;
    queues_[group].push_front(std::move(item));
    ++size_;
    return true;
  }

  // The next item in round-robin order over the groups, with its group.
  std::optional<std::pair<std::size_t, T>> pop() {
    for (std::size_t tried = 0; tried < queues_.size(); ++tried) {
      const std::size_t group = next_;
      next_ = (next_ + 1) % queues_.size();
      if (!paused_[group] && !queues_[group].empty()) {
        T item = std::move(queues_[group].front());
        queues_[group].pop_front();
        --size_;
        return std::make_pair(group, std::move(item));
      }
    }
    return std::nullopt;
  }

  void cancel(std::size_t group) {
    cancelled_[group] = true;
    size_ -= queues_[group].size();
    queues_[group].clear();
  }
  bool cancelled(std::size_t group) const { return cancelled_[group]; }

  // Removes and returns the queued items of `group` that `pred` selects, in order.
  template <typename Pred>
  std::vector<T> extract_if(std::size_t group, Pred pred) {
    std::vector<T> out;
    std::deque<T>& queue = queues_[group];
    for (auto it = queue.begin(); it != queue.end();) {
      if (pred(*it)) {
        out.push_back(std::move(*it));
        it = queue.erase(it);
        --size_;
      } else {
        ++it;
      }
    }
    return out;
  }

  // Removes up to `n` items from the backs of the groups' queues (the work their turn
  // would reach last), one group after another, with their groups.
  std::vector<std::pair<std::size_t, T>> take_back(std::size_t n) {
    std::vector<std::pair<std::size_t, T>> out;
    while (out.size() < n && size_ > 0) {
      for (std::size_t group = 0; group < queues_.size() && out.size() < n; ++group) {
        if (queues_[group].empty()) continue;
        out.emplace_back(group, std::move(queues_[group].back()));
        queues_[group].pop_back();
        --size_;
      }
    }
    return out;
  }

  void pause(std::size_t group) { paused_[group] = true; }
  void resume(std::size_t group) { paused_[group] = false; }
  bool paused(std::size_t group) const { return paused_[group]; }

  std::size_t size() const { return size_; }
  std::size_t size(std::size_t group) const { return queues_[group].size(); }
  bool empty() const { return size_ == 0; }

 private:
  std::vector<std::deque<T>> queues_;
  std::vector<bool> cancelled_;
  std::vector<bool> paused_;
  std::size_t next_ = 0;
  std::size_t size_ = 0;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_FAIR_QUEUE_H_
