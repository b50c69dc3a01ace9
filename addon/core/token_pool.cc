#include "core/token_pool.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "core/token_mask.h"

namespace gh {
namespace {

constexpr std::size_t kErrorHistory = 32;
// A bucket whose reset GitHub did not say is assumed to refill this long after it ran dry.
constexpr Millis kUnknownResetDelay{60'000};

bool is_graphql(std::string_view resource) { return resource == "graphql"; }

bool is_per_minute(std::string_view resource) {
  return resource == "search" || resource == "code_search";
}

// How long GitHub's windows last: search buckets refill every minute, the others hourly.
Millis window_of(std::string_view resource) {
  return is_per_minute(resource) ? Millis(60'000) : Millis(3'600'000);
}

// The per-minute windows travel between hosts in epoch milliseconds.
std::int64_t to_epoch_ms(TimePoint t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}
TimePoint from_epoch_ms(std::int64_t ms) { return TimePoint(Millis(ms)); }

bool counts_as_error(Outcome outcome) {
  switch (outcome) {
    case Outcome::success:
    case Outcome::not_modified:
    case Outcome::gone:
    case Outcome::validation:
      return false;
    default:
      return true;
  }
}

}  // namespace

const char* to_string(TokenState state) {
  switch (state) {
    case TokenState::ok:
      return "ok";
    case TokenState::exhausted:
      return "exhausted";
    case TokenState::paused:
      return "paused";
    case TokenState::retired:
      return "retired";
  }
  return "unknown";
}

std::int64_t default_limit(std::string_view resource) {
  if (resource == "search") return 30;
  if (resource == "code_search") return 10;
  return 5000;  // core, graphql and GitHub's other hourly buckets for a user
}

// ---------------------------------------------------------------------------
// Permit
// ---------------------------------------------------------------------------

Permit::Permit(Permit&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      token_(other.token_),
      worker_(other.worker_),
      resource_(std::move(other.resource_)),
      cost_(other.cost_),
      borrowed_(other.borrowed_) {}

Permit& Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    token_ = other.token_;
    worker_ = other.worker_;
    resource_ = std::move(other.resource_);
    cost_ = other.cost_;
    borrowed_ = other.borrowed_;
  }
  return *this;
}

Permit::~Permit() { release(); }

const std::string& Permit::secret() const { return pool_->tokens_[token_].secret; }

void Permit::report(const Feedback& feedback) {
  if (!pool_) return;
  pool_->finish(*this, &feedback);
  pool_ = nullptr;
}

void Permit::release() {
  if (!pool_) return;
  pool_->finish(*this, nullptr);
  pool_ = nullptr;
}

// ---------------------------------------------------------------------------
// Construction and small helpers
// ---------------------------------------------------------------------------

TokenPool::TokenPool(std::vector<std::string> tokens, PoolOptions options, Clock& clock)
    : options_(options), clock_(clock) {
  tokens_.reserve(tokens.size());
  groups_.reserve(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    Token t;
    t.label = token_label(i);
    t.mask = mask_token(tokens[i]);
    t.secret = std::move(tokens[i]);
    t.group = i;
    tokens_.push_back(std::move(t));
    groups_.emplace_back();
  }
}

TokenPool::~TokenPool() { stop(); }

void TokenPool::set_event_listener(EventListener listener) {
  std::lock_guard<std::mutex> guard(listener_mutex_);
  listener_ = std::move(listener);
}

void TokenPool::emit(Events& events) {
  if (events.empty()) return;
  std::lock_guard<std::mutex> guard(listener_mutex_);
  if (listener_) {
    for (const PoolEvent& e : events) listener_(e);
  }
  events.clear();
}

TokenPool::Bucket& TokenPool::bucket(Group& group, std::string_view resource) {
  auto it = group.buckets.find(resource);
  if (it == group.buckets.end()) {
    Bucket b;
    b.limit = default_limit(resource);
    b.remaining = b.limit;
    it = group.buckets.emplace(std::string(resource), b).first;
  }
  return it->second;
}

const TokenPool::Bucket* TokenPool::find_bucket(const Group& group,
                                                std::string_view resource) const {
  auto it = group.buckets.find(resource);
  return it == group.buckets.end() ? nullptr : &it->second;
}

std::int64_t TokenPool::effective_remaining(const Bucket& b, std::string_view resource,
                                            TimePoint now) const {
  if (!b.known) return b.remaining;
  // Past its reset (and a margin for clock skew) the bucket has refilled, whatever the
  // last response of the old window said.
  if (now >= b.reset + options_.reset_margin) {
    return std::max<std::int64_t>(0, (b.limit > 0 ? b.limit : default_limit(resource)) - b.carry);
  }
  return std::max<std::int64_t>(0, b.remaining - b.unheaded);
}

std::int64_t TokenPool::reserve_for(std::string_view resource) const {
  return is_per_minute(resource) ? 0 : options_.min_remaining;
}

int TokenPool::recent_errors(const Token& token, TimePoint now) const {
  int count = 0;
  for (TimePoint t : token.recent_errors) {
    if (now - t <= options_.error_window) ++count;
  }
  return count;
}

int TokenPool::minute_cap(std::string_view resource) const {
  return is_graphql(resource) ? options_.graphql_points_per_minute
                              : options_.rest_points_per_minute;
}

std::deque<TimePoint>& TokenPool::minute_window(const Group& group, std::string_view resource,
                                                TimePoint now) const {
  std::deque<TimePoint>& window = is_graphql(resource) ? group.graphql_minute : group.rest_minute;
  while (!window.empty() && now - window.front() >= std::chrono::minutes(1)) window.pop_front();
  return window;
}

int TokenPool::lane_width(const Group& group) const {
  const int width = std::clamp(options_.concurrency_per_user, 1, kMaxConcurrencyPerUser);
  return group.narrowed_width > 0 ? std::min(width, group.narrowed_width) : width;
}

bool TokenPool::leased(const Group& group) const {
  // Tokens of unknown login serve as they would alone: the token check at start runs
  // while the other hosts hold off, and tells which user each token is.
  return !options_.shared || group.login.empty() || (group.held && clock_.now() < lease_until_);
}

bool TokenPool::fits_limit(const Group& group, std::string_view resource,
                           std::int64_t cost) const {
  const Bucket* b = find_bucket(group, resource);
  const std::int64_t limit = b && b->limit > 0 ? b->limit : default_limit(resource);
  return limit >= cost + reserve_for(resource);
}

bool TokenPool::can_serve(std::size_t index, std::string_view resource, std::int64_t cost,
                          TimePoint now) const {
  // The lane first: one user's requests go one at a time (by default), whatever their
  // resource and whichever of the user's tokens they use.
  const Group& group = groups_[tokens_[index].group];
  if (group.in_flight >= lane_width(group)) return false;
  return has_quota(index, resource, cost, now);
}

bool TokenPool::has_quota(std::size_t index, std::string_view resource, std::int64_t cost,
                          TimePoint now) const {
  const Token& token = tokens_[index];
  if (token.retired) return false;
  const Group& group = groups_[token.group];
  if (!leased(group)) return false;  // another host's to serve (shared mode)
  if (group.paused_until > now) return false;
  const int cap = minute_cap(resource);
  if (cap > 0 && minute_window(group, resource, now).size() >= static_cast<std::size_t>(cap)) {
    return false;
  }
  const Bucket* b = find_bucket(group, resource);
  if (!b || !b->known) {
    // Until a response has told us this bucket's size, one request at a time probes it:
    // the documented default may be larger than this account's real limit.
    return (!b || b->in_flight == 0) && default_limit(resource) >= cost + reserve_for(resource);
  }
  return effective_remaining(*b, resource, now) - b->in_flight >= cost + reserve_for(resource);
}

TokenState TokenPool::state_of(const Token& token, TimePoint now) const {
  if (token.retired) return TokenState::retired;
  const Group& group = groups_[token.group];
  if (group.paused_until > now) return TokenState::paused;
  // Exhausted when its core bucket is spent, or (before any core request) when every
  // bucket it has used is spent.
  bool any = false;
  bool all_spent = true;
  for (const auto& [name, b] : group.buckets) {
    if (!b.known) continue;
    const bool spent = effective_remaining(b, name, now) <= reserve_for(name);
    if (name == "core") return spent ? TokenState::exhausted : TokenState::ok;
    any = true;
    all_spent = all_spent && spent;
  }
  return any && all_spent ? TokenState::exhausted : TokenState::ok;
}

TokenPool::Worker& TokenPool::worker_state(std::size_t worker) {
  if (worker >= workers_.size()) workers_.resize(worker + 1);
  Worker& w = workers_[worker];
  if (!w.assigned) {
    // Worker i works with Token #i+1 (wrapping around), unless that token is retired:
    // then with the usable token that has the fewest workers bound to it.
    const std::size_t preferred = worker % tokens_.size();
    std::optional<std::size_t> pick;
    if (!tokens_[preferred].retired) {
      pick = preferred;
    } else {
      for (std::size_t i = 0; i < tokens_.size(); ++i) {
        if (tokens_[i].retired) continue;
        if (!pick || tokens_[i].primaries < tokens_[*pick].primaries) pick = i;
      }
    }
    w.primary = pick.value_or(preferred);
    w.current = w.primary;
    w.assigned = true;
    ++tokens_[w.primary].primaries;
  }
  return w;
}

std::optional<std::size_t> TokenPool::primary_of(std::size_t worker) const {
  std::lock_guard<std::mutex> guard(mutex_);
  if (worker >= workers_.size() || !workers_[worker].assigned) return std::nullopt;
  return workers_[worker].primary;
}

// ---------------------------------------------------------------------------
// Choosing a token
// ---------------------------------------------------------------------------

std::optional<std::size_t> TokenPool::best_candidate(std::string_view resource, std::int64_t cost,
                                                     TimePoint now,
                                                     std::optional<std::size_t> exclude) {
  std::optional<std::size_t> best;
  std::int64_t best_free = 0;
  int best_errors = 0;
  int best_in_flight = 0;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (exclude && *exclude == i) continue;
    if (!can_serve(i, resource, cost, now)) continue;
    const Group& group = groups_[tokens_[i].group];
    const Bucket* b = find_bucket(group, resource);
    const std::int64_t free =
        (b ? effective_remaining(*b, resource, now) - b->in_flight : default_limit(resource));
    const int errors = recent_errors(tokens_[i], now);
    // Only users with a free lane get here (can_serve). Most free requests first; then
    // fewer recent errors; then the least busy user.
    const bool better =
        !best || free > best_free ||
        (free == best_free &&
         (errors < best_errors || (errors == best_errors && group.in_flight < best_in_flight)));
    if (better) {
      best = i;
      best_free = free;
      best_errors = errors;
      best_in_flight = group.in_flight;
    }
  }
  return best;
}

std::optional<std::size_t> TokenPool::choose(Worker& w, std::string_view resource,
                                             std::int64_t cost, TimePoint now) {
  if (options_.requests_per_token > 0) {
    // Rotation: stay on the current token for N requests, then move to the best other.
    if (w.consecutive >= options_.requests_per_token) {
      if (auto next = best_candidate(resource, cost, now, w.current)) {
        w.current = *next;
        w.consecutive = 0;
      }
    }
    if (can_serve(w.current, resource, cost, now)) return w.current;
    if (auto next = best_candidate(resource, cost, now, std::nullopt)) {
      w.current = *next;
      w.consecutive = 0;
      return next;
    }
    return std::nullopt;
  }
  // Token-bound: the primary whenever it can serve; otherwise (its user busy, or out of
  // quota for this resource) borrow for this request from a user with a free lane.
  if (can_serve(w.primary, resource, cost, now)) return w.primary;
  return best_candidate(resource, cost, now, std::nullopt);
}

Permit TokenPool::grant(Worker& w, std::size_t worker_index, std::size_t index,
                        std::string_view resource, std::int64_t cost) {
  if (index == w.current) ++w.consecutive;
  return reserve(worker_index, index, resource, cost, index != w.primary);
}

Permit TokenPool::reserve(std::size_t worker_index, std::size_t index, std::string_view resource,
                          std::int64_t cost, bool borrowed) {
  Token& token = tokens_[index];
  Group& group = groups_[token.group];
  Bucket& b = bucket(group, resource);
  b.in_flight += cost;
  ++group.in_flight;
  if (minute_cap(resource) > 0) {
    minute_window(group, resource, clock_.now()).push_back(clock_.now());
  }
  Permit p;
  p.pool_ = this;
  p.token_ = index;
  p.worker_ = worker_index;
  p.resource_ = std::string(resource);
  p.cost_ = cost;
  p.borrowed_ = borrowed;
  if (p.borrowed_) ++token.lent_out;
  return p;
}

Acquisition TokenPool::try_acquire_token(std::size_t token, std::string_view resource,
                                         std::int64_t cost) {
  Acquisition result;
  std::lock_guard<std::mutex> guard(mutex_);
  if (stopped_) {
    result.status = AcquireStatus::stopped;
  } else if (tokens_[token].retired) {
    result.status = AcquireStatus::no_usable_token;
    result.error = tokens_[token].label + " is retired: " + tokens_[token].retired_reason;
  } else if (!can_serve(token, resource, cost, clock_.now())) {
    result.status = AcquireStatus::would_block;
  } else {
    result.status = AcquireStatus::ok;
    result.permit = reserve(kNoWorker, token, resource, cost, false);
  }
  return result;
}

std::optional<std::pair<TimePoint, std::size_t>> TokenPool::earliest_ready(
    std::string_view resource, std::int64_t cost, TimePoint now, bool* paced) const {
  std::optional<std::pair<TimePoint, std::size_t>> earliest;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const Token& token = tokens_[i];
    if (token.retired) continue;
    const Group& group = groups_[token.group];
    // A user another host holds sets no deadline: only hold_user() brings it back.
    if (!leased(group)) continue;
    if (!fits_limit(group, resource, cost)) continue;  // this bucket can never hold it
    const Bucket* b = find_bucket(group, resource);
    const std::int64_t need = cost + reserve_for(resource);
    TimePoint ready = std::max(now, group.paused_until);
    if (b && b->known && effective_remaining(*b, resource, ready) < need) {
      ready = std::max(ready, b->reset + options_.reset_margin);
    }
    const int cap = minute_cap(resource);
    const std::deque<TimePoint>& window = minute_window(group, resource, now);
    bool token_paced = false;
    if (cap > 0 && window.size() >= static_cast<std::size_t>(cap)) {
      // The per-minute cap: ready when the oldest request of the minute ages out.
      const TimePoint aged =
          window[window.size() - static_cast<std::size_t>(cap)] + std::chrono::minutes(1);
      token_paced = aged > ready;
      ready = std::max(ready, aged);
    }
    // A token ready "now" is held back by requests in flight only (its user's lane is
    // full, or reservations fill its bucket): their reports wake us.
    if (ready <= now) continue;
    if (!earliest || ready < earliest->first) {
      earliest = std::make_pair(ready, i);
      if (paced) *paced = token_paced;
    }
  }
  return earliest;
}

