// A stand-in for GitHub's rate limiter, for pool tests: per-user, per-resource buckets
// that refill at their reset on the injected clock, answering each request with the
// headers (or the primary-limit response) GitHub would send. It counts every request
// that arrived at an empty bucket: the waste the pool exists to prevent. It can also
// put a user under a secondary limit (a 403 with retry-after, and the user refused until
// it has passed), counting every request that arrived during such a pause.
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

  // The next request of `user` (any token, any resource) is answered with a secondary
  // limit, which pauses the user for `retry_after` seconds.
  void arm_secondary_limit(const std::string& user, std::int64_t retry_after) {
    std::lock_guard<std::mutex> guard(mutex_);
    armed_[user] = retry_after;
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
    const std::string& user = users_[token];
    if (auto armed = armed_.find(user); armed != armed_.end()) {
      const std::int64_t retry_after = armed->second;
      armed_.erase(armed);
      return secondary_locked(token, resource, retry_after);
    }
    const TimePoint now = clock_.now();
    if (auto pause = paused_until_.find(user);
        pause != paused_until_.end() && now < pause->second) {
      ++sent_while_paused_;
      const auto left = std::chrono::ceil<std::chrono::seconds>(pause->second - now);
      return secondary_locked(token, resource, left.count());
    }
    Bucket& b = bucket_locked(user, resource);
    Feedback f = headers_locked(b, resource);
    const Limit& l = limits_.at(resource);
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

  // Answers this request with a secondary limit and pauses its user for `retry_after`
  // seconds (a request that arrives while its user is paused is counted all the same).
  Feedback trip_secondary_limit(std::size_t token, const std::string& resource,
                                std::int64_t retry_after) {
    std::lock_guard<std::mutex> guard(mutex_);
    const auto pause = paused_until_.find(users_[token]);
    if (pause != paused_until_.end() && clock_.now() < pause->second) ++sent_while_paused_;
    return secondary_locked(token, resource, retry_after);
  }

  // The login behind a token, and the distinct logins (sorted).
  const std::string& user_of(std::size_t token) const { return users_[token]; }
  std::vector<std::string> logins() const {
    std::vector<std::string> all = users_;
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    return all;
  }

  std::int64_t sent_while_paused() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return sent_while_paused_;
  }
  // Requests served (answered 2xx) for a user, through all its tokens.
  std::int64_t served_user(const std::string& user) const {
    std::lock_guard<std::mutex> guard(mutex_);
    std::int64_t total = 0;
    for (std::size_t t = 0; t < users_.size(); ++t) total += users_[t] == user ? served_[t] : 0;
    return total;
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

  Feedback headers_locked(const Bucket& b, const std::string& resource) const {
    const Limit& l = limits_.at(resource);
    Feedback f;
    f.headers.resource = resource;
    f.headers.limit = l.limit;
    f.headers.reset = to_epoch_seconds(b.reset);
    f.headers.remaining = b.remaining;
    f.headers.used = l.limit - b.remaining;
    return f;
  }

  // A 403 secondary limit with retry-after; the user is paused until it has passed.
  Feedback secondary_locked(std::size_t token, const std::string& resource,
                            std::int64_t retry_after) {
    const std::string& user = users_[token];
    TimePoint& until = paused_until_[user];
    until = std::max(until, clock_.now() + std::chrono::seconds(retry_after));
    Feedback f = headers_locked(bucket_locked(user, resource), resource);
    f.outcome = Outcome::secondary_limit;
    f.http_status = 403;
    f.headers.retry_after = retry_after;
    return f;
  }

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
  std::int64_t sent_while_paused_ = 0;
  std::vector<std::size_t> bad_;
  std::map<std::string, std::int64_t> armed_;  // user -> retry-after of its next answer
  std::map<std::string, TimePoint> paused_until_;
};

// Logins "user1".."userN", one per token.
inline std::vector<std::string> distinct_users(int count) {
  std::vector<std::string> users;
  for (int i = 0; i < count; ++i) users.push_back("user" + std::to_string(i + 1));
  return users;
}

}  // namespace gh::test

#endif  // GH_INGEST_TEST_FAKE_GITHUB_H_
