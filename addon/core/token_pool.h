// The token pool: which token each request is sent with, and when to wait.
//
// Rules (README "How the token pool works" explains them for users):
// - One lane per GitHub user: all tokens of one login, every resource (core, search,
//   graphql, ...), carry at most PoolOptions::concurrency_per_user requests in flight,
//   1 by default. GitHub asks for the requests of one user to be made serially; a second
//   concurrent one risks a secondary limit, which pauses the whole user. Tokens whose
//   login is not yet known are each a lane of their own; set_login merges them into
//   their user's lane (requests already in flight then count in it).
// - Every worker has a primary token. When the primary's user is busy (its lane full)
//   or cannot serve the request's resource (bucket at or below the reserve, per-minute
//   cap reached, paused, retired), the worker takes a request on the best token of a
//   user whose lane is free and who can serve: the most remaining-minus-in-flight for
//   that resource, then fewer recent errors, then the user with fewer requests in
//   flight. It returns to its primary as soon as the primary can serve again. With
//   rotation on, a worker moves to the best other token after N consecutive requests,
//   under the same rules. A worker never waits while a user with quota has a free lane.
// - Buckets are per resource and per GitHub user: tokens whose login is the same share
//   one quota group, so a user's quota is never counted twice. The lane orders a user's
//   requests; the buckets and the per-minute caps still decide whether one may be sent,
//   so search, GraphQL and core on one lane each keep their own budget.
// - A request needs a Permit, which takes a place in its user's lane and reserves its
//   cost in the bucket (in flight) before it is sent: ten workers cannot together
//   overspend the last requests of a bucket. GraphQL costs points (GitHub's query cost),
//   and buckets count in whatever unit GitHub's headers use for them; a permit's cost is
//   in that unit throughout.
// - x-ratelimit-* headers update the bucket: a newer window replaces it, a response of
//   the same window can only lower `remaining`, an older window is ignored.
// - Primary limit: the bucket is empty until its reset. Secondary limit: the user is
//   paused (all its tokens, all resources) until retry-after, else the reset if
//   remaining is 0, else an exponential backoff from 60 s; no permit is granted for it
//   meanwhile, and a lane wider than one is halved for the rest of the run. 401: the
//   token is retired for the run.
// - When no token can serve, acquire() blocks until a permit ends (a lane frees, a
//   reservation comes back) or the earliest moment a bucket or a pause allows one (a
//   reset plus a margin, the end of a pause), and wakes early on stop(). Only a wait
//   with nothing in flight is a wait for quota: it is reported once ("all tokens
//   exhausted"); busy lanes are never reported as exhaustion, nor is pacing for the
//   per-minute caps. When no token can ever serve (all retired), it fails at once.
// - Shared mode (PoolOptions::shared, --coordinate): several hosts run with the same
//   tokens, and GitHub's "one user, serially" holds across them only if each user's lane
//   is on one host at a time. So a user is leased: this pool serves a user only while
//   hold_user() says this host holds it, and release_user() stops new permits (those in
//   flight finish and report). The user's state travels with the lease (UserShare: its
//   buckets, pause, strikes, narrowed lane, last minute's grants), so the next holder
//   neither sends on a bucket the last one spent nor meets the pause or the per-minute
//   cap it met; hold_user() merges it by the rules above. A user this host does not hold
//   is not spent: waiting for it is neither reported as exhaustion nor a dead end, and
//   sets no deadline (hold_user() wakes the waiters). Tokens whose login is not yet known
//   serve as before (the token check at start, while the other hosts hold off).
//
// Thread-safe: one mutex guards all state; listeners are called without it held.
#ifndef GH_INGEST_CORE_TOKEN_POOL_H_
#define GH_INGEST_CORE_TOKEN_POOL_H_

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/rate_limit.h"