Acquisition TokenPool::acquire(std::size_t worker, std::string_view resource, std::int64_t cost) {
  return acquire_impl(worker, resource, cost, true);
}

Acquisition TokenPool::try_acquire(std::size_t worker, std::string_view resource,
                                   std::int64_t cost) {
  return acquire_impl(worker, resource, cost, false);
}

Acquisition TokenPool::acquire_impl(std::size_t worker, std::string_view resource,
                                    std::int64_t cost, bool block) {
  Acquisition result;
  Events events;
  std::unique_lock<std::mutex> lock(mutex_);
  bool reported_wait = false;
  for (;;) {
    if (stopped_) {
      result.status = AcquireStatus::stopped;
      break;
    }
    const TimePoint now = clock_.now();
    Worker& w = worker_state(worker);
    if (auto index = choose(w, resource, cost, now)) {
      result.status = AcquireStatus::ok;
      result.permit = grant(w, worker, *index, resource, cost);
      if (reported_wait) {
        // The first worker through after a coordinated wait says it is over.
        auto it = reported_wait_.find(resource);
        if (it != reported_wait_.end()) {
          reported_wait_.erase(it);
          events.push_back({PoolEvent::Kind::resumed, *index, std::string(resource), now,
                            "tokens available again for " + std::string(resource)});
        }
      }
      break;
    }
    bool paced = false;
    auto ready = earliest_ready(resource, cost, now, &paced);
    // Requests in flight may free capacity (a place in a lane, a reservation returned, or
    // a response whose headers show more left than we feared): while any are out, this
    // is no reset wait, and never a dead end. Busy lanes are not exhaustion.
    const bool in_flight =
        std::any_of(groups_.begin(), groups_.end(), [](const Group& g) { return g.in_flight > 0; });
    // Shared mode: a user this host does not hold may be handed to it (hold_user wakes
    // us). Waiting for that is no dead end, and no exhaustion: "all tokens" would count
    // users whose quota this host cannot see.
    const bool unheld = std::any_of(tokens_.begin(), tokens_.end(), [&](const Token& t) {
      const Group& g = groups_[t.group];
      return !t.retired && !leased(g) && fits_limit(g, resource, cost);
    });
    if (!ready && !in_flight && !unheld) {
      result.status = AcquireStatus::no_usable_token;
      const auto retired =
          std::count_if(tokens_.begin(), tokens_.end(), [](const Token& t) { return t.retired; });
      if (static_cast<std::size_t>(retired) == tokens_.size()) {
        result.error = "no usable token: all " + std::to_string(tokens_.size()) +
                       " tokens were rejected by GitHub (401 Bad credentials); check "
                       "GITHUB_TOKENS and run `node test-tokens.js`";
      } else {
        result.error = "no token can ever serve a request costing " + std::to_string(cost) +
                       " on the " + std::string(resource) + " bucket (reserve " +
                       std::to_string(reserve_for(resource)) + "); lower --min-remaining";
      }
      break;
    }
    if (!block) {
      result.status = AcquireStatus::would_block;
      break;
    }
    if (ready && !in_flight && !paced && !unheld) {
      // Say once per wait (not once per worker) that everything is spent; a pause for
      // the per-minute caps is pacing, not exhaustion, and is not reported.
      auto it = reported_wait_.find(resource);
      if (it == reported_wait_.end() || it->second != ready->first) {
        reported_wait_[std::string(resource)] = ready->first;
        events.push_back(
            {PoolEvent::Kind::waiting, ready->second, std::string(resource), ready->first,
             "all tokens exhausted for " + std::string(resource) + "; resuming at " +
                 format_utc(ready->first) + " when " + tokens_[ready->second].label + " frees"});
      }
      reported_wait = true;
    }
    if (!events.empty()) {
      lock.unlock();
      emit(events);
      lock.lock();
      continue;  // the world may have changed while unlocked
    }
    ++waiting_;
    clock_.wait_until(changed_, lock, ready ? ready->first : TimePoint::max());
    --waiting_;
  }
  lock.unlock();
  emit(events);
  return result;
}

