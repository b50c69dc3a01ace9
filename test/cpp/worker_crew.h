// Real threads playing the engine's workers against a FakeGitHub: acquire a permit,
// "send" the request, report GitHub's answer, repeat until the pool stops. Events the
// pool reports are queued for the test thread, which blocks on them instead of sleeping.
// The crew measures the lanes: how many requests of each GitHub user are in flight at
// once (from the permit to just before its report), and the most ever seen.
#ifndef GH_INGEST_TEST_WORKER_CREW_H_
#define GH_INGEST_TEST_WORKER_CREW_H_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
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
  // Events not yet taken by next(), of every kind.
  std::size_t size() {
    std::lock_guard<std::mutex> guard(mutex_);
    return events_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<PoolEvent> events_;
};

// Requests in flight per GitHub login, counted with atomics by the threads that hold
// them: now, and the most at once.
class LaneMeter {
 public:
  explicit LaneMeter(const std::vector<std::string>& logins) {
    for (const std::string& login : logins) lanes_.try_emplace(login);
  }
  void enter(const std::string& login) {
    raise(total_, ++total_.now);
    Counter& lane = lanes_.at(login);
    raise(lane, ++lane.now);
  }
  void leave(const std::string& login) {
    --lanes_.at(login).now;
    --total_.now;
  }
  int now(const std::string& login) const { return lanes_.at(login).now; }
  int most(const std::string& login) const { return lanes_.at(login).most; }
  int now() const { return total_.now; }
  int most() const { return total_.most; }
  // The most in flight at once for any one login.
  int most_per_login() const {
    int most = 0;
    for (const auto& [login, lane] : lanes_) most = std::max(most, lane.most.load());
    return most;
  }

 private:
  struct Counter {
    std::atomic<int> now{0};
    std::atomic<int> most{0};
  };
  static void raise(Counter& c, int value) {
    int seen = c.most.load();
    while (value > seen && !c.most.compare_exchange_weak(seen, value)) {
    }
  }
  std::map<std::string, Counter> lanes_;  // built once: threads only touch the atomics
  Counter total_;
};

class WorkerCrew {
 public:
  struct Options {
    // Worker w's requests are all on resources[w % size].
    std::vector<std::string> resources = {"core"};
    // Hold every request in flight (permit taken, not yet sent) until open(): a moment
    // at which the test sees how many lanes the pool filled at once.
    bool hold = false;
    // Each worker ends after this many requests (0: when the pool stops).
    std::int64_t requests_per_worker = 0;
  };
  struct Held {
    std::size_t worker = 0;
    std::size_t token = 0;
    bool borrowed = false;
  };

  WorkerCrew(TokenPool& pool, FakeGitHub& github, int workers, Options options)
      : pool_(pool),
        github_(github),
        options_(std::move(options)),
        lanes_(github.logins()),
        open_(!options_.hold),
        tokens_(static_cast<std::size_t>(workers)) {
    for (int i = 0; i < workers; ++i) {
      threads_.emplace_back([this, i] { run(static_cast<std::size_t>(i)); });
    }
  }
  WorkerCrew(TokenPool& pool, FakeGitHub& github, int workers, std::string resource)
      : WorkerCrew(pool, github, workers, on(std::move(resource))) {}
  ~WorkerCrew() { stop_and_join(); }

  void stop_and_join() {
    open();
    pool_.stop();
    join();
  }
  // Waits for the workers to end on their own (no usable token left, or their count of
  // requests done).
  void join() {
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  // With Options::hold: blocks until `count` requests are held in flight at once.
  std::vector<Held> await_held(std::size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return held_.size() >= count; });
    return held_;
  }
  // Lets every held request (and every later one) go on.
  void open() {
    std::lock_guard<std::mutex> guard(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  // Blocks until `count` workers have returned from the crew's loop.
  void await_finished(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return finished_ >= count; });
  }

  const LaneMeter& lanes() const { return lanes_; }
  // The token of each request a worker made, in order. Read after join() only.
  const std::vector<std::size_t>& tokens_of(std::size_t worker) const { return tokens_[worker]; }
  std::string failure() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return failure_;
  }

 private:
  static Options on(std::string resource) {
    Options options;
    options.resources = {std::move(resource)};
    return options;
  }

  void run(std::size_t worker) {
    for (std::int64_t n = 0; options_.requests_per_worker == 0 || n < options_.requests_per_worker;
         ++n) {
      const std::string& resource = options_.resources[worker % options_.resources.size()];
      Acquisition a = pool_.acquire(worker, resource);
      if (a.status != AcquireStatus::ok) {
        if (a.status == AcquireStatus::no_usable_token) {
          std::lock_guard<std::mutex> guard(mutex_);
          failure_ = a.error;
        }
        break;
      }
      const std::string& login = github_.user_of(a.permit.token());
      lanes_.enter(login);
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (!open_) {
          held_.push_back({worker, a.permit.token(), a.permit.borrowed()});
          cv_.notify_all();
          cv_.wait(lock, [&] { return open_; });
        }
      }
      Feedback f = github_.serve(a.permit.token(), resource);
      tokens_[worker].push_back(a.permit.token());
      lanes_.leave(login);  // before the report: from then on the pool may grant again
      a.permit.report(f);
    }
    std::lock_guard<std::mutex> guard(mutex_);
    ++finished_;
    cv_.notify_all();
  }

  TokenPool& pool_;
  FakeGitHub& github_;
  const Options options_;
  LaneMeter lanes_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool open_;
  std::vector<Held> held_;
  int finished_ = 0;
  std::string failure_;
  std::vector<std::vector<std::size_t>> tokens_;  // each written by its worker only
  std::vector<std::thread> threads_;              // last: started after everything above exists
};

}  // namespace gh::test

#endif  // GH_INGEST_TEST_WORKER_CREW_H_