namespace gh {

// GitHub's hard cap: at most 100 concurrent requests per user (REST and GraphQL together).
inline constexpr int kMaxConcurrencyPerUser = 100;

struct PoolOptions {
  // Reserve kept in the hourly buckets (core, graphql, ...): a token whose remaining is
  // at or below it counts as exhausted. The per-minute search buckets are spent to 0.
  std::int64_t min_remaining = 0;
  // Rotate a worker to another token after this many consecutive requests (0: never).
  int requests_per_token = 0;
  // Margin past a reset before a bucket is trusted to be full again (clock skew).
  Millis reset_margin{1000};
  // First pause after a secondary limit without retry-after; doubles each time after.
  Millis secondary_backoff{60'000};
  Millis secondary_backoff_max{30 * 60'000};
  // How far back "recent errors" look when breaking ties between tokens.
  Millis error_window{5 * 60'000};
  // Requests of one GitHub user in flight at once: the user's lane (all its tokens, all
  // resources). GitHub's best practices: "make requests for a single user serially, not
  // concurrently"; a second concurrent request risks a secondary limit, which pauses the
  // whole user (every token, REST and GraphQL). Raise it only for a GitHub Enterprise
  // server without that limit, or when accepting the risk. Values below 1 count as 1,
  // values above kMaxConcurrencyPerUser as that cap.
  int concurrency_per_user = 1;
  // GitHub's secondary caps per user: at most 900 points a minute for REST endpoints and
  // 2,000 for GraphQL, where a read (a GET, a query without mutations) is one point.
  // Requests beyond them are answered with a secondary limit that pauses the whole user,
  // so the pool paces each user below them: a request waits until the oldest of the
  // last minute's is a minute old. 0: no cap.
  int rest_points_per_minute = 900;
  int graphql_points_per_minute = 2000;
  // Shared mode (--coordinate): a user whose login is known is served only while this
  // host holds it (TokenPool::hold_user). False: every user is always served.
  bool shared = false;
};

enum class TokenState { ok, exhausted, paused, retired };
const char* to_string(TokenState state);

// The limit GitHub documents for a resource, assumed until a response says otherwise.
std::int64_t default_limit(std::string_view resource);

struct Feedback {
  Outcome outcome = Outcome::success;
  int http_status = 200;
  RateLimitHeaders headers;
};

class TokenPool;

// The right to send one request with one token. Move-only. The HTTP layer reads the
// token from secret(), sends, then calls report(); a permit dropped without a report
// gives its reservation back unspent (the request was not sent).
class Permit {
 public:
  Permit() = default;
  Permit(Permit&& other) noexcept;
  Permit& operator=(Permit&& other) noexcept;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit();

  explicit operator bool() const { return pool_ != nullptr; }
  std::size_t token() const { return token_; }
  std::size_t worker() const { return worker_; }
  const std::string& resource() const { return resource_; }
  std::int64_t cost() const { return cost_; }
  bool borrowed() const { return borrowed_; }
  // The whole token, for the Authorization header only. Only on a live permit.
  const std::string& secret() const;

  // Reports how the request ended; ends the permit.
  void report(const Feedback& feedback);

 private:
  friend class TokenPool;
  void release();

  TokenPool* pool_ = nullptr;
  std::size_t token_ = 0;
  std::size_t worker_ = 0;
  std::string resource_;
  std::int64_t cost_ = 0;
  bool borrowed_ = false;
};

enum class AcquireStatus { ok, would_block, stopped, no_usable_token };

struct Acquisition {
  AcquireStatus status = AcquireStatus::stopped;
  Permit permit;
  std::string error;  // set with no_usable_token
};

// Something the program may want to tell the user about.
struct PoolEvent {
  enum class Kind {
    waiting,    // no token can serve `resource` until `until`; `token` frees first
    exhausted,  // `token`'s `resource` bucket is spent until `until`
    paused,     // `token`'s user hit a secondary limit; paused until `until`
    retired,    // `token` was rejected (401) and is out for the run
    resumed,    // a wait reported before is over
  };
  Kind kind;
  std::size_t token = 0;
  std::string resource;
  TimePoint until{};
  std::string message;  // one line, tokens masked
};
using EventListener = std::function<void(const PoolEvent&)>;

struct BucketSnapshot {
  std::int64_t limit = 0;
  std::int64_t remaining = 0;  // as the pool estimates it now (refilled after a reset)
  std::int64_t used = 0;
  std::int64_t in_flight = 0;
  std::int64_t reset = 0;  // epoch seconds; 0 when unknown
  bool known = false;      // false until a response described this bucket
};

struct TokenSnapshot {
  std::string id;     // "Token #3"
  std::string mask;   // "ghp_…k9Qz"
  std::string login;  // empty until known
  TokenState state = TokenState::ok;
  bool lent = false;  // a worker other than its own holds a permit on it right now
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  int last_status = 0;
  std::int64_t paused_until = 0;  // epoch seconds; 0 when not paused
  std::map<std::string, BucketSnapshot> resources;
};

struct ResourceSummary {
  // Usable tokens whose quota allows one request now (a busy lane is not exhaustion),
  // and those whose quota does not, until a reset or the end of a pause.
  int available = 0;
  int exhausted = 0;
  // Shared mode: usable tokens of users this host does not hold (in neither count above).
  int unheld = 0;
};

struct PoolSnapshot {
  std::vector<TokenSnapshot> tokens;
  std::map<std::string, ResourceSummary> resources;
  std::uint64_t total_requests = 0;
  std::array<std::uint64_t, kOutcomeCount> outcomes{};        // indexed by Outcome
  std::map<std::string, std::uint64_t> requests_by_resource;  // answered requests
  int quota_groups = 0;  // distinct GitHub users (tokens of unknown login count alone)
  int waiting = 0;       // workers blocked in acquire() right now
  int held_users = 0;    // shared mode: users (known login) this host holds now
};

// One GitHub user's state as hosts hand it to each other with its lease (shared mode):
// what the next holder needs so as not to repeat what the last one met.
struct UserShare {
  std::string login;
  struct Bucket {
    std::string resource;
    std::int64_t limit = 0;
    std::int64_t remaining = 0;  // as the pool estimates it now, reservations not subtracted
    std::int64_t reset = 0;      // epoch seconds
    // `reset` is the pool's own estimate, not GitHub's (requests answered without headers
    // after a window ended, a primary limit without a reset): GitHub's next header
    // replaces it, whatever reset that header has.
    bool estimated = false;
  };
  std::vector<Bucket> buckets;       // known buckets only
  std::int64_t paused_until_ms = 0;  // epoch ms; 0: not paused
  int strikes = 0;                   // secondary limits met in a row
  int narrowed_width = 0;            // the lane's width after a secondary limit; 0: not narrowed
  // When the last minute's requests were granted (epoch ms), for the per-minute caps.
  std::vector<std::int64_t> rest_minute_ms;
  std::vector<std::int64_t> graphql_minute_ms;
};

struct UserStatus {
  UserShare share;
  bool held = false;
  int in_flight = 0;           // requests of this user in flight now
  std::uint64_t requests = 0;  // answered requests of this user's tokens so far
};

class TokenPool {
 public:
  // `tokens` must be non-empty and free of duplicates (see token_source.h). The clock
  // must outlive the pool.
  TokenPool(std::vector<std::string> tokens, PoolOptions options, Clock& clock);
  ~TokenPool();
  TokenPool(const TokenPool&) = delete;
  TokenPool& operator=(const TokenPool&) = delete;

  std::size_t size() const { return tokens_.size(); }

  // Blocks until `worker` may send a request costing `cost` on `resource`.
  Acquisition acquire(std::size_t worker, std::string_view resource, std::int64_t cost = 1);
  // Never blocks: would_block instead of waiting.
  Acquisition try_acquire(std::size_t worker, std::string_view resource, std::int64_t cost = 1);

  // A permit on one given token, for requests that are about that token (GET /user at
  // start). Never blocks: would_block when it cannot serve now.
  Acquisition try_acquire_token(std::size_t token, std::string_view resource,
                                std::int64_t cost = 1);
  // The worker id of permits taken with try_acquire_token.
  static constexpr std::size_t kNoWorker = static_cast<std::size_t>(-1);

  // The login behind a token (from GET /user). Tokens of one login share a quota.
  void set_login(std::size_t token, std::string login);
  // Takes a token out for the run (also done by a 401 report).
  void retire(std::size_t token, std::string reason);
  // Applies a response's headers outside any permit (e.g. GET /rate_limit, which is free).
  void observe(std::size_t token, const RateLimitHeaders& headers, std::string_view resource);

  // Wakes every waiter; acquire() returns `stopped` from now on.
  void stop();
  bool stopped() const;

  // The primary token of a worker (assigned at its first acquire).
  std::optional<std::size_t> primary_of(std::size_t worker) const;

  // Shared mode: this host holds `share.login` from now on. Its state is merged with the
  // pool's (buckets as headers are, the later pause, the more strikes, the narrower lane,
  // both hosts' grants of the last minute) and waiters wake. For a login no token has
  // yet (set_login), it is kept and applied when set_login names that login.
  void hold_user(const UserShare& share);
  // Shared mode: no new permit for `login` from now on; permits in flight finish and
  // report as usual (their headers still update its buckets).
  void release_user(std::string_view login);
  // Every known user (login set): its state to hand over, whether held, its requests.
  std::vector<UserStatus> users() const;
  // Shared mode: this host's leases hold until `until` and no longer, unless renewed. The
  // job's database frees a host's users once its heartbeat is older than its TTL; a host
  // whose heartbeats stall (a blocked event loop, a slow database) must stop sending for
  // them before that, whatever its own threads are doing. Until the first call: no limit.
  void renew_leases(TimePoint until);

  PoolSnapshot snapshot() const;
  // Called from worker threads, without the pool's lock held; keep it short.
  void set_event_listener(EventListener listener);

 private:
  friend class Permit;

  struct Bucket {
    bool known = false;
    std::int64_t limit = 0;
    // The lowest remaining GitHub's headers reported in this window (the latest point
    // of its count we have seen), and the requests of the window that finished without
    // headers: what is left is at most remaining - unheaded.
    std::int64_t remaining = 0;
    std::int64_t unheaded = 0;
    std::int64_t used = 0;
    TimePoint reset{};
    // The last reset GitHub itself sent. `reset` differs from it only while `estimated`:
    // after a window ended and requests finished without headers, we count them in a
    // window of our own until GitHub's next headers describe the real one.
    TimePoint confirmed_reset{};
    bool estimated = false;
    // Requests that finished without headers so close to the reset that GitHub may
    // have counted them in the next window: deducted from it too when it starts.
    std::int64_t carry = 0;
    std::int64_t in_flight = 0;  // reserved cost
  };
  // One GitHub user's quota and lane (or one token's while its login is unknown).
  struct Group {
    std::string login;
    std::map<std::string, Bucket, std::less<>> buckets;
    TimePoint paused_until{};
    int secondary_strikes = 0;
    int in_flight = 0;  // requests of this user in flight, all resources: its lane
    // Its lane's width once a secondary limit narrowed it (halved each time, down to 1,
    // for the rest of the run); 0: the run's width.
    int narrowed_width = 0;
    bool merged_away = false;
    // Shared mode: this host holds the user's lease (hold_user); without it, a group of
    // known login serves no request.
    bool held = false;
    // When this user's requests of the last minute were granted, REST and GraphQL
    // apart (the secondary caps); pruned as they age past a minute.
    mutable std::deque<TimePoint> rest_minute;
    mutable std::deque<TimePoint> graphql_minute;
  };
  struct Token {
    std::string secret;
    std::string label;
    std::string mask;
    std::size_t group = 0;
    bool retired = false;
    std::string retired_reason;
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    int last_status = 0;
    int lent_out = 0;   // permits held by workers whose primary it is not
    int primaries = 0;  // workers bound to it
    std::deque<TimePoint> recent_errors;
  };
  struct Worker {
    bool assigned = false;
    std::size_t primary = 0;
    std::size_t current = 0;  // with rotation, the token it is on
    int consecutive = 0;
  };
  using Events = std::vector<PoolEvent>;

  Acquisition acquire_impl(std::size_t worker, std::string_view resource, std::int64_t cost,
                           bool block);
  // Under lock: a token for the request now, or nullopt.
  std::optional<std::size_t> choose(Worker& w, std::string_view resource, std::int64_t cost,
                                    TimePoint now);
  std::optional<std::size_t> best_candidate(std::string_view resource, std::int64_t cost,
                                            TimePoint now, std::optional<std::size_t> exclude);
  // Whether `token` may take the request now: its user's lane has a free place and
  // has_quota().
  bool can_serve(std::size_t token, std::string_view resource, std::int64_t cost,
                 TimePoint now) const;
  // Whether the request fits `token`'s budgets now, its lane aside: not retired, its
  // user held (shared mode), not paused, under the per-minute cap, room in the bucket
  // beyond the reserve.
  bool has_quota(std::size_t token, std::string_view resource, std::int64_t cost,
                 TimePoint now) const;
  // Requests of one user allowed in flight at once (concurrency_per_user, within 1..100).
  int lane_width(const Group& group) const;
  // Shared mode: whether the group is this host's to serve (held, or login unknown).
  bool leased(const Group& group) const;
  // Whether `group`'s bucket for `resource` could ever hold a request costing `cost`.
  bool fits_limit(const Group& group, std::string_view resource, std::int64_t cost) const;
  // The requests of the last minute that count against `resource`'s per-minute cap
  // (pruned to that minute), and that cap (0: none).
  std::deque<TimePoint>& minute_window(const Group& group, std::string_view resource,
                                       TimePoint now) const;
  int minute_cap(std::string_view resource) const;
  // Under lock: the earliest moment, later than `now`, when a token's budgets allow the
  // request (the end of a pause, a reset plus the margin, the per-minute cap), and which
  // token. Tokens held back now only by requests in flight (a full lane, reservations)
  // are left out: those requests' reports wake the waiters. nullopt: no such moment.
  // `paced`: the earliest is held back by a per-minute cap, not by a spent bucket.
  std::optional<std::pair<TimePoint, std::size_t>> earliest_ready(std::string_view resource,
                                                                  std::int64_t cost, TimePoint now,
                                                                  bool* paced = nullptr) const;
  Permit grant(Worker& w, std::size_t worker_index, std::size_t token, std::string_view resource,
               std::int64_t cost);
  Permit reserve(std::size_t worker_index, std::size_t token, std::string_view resource,
                 std::int64_t cost, bool borrowed);
  Worker& worker_state(std::size_t worker);

  void finish(Permit& permit, const Feedback* feedback);
  void apply_headers(Group& group, const RateLimitHeaders& headers, std::string_view resource,
                     TimePoint now);
  void retire_locked(std::size_t token, std::string reason, Events& events);
  // Under lock: merges a share handed over with a lease into `group`, and the reverse:
  // `group`'s state to hand over.
  void import_share(Group& group, const UserShare& share, TimePoint now);
  UserShare export_share(const Group& group, TimePoint now) const;
  Bucket& bucket(Group& group, std::string_view resource);
  const Bucket* find_bucket(const Group& group, std::string_view resource) const;
  std::int64_t effective_remaining(const Bucket& bucket, std::string_view resource,
                                   TimePoint now) const;
  std::int64_t reserve_for(std::string_view resource) const;
  int recent_errors(const Token& token, TimePoint now) const;
  TokenState state_of(const Token& token, TimePoint now) const;
  void emit(Events& events);

  std::vector<Token> tokens_;
  std::vector<Group> groups_;
  const PoolOptions options_;
  Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Worker> workers_;
  TimePoint lease_until_ = TimePoint::max();  // shared mode: renew_leases
  std::array<std::uint64_t, kOutcomeCount> outcomes_{};
  std::uint64_t total_requests_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> requests_by_resource_;
  bool stopped_ = false;
  int waiting_ = 0;
  std::map<std::string, TimePoint, std::less<>> reported_wait_;  // per resource
  // hold_user() for logins no token has yet: applied when set_login names them.
  std::map<std::string, std::vector<UserShare>, std::less<>> pending_holds_;
  EventListener listener_;
  std::mutex listener_mutex_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_TOKEN_POOL_H_