// ---------------------------------------------------------------------------
// Feedback
// ---------------------------------------------------------------------------

void TokenPool::apply_headers(Group& group, const RateLimitHeaders& headers,
                              std::string_view resource, TimePoint now) {
  if (!headers.has_window()) return;
  Bucket& b = bucket(group, headers.resource.empty() ? resource : headers.resource);
  const TimePoint reset = from_epoch_seconds(*headers.reset);
  const std::int64_t remaining = *headers.remaining;
  if (!b.known || reset > b.confirmed_reset) {
    // A newer window replaces what we knew. If we were already counting this window
    // ourselves, the requests we counted without headers stay counted; otherwise only
    // those that finished so near the old reset that they may fall in this window.
    const bool same_as_estimate = b.estimated && reset <= b.reset;
    b.unheaded = same_as_estimate ? b.unheaded : b.carry;
    b.carry = 0;
    b.remaining = remaining;
    b.known = true;
    b.estimated = false;
    b.reset = reset;
    b.confirmed_reset = reset;
    if (headers.limit) b.limit = *headers.limit;
    if (headers.used) b.used = *headers.used;
  } else if (reset == b.confirmed_reset && !b.estimated) {
    // Same window: responses arrive out of order; the lowest remaining is the latest
    // point of GitHub's count that we have seen.
    b.remaining = std::min(b.remaining, remaining);
    if (headers.limit) b.limit = *headers.limit;
    if (headers.used) b.used = std::max(b.used, *headers.used);
  }
  // An older window (a late response) tells nothing new.
  (void)now;
}

