// A stand-in for GitHub's rate limiter, for pool tests: per-user, per-resource buckets
// that refill at their reset on the injected clock, answering each request with the
// headers (or the primary-limit response) GitHub would send. It counts every request
// that arrived at an empty bucket: the waste the pool exists to prevent.
#ifndef GH_INGEST_TEST_FAKE_GITHUB_H_
#define GH_INGEST_TEST_FAKE_GITHUB_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/token_pool.h"

namespace gh::test {

class FakeGitHub {
 public:
  struct Limit {
    std::int64_t limit;
    std::chrono::seconds window;
  };

  // `users[i]` is the login behind token i; tokens of one login share buckets.
  FakeGitHub(Clock& clock, std::vector<std::string> users,
             std::map<std::string, Limit> limits = {{"core", {5000, std::chrono::seconds(3600)}},
                                                    {"search", {30, std::chrono::seconds(60)}}})
      : clock_(clock),
        users_(std::move(users)),
        limits_(std::move(limits)),
        served_(users_.size(), 0) {}

  // Sets a user's bucket outright (e.g. spent until a given reset).
  void set(const std::string& user, const std::string& resource, std::int64_t remaining,
           TimePoint reset) {
    std::lock_guard<std::mutex> guard(mutex_);
    Bucket& b = bucket_locked(user, resource);
    b.remaining = remaining;
    b.reset = reset;
  }

  // Makes GitHub reject a token as bad credentials.
  void set_bad(std::size_t token) {
    std::lock_guard<std::mutex> guard(mutex_);
    bad_.push_back(token);
  }

  // One request with token `token` on `resource`.
  Feedback serve(std::size_t token, const std::string& resource) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (std::find(bad_.begin(), bad_.end(), token) != bad_.end()) {
      ++unauthorized_;
      Feedback f;
      f.outcome = Outcome::unauthorized;
      f.http_status = 401;
      return f;
    }
    Bucket& b = bucket_locked(users_[token], resource);
    const Limit& l = limits_.at(resource);
    Feedback f;
    f.headers.resource = resource;
    f.headers.limit = l.limit;
    f.headers.reset = to_epoch_seconds(b.reset);
    if (b.remaining <= 0) {
      ++overspent_;
      f.outcome = Outcome::primary_limit;
      f.http_status = 403;
      f.headers.remaining = 0;
      f.headers.used = l.limit;
      return f;
    }
    --b.remaining;
    ++served_[token];
    ++total_served_;
    f.outcome = Outcome::success;
    f.http_status = 200;
    f.headers.remaining = b.remaining;
    f.headers.used = l.limit - b.remaining;
    return f;
  }

  std::int64_t overspent() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return overspent_;
  }
  std::int64_t served(std::size_t token) const {
    std::lock_guard<std::mutex> guard(mutex_);
    return served_[token];
  }
  std::int64_t unauthorized() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return unauthorized_;
  }
  std::int64_t total_served() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return total_served_;
  }

 private:
  struct Bucket {
    std::int64_t remaining;
    TimePoint reset;
  };

  Bucket& bucket_locked(const std::string& user, const std::string& resource) {
    const Limit& l = limits_.at(resource);
    const TimePoint now = clock_.now();
    auto key = std::make_pair(user, resource);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
      it = buckets_.emplace(key, Bucket{l.limit, now + l.window}).first;
    } else if (now >= it->second.reset) {
      // GitHub's window rolls over: a full bucket and a new reset.
      it->second.remaining = l.limit;
      it->second.reset = now + l.window;
    }
    return it->second;
  }

  Clock& clock_;
  std::vector<std::string> users_;
  std::map<std::string, Limit> limits_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Bucket> buckets_;
  std::vector<std::int64_t> served_;
  std::int64_t total_served_ = 0;
  std::int64_t overspent_ = 0;
  std::int64_t unauthorized_ = 0;
  std::vector<std::size_t> bad_;
};

// Logins "user1".."userN", one per token.
inline std::vector<std::string> distinct_users(int count) {
  std::vector<std::string> users;
  for (int i = 0; i < count; ++i) users.push_back("user" + std::to_string(i + 1));
  return users;
}

}  // namespace gh::test

#endif  // GH_INGEST_TEST_FAKE_GITHUB_H_
