// Real threads playing the engine's workers against a FakeGitHub: acquire a permit,
// "send" the request, report GitHub's answer, repeat until the pool stops. Events the
// pool reports are queued for the test thread, which blocks on them instead of sleeping.
#ifndef GH_INGEST_TEST_WORKER_CREW_H_
#define GH_INGEST_TEST_WORKER_CREW_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/token_pool.h"
#include "fake_github.h"

namespace gh::test {

// Collects pool events; the test thread waits for the next one of a kind.
class EventQueue {
 public:
  explicit EventQueue(TokenPool& pool) {
    pool.set_event_listener([this](const PoolEvent& e) {
      std::lock_guard<std::mutex> guard(mutex_);
      events_.push_back(e);
      cv_.notify_all();
    });
  }
  PoolEvent next(PoolEvent::Kind kind) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      for (auto it = events_.begin(); it != events_.end(); ++it) {
        if (it->kind == kind) {
          PoolEvent e = *it;
          events_.erase(it);
          return e;
        }
      }
      cv_.wait(lock);
    }
  }
  int count(PoolEvent::Kind kind) {
    std::lock_guard<std::mutex> guard(mutex_);
    int n = 0;
    for (const PoolEvent& e : events_) n += e.kind == kind ? 1 : 0;
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<PoolEvent> events_;
};

class WorkerCrew {
 public:
  struct FirstPermit {
    std::size_t token = 0;
    bool borrowed = false;
  };
  // Optional: turns GitHub's answer into something else (fault injection).
  using Tamper = std::function<void(std::size_t worker, Feedback&)>;

  enum class Start { free, together };

  // With Start::together, every worker holds its first permit until all have one
  // (only where capacity allows that many at once).
  WorkerCrew(TokenPool& pool, FakeGitHub& github, int workers, std::string resource,
             Start start = Start::free, Tamper tamper = nullptr)
      : pool_(pool),
        github_(github),
        resource_(std::move(resource)),
        tamper_(std::move(tamper)),
        together_(start == Start::together),
        count_(static_cast<std::size_t>(workers)),
        first_(count_),
        requests_(count_) {
    for (int i = 0; i < workers; ++i) {
      threads_.emplace_back([this, i] { run(static_cast<std::size_t>(i)); });
    }
  }
  ~WorkerCrew() { stop_and_join(); }

  void stop_and_join() {
    pool_.stop();
    join();
  }
  // Waits for the workers to end on their own (no usable token left).
  void join() {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Each worker's first permit, all taken while every worker held one at once.
  const std::vector<FirstPermit>& first_permits() const { return first_; }
  std::int64_t requests_of(std::size_t worker) const { return requests_[worker]; }
  std::string failure() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return failure_;
  }

 private:
  void run(std::size_t worker) {
    bool first = true;
    for (;;) {
      Acquisition a = pool_.acquire(worker, resource_);
      if (a.status != AcquireStatus::ok) {
        if (a.status == AcquireStatus::no_usable_token) {
          std::lock_guard<std::mutex> guard(mutex_);
          failure_ = a.error;
        }
        return;
      }
      if (first) {
        first_[worker] = {a.permit.token(), a.permit.borrowed()};
        first = false;
        if (together_) {
          // A deterministic moment when every worker has a request in flight.
          std::unique_lock<std::mutex> lock(mutex_);
          ++holding_;
          cv_.notify_all();
          cv_.wait(lock, [&] { return holding_ == count_; });
        }
      }
      Feedback f = github_.serve(a.permit.token(), resource_);
      if (tamper_) tamper_(worker, f);
      ++requests_[worker];
      a.permit.report(f);
    }
  }

  TokenPool& pool_;
  FakeGitHub& github_;
  std::string resource_;
  Tamper tamper_;
  const bool together_;
  const std::size_t count_;
  std::vector<FirstPermit> first_;
  std::vector<std::int64_t> requests_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t holding_ = 0;
  std::string failure_;
  std::vector<std::thread> threads_;  // last: started after everything above exists
};

}  // namespace gh::test

#endif  // GH_INGEST_TEST_WORKER_CREW_H_