void TokenPool::retire_locked(std::size_t index, std::string reason, Events& events) {
  Token& token = tokens_[index];
  if (token.retired) return;
  token.retired = true;
  token.retired_reason = reason;
  events.push_back({PoolEvent::Kind::retired, index, "", TimePoint{},
                    token.label + " (" + token.mask + ") retired for this run: " + reason});
}

void TokenPool::finish(Permit& permit, const Feedback* feedback) {
  Events events;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    const TimePoint now = clock_.now();
    Token& token = tokens_[permit.token_];
    Group& group = groups_[token.group];
    Bucket& reserved = bucket(group, permit.resource_);
    reserved.in_flight -= permit.cost_;
    --group.in_flight;
    if (permit.borrowed_) --token.lent_out;

    if (feedback) {
      const Outcome outcome = feedback->outcome;
      const RateLimitHeaders& h = feedback->headers;
      ++token.requests;
      ++total_requests_;
      ++requests_by_resource_[permit.resource_];
      ++outcomes_[static_cast<std::size_t>(outcome)];
      token.last_status = feedback->http_status;
      if (counts_as_error(outcome)) {
        ++token.errors;
        token.recent_errors.push_back(now);
        if (token.recent_errors.size() > kErrorHistory) token.recent_errors.pop_front();
      }

      // Which bucket the response speaks of: its own header, else the one reserved.
      const std::string_view resource = h.resource.empty() ? permit.resource_ : h.resource;
      if (h.has_window()) {
        apply_headers(group, h, permit.resource_, now);
      } else if (outcome != Outcome::not_modified) {
        // No headers (a 5xx from a proxy, a lost answer): assume GitHub counted it. An
        // estimate too low costs a request's worth of quota until the window ends; one
        // too high would send a request on an empty bucket. 304s are free.
        // Where it fell in GitHub's count is unknown, so it is counted apart from the
        // headers' remaining (a later header may or may not include it).
        Bucket& b = bucket(group, resource);
        if (b.known) {
          if (now >= b.reset + options_.reset_margin) {
            // The window we knew is over and GitHub opened a new one by this request at
            // the latest: count in a window of our own, which ends no earlier than it.
            b.remaining = b.limit;
            b.unheaded = b.carry;
            b.carry = 0;
            b.reset = now + window_of(resource);
            b.estimated = true;
          } else if (now >= b.reset - options_.reset_margin) {
            // Near the reset, GitHub's clock decides the window: count it in both.
            b.carry += permit.cost_;
          }
          b.unheaded += permit.cost_;
        }
      }

      switch (outcome) {
        case Outcome::success:
        case Outcome::not_modified:
          group.secondary_strikes = 0;
          break;
        case Outcome::primary_limit: {
          Bucket& b = bucket(group, resource);
          b.known = true;
          b.remaining = 0;
          b.unheaded = 0;
          if (h.reset) {
            b.reset = std::max(b.reset, from_epoch_seconds(*h.reset));
            b.confirmed_reset = std::max(b.confirmed_reset, from_epoch_seconds(*h.reset));
          } else if (h.retry_after) {
            b.reset = now + std::chrono::seconds(*h.retry_after);
            b.estimated = true;
          } else if (b.reset <= now) {
            b.reset = now + kUnknownResetDelay;
            b.estimated = true;
          }
          if (b.limit <= 0) b.limit = default_limit(resource);
          events.push_back({PoolEvent::Kind::exhausted, permit.token_, std::string(resource),
                            b.reset,
                            token.label + " " + std::string(resource) + " quota spent until " +
                                format_utc(b.reset)});
          break;
        }
        case Outcome::secondary_limit: {
          TimePoint until;
          if (h.retry_after) {
            until = now + std::chrono::seconds(*h.retry_after);
          } else if (h.remaining && *h.remaining == 0 && h.reset) {
            until = from_epoch_seconds(*h.reset) + options_.reset_margin;
          } else {
            Millis backoff = options_.secondary_backoff;
            for (int i = 0; i < group.secondary_strikes && backoff < options_.secondary_backoff_max;
                 ++i) {
              backoff *= 2;
            }
            until = now + std::min(backoff, options_.secondary_backoff_max);
          }
          ++group.secondary_strikes;
          group.paused_until = std::max(group.paused_until, until);
          // A lane wider than GitHub's "serially" (--concurrency-per-user) that met a
          // secondary limit is halved for the rest of the run: the same width after the
          // pause would only meet the next one.
          const int width = lane_width(group);
          std::string narrowed;
          if (width > 1) {
            group.narrowed_width = width / 2;
            narrowed = "; its lane narrowed to " + std::to_string(group.narrowed_width) +
                       " request" + (group.narrowed_width > 1 ? "s" : "") + " at once";
          }
          events.push_back({PoolEvent::Kind::paused, permit.token_, std::string(resource),
                            group.paused_until,
                            token.label +
                                " hit a secondary rate limit; its user is paused "
                                "until " +
                                format_utc(group.paused_until) + narrowed});
          break;
        }
        case Outcome::unauthorized:
          retire_locked(permit.token_, "GitHub answered 401 Bad credentials", events);
          break;
        default:
          // Other 403s, 404s, 5xx and network errors: not a statement about the quota.
          break;
      }
    }
  }
  changed_.notify_all();
  emit(events);
}

void TokenPool::observe(std::size_t token, const RateLimitHeaders& headers,
                        std::string_view resource) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    apply_headers(groups_[tokens_[token].group], headers, resource, clock_.now());
  }
  changed_.notify_all();
}

void TokenPool::retire(std::size_t token, std::string reason) {
  Events events;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    retire_locked(token, std::move(reason), events);
  }
  changed_.notify_all();
  emit(events);
}

void TokenPool::set_login(std::size_t index, std::string login) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    Token& token = tokens_[index];
    Group& own = groups_[token.group];
    // A token's user never changes: only a token still alone in its group (login not
    // yet known) is named or merged.
    if (!own.login.empty()) return;
    std::optional<std::size_t> target;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (g != token.group && !groups_[g].merged_away && groups_[g].login == login) {
        target = g;
        break;
      }
    }
    if (!target) {
      own.login = std::move(login);
      // A lease that came before the login was known (shared mode) applies now.
      if (auto pending = pending_holds_.find(own.login); pending != pending_holds_.end()) {
        for (const UserShare& share : pending->second) import_share(own, share, clock_.now());
        own.held = true;
        pending_holds_.erase(pending);
        changed_.notify_all();  // its state may let a waiter go, or set a later deadline
      }
      return;
    }
    // Merge into the user's group: one quota, counted once. The newest window wins;
    // within one window the lower remaining; reservations in flight add up.
    Group& into = groups_[*target];
    for (auto& [name, b] : own.buckets) {
      Bucket& dst = bucket(into, name);
      const std::int64_t in_flight = dst.in_flight + b.in_flight;
      if (b.known && (!dst.known || b.confirmed_reset > dst.confirmed_reset)) {
        dst = b;
      } else if (b.known && b.confirmed_reset == dst.confirmed_reset) {
        dst.remaining = std::min(dst.remaining, b.remaining);
        dst.unheaded += b.unheaded;
        dst.carry += b.carry;
        dst.used = std::max(dst.used, b.used);
      }
      dst.in_flight = in_flight;
    }
    into.paused_until = std::max(into.paused_until, own.paused_until);
    into.secondary_strikes = std::max(into.secondary_strikes, own.secondary_strikes);
    if (own.narrowed_width > 0) {
      into.narrowed_width = into.narrowed_width > 0
                                ? std::min(into.narrowed_width, own.narrowed_width)
                                : own.narrowed_width;
    }
    // One lane from now on. Requests already in flight on both count in it: it may be
    // over its width until they end, and takes no new one before.
    into.in_flight += own.in_flight;
    // One user's requests of the last minute, whichever token sent them.
    for (auto [from, to] : {std::pair{&own.rest_minute, &into.rest_minute},
                            std::pair{&own.graphql_minute, &into.graphql_minute}}) {
      to->insert(to->end(), from->begin(), from->end());
      std::sort(to->begin(), to->end());
      from->clear();
    }
    own.buckets.clear();
    own.in_flight = 0;
    own.merged_away = true;
    token.group = *target;
  }
  changed_.notify_all();
}

void TokenPool::stop() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopped_ = true;
  }
  changed_.notify_all();
}

bool TokenPool::stopped() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return stopped_;
}

// ---------------------------------------------------------------------------
// Leases (shared mode)
// ---------------------------------------------------------------------------

void TokenPool::import_share(Group& group, const UserShare& share, TimePoint now) {
  for (const UserShare::Bucket& s : share.buckets) {
    if (s.resource.empty()) continue;
    Bucket& b = bucket(group, s.resource);
    if (!s.estimated) {
      if (b.known && !b.estimated && from_epoch_seconds(s.reset) == b.confirmed_reset) {
        // The same window: the lower count wins. The share's remaining already counts
        // the requests its host saw answered without headers, and ours were all answered
        // before it held the user, so they are in it too: a user handed back and forth
        // is not counted down again at each hand-over.
        if (s.remaining < effective_remaining(b, s.resource, now)) {
          b.remaining = s.remaining + b.unheaded;
        }
        continue;
      }
      // GitHub's own count, as the last holder last saw it: merged as its headers would
      // be (a newer window replaces ours, an older one is ignored).
      RateLimitHeaders h;
      h.resource = s.resource;
      h.remaining = s.remaining;
      h.reset = s.reset;
      if (s.limit > 0) {
        h.limit = s.limit;
        h.used = std::max<std::int64_t>(0, s.limit - s.remaining);
      }
      apply_headers(group, h, s.resource, now);
      continue;
    }
    // The last holder's own window (requests without headers after GitHub's ended, or
    // a primary limit without a reset). It replaces what we know only when that says
    // less: nothing, a window already over, or an estimate of ours that ends sooner.
    // GitHub's next header replaces it whatever its reset, as for an estimate of ours.
    const TimePoint reset = from_epoch_seconds(s.reset);
    const bool ours_over = b.known && now >= b.reset + options_.reset_margin;
    if (!b.known || ours_over || (b.estimated && reset > b.reset)) {
      // confirmed_reset stays GitHub's last (none if unknown): any later header of
      // GitHub's replaces the estimate.
      b.known = true;
      b.estimated = true;
      if (s.limit > 0) b.limit = s.limit;
      b.remaining = s.remaining;
      b.unheaded = 0;
      b.carry = 0;
      b.reset = reset;
    } else if (b.estimated && s.reset == to_epoch_seconds(b.reset) &&
               s.remaining < effective_remaining(b, s.resource, now)) {
      b.remaining = s.remaining + b.unheaded;  // as for GitHub's windows above
    }
  }
  if (share.paused_until_ms > 0) {
    group.paused_until = std::max(group.paused_until, from_epoch_ms(share.paused_until_ms));
  }
  group.secondary_strikes = std::max(group.secondary_strikes, share.strikes);
  if (share.narrowed_width > 0) {
    group.narrowed_width = group.narrowed_width > 0
                               ? std::min(group.narrowed_width, share.narrowed_width)
                               : share.narrowed_width;
  }
  // The user's grants of the last minute on both hosts count against its caps. A union
  // (of sorted lists, a moment counted as often as the list that has it most): a share
  // that comes back to the host it left (whose own grants it carries) adds nothing.
  for (auto [from, to] : {std::pair{&share.rest_minute_ms, &group.rest_minute},
                          std::pair{&share.graphql_minute_ms, &group.graphql_minute}}) {
    std::vector<TimePoint> theirs;
    theirs.reserve(from->size());
    for (std::int64_t ms : *from) {
      const TimePoint t = from_epoch_ms(ms);
      if (now - t < std::chrono::minutes(1)) theirs.push_back(t);
    }
    std::sort(theirs.begin(), theirs.end());
    std::sort(to->begin(), to->end());
    std::deque<TimePoint> merged;
    std::set_union(to->begin(), to->end(), theirs.begin(), theirs.end(),
                   std::back_inserter(merged));
    *to = std::move(merged);
  }
}

UserShare TokenPool::export_share(const Group& group, TimePoint now) const {
  UserShare share;
  share.login = group.login;
  for (const auto& [name, b] : group.buckets) {
    if (!b.known) continue;
    UserShare::Bucket sb;
    sb.resource = name;
    sb.limit = b.limit;
    sb.remaining = effective_remaining(b, name, now);
    sb.reset = to_epoch_seconds(b.reset);
    sb.estimated = b.estimated;
    share.buckets.push_back(std::move(sb));
  }
  if (group.paused_until > now) share.paused_until_ms = to_epoch_ms(group.paused_until);
  share.strikes = group.secondary_strikes;
  share.narrowed_width = group.narrowed_width;
  for (auto [resource, to] : {std::pair{std::string_view("core"), &share.rest_minute_ms},
                              std::pair{std::string_view("graphql"), &share.graphql_minute_ms}}) {
    for (TimePoint t : minute_window(group, resource, now)) to->push_back(to_epoch_ms(t));
  }
  return share;
}

void TokenPool::hold_user(const UserShare& share) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    const TimePoint now = clock_.now();
    auto group = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
      return !g.merged_away && !g.login.empty() && g.login == share.login;
    });
    if (group == groups_.end()) {
      // No token of this login is known yet: set_login applies it (whichever comes first).
      if (!share.login.empty()) pending_holds_[share.login].push_back(share);
      return;
    }
    import_share(*group, share, now);
    group->held = true;
  }
  changed_.notify_all();
}

void TokenPool::renew_leases(TimePoint until) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    lease_until_ = until;
  }
  changed_.notify_all();
}

void TokenPool::release_user(std::string_view login) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (auto pending = pending_holds_.find(login); pending != pending_holds_.end()) {
      pending_holds_.erase(pending);
    }
    for (Group& g : groups_) {
      if (!g.merged_away && !g.login.empty() && g.login == login) g.held = false;
    }
  }
  // Waiters re-check: one whose deadline came from this user no longer waits for it.
  changed_.notify_all();
}

std::vector<UserStatus> TokenPool::users() const {
  std::lock_guard<std::mutex> guard(mutex_);
  const TimePoint now = clock_.now();
  std::vector<std::uint64_t> requests(groups_.size(), 0);
  for (const Token& t : tokens_) requests[t.group] += t.requests;
  std::vector<UserStatus> all;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const Group& group = groups_[g];
    if (group.merged_away || group.login.empty()) continue;
    UserStatus status;
    status.share = export_share(group, now);
    status.held = group.held;
    status.in_flight = group.in_flight;
    status.requests = requests[g];
    all.push_back(std::move(status));
  }
  return all;
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

PoolSnapshot TokenPool::snapshot() const {
  std::lock_guard<std::mutex> guard(mutex_);
  const TimePoint now = clock_.now();
  PoolSnapshot snap;
  snap.total_requests = total_requests_;
  snap.requests_by_resource.insert(requests_by_resource_.begin(), requests_by_resource_.end());
  snap.outcomes = outcomes_;
  snap.waiting = waiting_;
  // Resources worth summarising: the two every run uses, and any seen since.
  std::vector<std::string> resources = {"core", "search"};
  for (const Group& g : groups_) {
    for (const auto& [name, b] : g.buckets) {
      if (std::find(resources.begin(), resources.end(), name) == resources.end()) {
        resources.push_back(name);
      }
    }
  }
  for (const std::string& r : resources) snap.resources[r];

  std::vector<bool> group_counted(groups_.size(), false);
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const Token& token = tokens_[i];
    const Group& group = groups_[token.group];
    if (!group_counted[token.group]) {
      group_counted[token.group] = true;
      ++snap.quota_groups;
      if (options_.shared && group.held && !group.login.empty()) ++snap.held_users;
    }
    TokenSnapshot t;
    t.id = token.label;
    t.mask = token.mask;
    t.login = group.login;
    t.state = state_of(token, now);
    t.lent = token.lent_out > 0;
    t.requests = token.requests;
    t.errors = token.errors;
    t.last_status = token.last_status;
    t.paused_until = group.paused_until > now ? to_epoch_seconds(group.paused_until) : 0;
    for (const std::string& r : resources) {
      BucketSnapshot bs;
      if (const Bucket* b = find_bucket(group, r)) {
        bs.known = b->known;
        bs.limit = b->limit;
        bs.remaining = effective_remaining(*b, r, now);
        bs.used = b->used;
        bs.in_flight = b->in_flight;
        bs.reset = b->known ? to_epoch_seconds(b->reset) : 0;
      } else {
        bs.limit = default_limit(r);
        bs.remaining = bs.limit;
      }
      t.resources[r] = bs;
      if (!token.retired) {
        ResourceSummary& sum = snap.resources[r];
        // A busy lane is not exhaustion: the summary speaks of quota only. Nor is a user
        // another host holds (shared mode): its quota is not this host's to count.
        if (!leased(group)) {
          ++sum.unheld;
        } else if (has_quota(i, r, 1, now)) {
          ++sum.available;
        } else {
          ++sum.exhausted;
        }
      }
    }
    snap.tokens.push_back(std::move(t));
  }
  return snap;
}

}  // namespace gh
