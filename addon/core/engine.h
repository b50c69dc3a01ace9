// The fetch engine: worker threads bound to tokens that search GitHub for every group's
// queries (split past the 1,000 cap), claim each new repository once, fetch its details,
// and hand batches to a sink. Groups (clusters) are served round-robin, so a run stopped
// at any moment leaves them equally advanced; a group stops searching once it has all
// it wants. At most `max_unacked` batches wait for the sink's acknowledgement: workers
// pause beyond that, so memory stays flat however slow storage is. With a WorkGate,
// several such engines (hosts) share one job: each query is run, and each repository
// claimed, by one host only, and a host out of work takes over the work of hosts that died.
//
// Policy-free: what the groups are, how repositories are enriched and stored, is the
// caller's (the JS ingest program). Thread-safe; the sink is called from worker threads.
#ifndef GH_INGEST_CORE_ENGINE_H_
#define GH_INGEST_CORE_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/batch_sizer.h"
#include "core/clock.h"
#include "core/date_range.h"
#include "core/details_fetcher.h"
#include "core/fair_queue.h"
#include "core/github_api.h"
#include "core/github_json.h"
#include "core/graphql_response.h"
#include "core/http_client.h"
#include "core/repository.h"
#include "core/repository_registry.h"
#include "core/retry_policy.h"
#include "core/search_splitter.h"
#include "core/stop_signal.h"
#include "core/token_check.h"
#include "core/token_pool.h"
#include "core/work_gate.h"

namespace gh {

struct EngineGroup {
  std::string name;
  std::vector<std::string> queries;  // GitHub search syntax, passed through
  std::int64_t limit = 0;            // new repositories wanted
};

// How repository details are fetched: one GraphQL query per 100 repositories (points of
// the graphql bucket), or up to three REST requests per repository (core bucket).
enum class DetailsApi { rest, graphql };

// A stored repository to re-check (--refresh). Through REST: asked by id with its stored
// ETag; a 304 is free and delivered as unchanged. Through GraphQL: re-read with 100
// others in one query (by node id, else by owner and name) and compared with its stored
// columns. Either way a changed one gets its details again.
struct RefreshTarget {
  std::int64_t id = 0;
  std::size_t group = 0;  // the group whose batches carry it (its stored cluster)
  std::string etag;       // of GET /repositories/{id}; empty: none stored
  // The stored row's columns (no details); without them a GraphQL refresh asks REST.
  std::optional<Repository> stored;
};

// OwedRepository (work_gate.h): a repository an earlier run claimed and could not fetch
// (pending): fetched first, by id, for the group it was claimed for.

struct EngineOptions {
  std::vector<std::string> tokens;
  std::string api_url = "https://api.github.com";
  int workers = 0;  // 0: min(tokens, 10) x pool.concurrency_per_user
  DetailSet details;
  DetailsApi details_api = DetailsApi::rest;
  std::string graphql_url;  // empty: derived from api_url (graphql_url())
  std::size_t batch_size = 100;
  std::size_t max_unacked = 4;
  // Stored and fresh: found again, they need no details and count for no group.
  std::vector<std::int64_t> known_ids;
  // Stored repositories to re-check; they are known too (searches skip them).
  std::vector<RefreshTarget> refresh;
  // Pending from earlier runs: claimed before any search, fetched before new work.
  std::vector<OwedRepository> owed;
  // Stored ETags of repositories fetched again (--refresh): sent as If-None-Match, so an
  // unchanged detail is a free 304.
  std::unordered_map<std::int64_t, DetailEtags> known_etags;
  // Check every token (GET /user, GET /rate_limit) before work: logins, quotas, bad ones.
  bool check_tokens = true;
  // Each token's login (index by index), when the caller checked them (check_tokens
  // false): its tokens share one quota and one lane from the start. Empty: unknown.
  std::vector<std::string> logins;
  // The newest creation date searched (default: now).
  std::optional<Instant> created_upper;
  PoolOptions pool;
  HttpOptions http;
  RetryOptions retry;
  // Another process runs the same job (--coordinate): queries, repositories and the work
  // of hosts that died are shared out through it (see work_gate.h). nullptr: this
  // process runs the job alone. Not owned; outlives the engine.
  WorkGate* gate = nullptr;
};

// A batch of new repositories of one group, in the order they were claimed.
struct Batch {
  std::uint64_t id = 0;
  std::size_t group = 0;
  std::vector<Repository> repositories;
  std::vector<DetailReport> details;  // per repository: what was fetched, ETags
  // Per repository: every group that has found it so far, its own group first.
  std::vector<std::vector<std::size_t>> finders;
  // Re-checked stored repositories: unchanged since their ETag (304), or gone (404/451).
  std::vector<std::int64_t> unchanged;
  std::vector<std::int64_t> gone;
};

struct EngineEvent {
  enum class Kind {
    progress,  // `message` summarises; counters in the engine's stats
    pool,      // a token pool event (waits, exhausted, paused, retired)
    warning,   // something went wrong for one query or repository; the run goes on
    error,     // the run cannot go on (no usable token)
  };
  Kind kind = Kind::progress;
  std::optional<std::size_t> group;
  std::string message;  // one line, tokens masked
  std::optional<PoolEvent> pool_event;
};

class EngineSink {
 public:
  virtual ~EngineSink() = default;
  // A batch; acknowledge it with Engine::ack(batch.id) once stored.
  virtual void on_batch(Batch batch) = 0;
  virtual void on_event(const EngineEvent& event) = 0;
};

struct GroupResult {
  std::string name;
  std::int64_t limit = 0;
  std::int64_t delivered = 0;    // new repositories handed to the sink
  bool full = false;             // reached its limit
  // Every query ran dry before the limit, with nothing lost on the way: short for good.
  bool exhausted = false;
  std::int64_t unreachable = 0;  // matches beyond the cap in a one-second range
  std::int64_t lost = 0;         // claimed for it but not fetched: pending
  std::int64_t failed_searches = 0;  // search ranges that failed after retries
};

// A claimed repository whose details could not be fetched through either API after
// retries: the caller records it and fetches it first next time.
struct PendingRepository {
  std::int64_t id = 0;
  std::string node_id;
  std::string full_name;
  std::size_t group = 0;
  std::vector<std::size_t> finders;  // every group that found it, its own first
  std::string error;                 // the last failure, one line
  int attempts = 0;                  // ways tried in this run (one per API)
};

// A search range whose requests failed after retries: its repositories were not all
// seen. `query` is the user's; `range_query` the one sent (with its created: range).
struct FailedSearch {
  std::size_t group = 0;
  std::string query;
  std::string range_query;
  std::string error;
};

struct EngineResult {
  bool ok = true;
  bool stopped = false;
  std::string error;  // one line when !ok
  std::vector<GroupResult> groups;
  std::vector<TokenCheck> token_checks;
  std::uint64_t batches = 0;
  std::uint64_t retried = 0;          // requests sent again after a transient failure
  std::uint64_t graphql_queries = 0;  // details queries sent (retries included)
  std::int64_t graphql_points = 0;    // points they were charged (rateLimit.cost)
  struct RefreshCounts {
    std::int64_t changed = 0;    // delivered again, details fetched anew
    std::int64_t unchanged = 0;  // 304: free
    std::int64_t gone = 0;       // deleted or private since
    std::int64_t failed = 0;     // not re-checked (errors after retries)
  } refresh;
  // Ranges re-checked against their total_count (results shift while paging): the
  // search requests it cost, the repositories only it found, and how many a range's
  // count still exceeded what arrived (GitHub's count moving).
  std::int64_t search_rechecks = 0;
  std::int64_t search_recheck_found = 0;
  std::int64_t search_short = 0;
  std::vector<PendingRepository> pending;
  std::vector<FailedSearch> failed_searches;
  // Owed repositories (EngineOptions::owed) found gone from GitHub: no longer owed.
  std::int64_t owed_gone = 0;
  BatchSizerStats graphql_batches;  // the GraphQL details query's size, as learnt
  // Repositories found by more groups than their delivered batch listed (found again
  // after delivery, or stored before the run): all their finders, the owner first.
  std::vector<std::pair<std::int64_t, std::vector<std::size_t>>> late_finders;
  // With a gate (--coordinate): repositories found and left to the host that claimed
  // them first (neither fetched nor counted here), and queries the job gave another host
  // (one adopted later still counts).
  std::int64_t claimed_elsewhere = 0;
  std::int64_t queries_elsewhere = 0;
  // Claimed for the job and offered to idle hosts with their search fields (fetched and
  // stored by whichever host adopted them), and those this host adopted that way.
  std::int64_t offered = 0;
  std::int64_t adopted_offered = 0;
};

class Engine {
 public:
  Engine(EngineOptions options, std::vector<EngineGroup> groups, EngineSink& sink, Clock& clock);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Checks the tokens and starts the workers; returns at once.
  void start();
  // Releases backpressure for one batch.
  void ack(std::uint64_t batch_id);
  // The group wants nothing more (its quota is met elsewhere).
  void cancel_group(std::size_t group);
  // Ends the run: in-flight requests are abandoned, queued work dropped, waits woken.
  void stop();
  // Waits for the run to end (all work done, or stopped) and returns what it did.
  EngineResult wait();

  PoolSnapshot pool_snapshot() const;
  // One host of a coordinated job (PoolOptions::shared): the users it holds and their
  // state, passed through to the pool (TokenPool::users, hold_user, release_user).
  std::vector<UserStatus> users() const;
  void hold_user(const UserShare& share);
  void release_user(std::string_view login);
  void renew_leases(TimePoint until);
  // With a gate: `hosts` other hosts of the job have nothing to do (the heartbeat says
  // so). The next worker free offers them their share of the queued details,
  // hosts / (hosts + 1) of it, through WorkGate::offer; once per call.
  void offer_to_idle_hosts(std::size_t hosts);
  // With a gate: repositories this host claimed that the job gave to another host while
  // this one was presumed dead (its heartbeat expired). Those still queued are dropped
  // unfetched and counted as claimed elsewhere, their places back to their groups; one
  // a worker has started is fetched anyway. Returns how many were dropped.
  std::size_t drop_claims(const std::vector<std::int64_t>& ids);

 private:
  struct SearchWork {
    std::size_t splitter;
    std::size_t group;  // whose queue holds it (one of the splitter's groups)
    SearchTask task;
  };
  struct DetailWork {
    Repository repo;
    bool refreshed = false;       // a re-checked stored repository
    std::string repository_etag;  // its new ETag
    // Failed through the run's API: fetched alone through the other one (GraphQL's
    // REST, REST's GraphQL), once, before it is given up as pending.
    bool fallback = false;
    std::string first_error;
  };
  struct GroupState {
    std::vector<std::size_t> splitters;
    std::vector<Repository> pending;  // the batch being filled
    std::vector<DetailReport> pending_details;
    std::vector<std::int64_t> pending_unchanged;
    std::vector<std::int64_t> pending_gone;
    std::int64_t delivered = 0;
    std::int64_t counts_out = 0;  // count tasks queued or running
    bool cancelled = false;
  };

  void coordinate();  // the run, on its own thread: token check, workers, last flush
  void finish();
  void run_worker(std::size_t index);
  // The next piece of work, details first (up to `max_details` of them, from any
  // groups); false when the run is over.
  // `owed`: `refresh` is an owed repository, not a re-check.
  // `rereads`: stored repositories to re-read in one GraphQL query (--refresh with
  // --api=graphql), up to kGraphqlMaxRepositories.
  // `adopt`: no work is left, ask the gate for the work of hosts that died (adopt_work).
  // `offer`: `details` are queued work to offer to idle hosts (offer_details).
  bool take(std::optional<SearchWork>& search, std::optional<RefreshTarget>& refresh, bool& owed,
            std::vector<std::pair<std::size_t, DetailWork>>& details, std::size_t max_details,
            std::vector<RefreshTarget>& rereads, bool& adopt, bool& offer);
  // Offers queued details to the job's idle hosts; what the job does not take is queued
  // again, ahead.
  void offer_details(std::vector<std::pair<std::size_t, DetailWork>>& details);
  // An owed repository (EngineOptions::owed): its search fields by id, then its details.
  void fetch_owed(GitHubApi& api, GitHubJson& json, const RefreshTarget& target);
  // A repository fetched by id (re-checked or owed): its details queued (`first`: ahead of
  // the group's others), or delivered at once when none are wanted.
  void queue_details(std::size_t group, DetailWork work, bool first);
  // A detail fetch that failed: tried through the other API, or given up as pending.
  void detail_failed(std::size_t group, DetailWork work, const DetailReport& report);
  // A claimed repository given up for this run: recorded for the caller, claim kept.
  void add_pending(std::size_t group, std::int64_t id, std::string node_id,
                   std::string full_name, std::string error, int attempts);
  // A claim given back (gone): the group may search for another repository.
  void give_back(std::size_t group, std::int64_t id);
  void refresh_one(GitHubApi& api, GitHubJson& json, const RefreshTarget& target);
  // Stored repositories re-read through GraphQL, every column in one query per 100:
  // unchanged ones are delivered as such, changed ones queued for their details, ones
  // GraphQL cannot serve re-checked alone through REST. Returns queries and points spent.
  std::pair<std::uint64_t, std::int64_t> reread(GitHubApi& api, GitHubJson& json,
                                                GraphqlResponseParser& parser,
                                                const std::string& url,
                                                std::vector<RefreshTarget>& targets);
  void add_refreshed(std::size_t group, std::int64_t id, bool gone);
  void detail_done(std::size_t group, DetailWork work, DetailReport report);
  static std::size_t pending_size(const GroupState& state) {
    return state.pending.size() + state.pending_unchanged.size() + state.pending_gone.size();
  }
  void finished_one();
  // A splitter for `query`, first listed by `group` (its listeners are the caller's to
  // add). Under mutex_, or before the workers start.
  std::size_t add_splitter(const std::string& query, std::size_t group);
  // With a gate: whether this host runs the search's query, asked before its first task
  // runs. false: the task is dropped (another host runs the query, or the run stopped).
  bool admit(const SearchWork& work);
  // A search task handed out and not run (another host's query, the run stopping). Under
  // mutex_.
  void drop_search_locked(const SearchWork& work);
  // A search task of `splitter` finished: with a gate, the query's end is reported once
  // nothing of its plan is left.
  void search_ended(std::size_t splitter);
  // The work of hosts that died, from the gate, queued as this host's; or, when there is
  // none, the run's end.
  void adopt_work();
  void queue_group_tasks(std::size_t group);
  void report_plan_failure(std::size_t splitter);
  // A search range (or a whole query) whose requests failed after retries.
  void add_failed_search(std::size_t splitter, std::size_t group, const std::string& range_query,
                         const std::string& error);
  void on_found(std::size_t splitter, SearchPage& page);
  // With a gate: the page's new claims (group, repository) asked of the job; those another
  // host has are given back and removed from `claimed`.
  void claim_from_gate(std::vector<std::pair<std::size_t, Repository*>>& claimed);
  // The splitter's groups that may still claim, the one furthest from its limit first.
  std::vector<std::size_t> claim_order(std::size_t splitter);
  // A group full for now: its queued searches that another group shares and still
  // needs move to that group's queue. Under mutex_.
  void pause_group_locked(std::size_t group);
  void add_to_batch(std::size_t group, Repository repo, DetailReport report);
  void flush(std::size_t group, std::unique_lock<std::mutex>& lock);
  void flush_all();
  void emit(EngineEvent event);

  EngineOptions options_;
  std::vector<EngineGroup> groups_;
  EngineSink& sink_;
  Clock& clock_;
  StopSignal stop_;
  std::unique_ptr<TokenPool> pool_;
  std::shared_ptr<HttpShare> share_;
  RepositoryRegistry registry_;
  // The GraphQL details query's size, learnt from GitHub's answers (its selection is the
  // run's --details, one for the whole run).
  BatchSizer batch_sizer_;
  // The re-read query's (--refresh through GraphQL): another selection, another size.
  BatchSizer reread_sizer_;
  SplitOptions split_;  // every splitter's, the adopted queries' too
  // The splitters and what goes with them (below, and GroupState::splitters) grow only in
  // adopt_work, under mutex_, while no other worker is busy: readers outside the mutex
  // are busy workers, or the coordinator after the join.
  std::vector<std::unique_ptr<SearchSplitter>> splitters_;
  std::vector<std::size_t> splitter_group_;  // the first group that listed its query
  // Every group that listed the query: one search serves them all.
  std::vector<std::vector<std::size_t>> splitter_groups_;
  std::vector<std::string> splitter_query_;
  std::vector<bool> splitter_failure_reported_;  // under mutex_
  // Whose query it is (with a gate; without one every query is this host's).
  enum class QueryTurn { unasked, asking, mine, elsewhere };
  struct SplitterRun {
    QueryTurn turn = QueryTurn::mine;
    int out = 0;         // tasks handed out (queued or running) and not finished
    bool ended = false;  // its end told to the gate
  };
  std::vector<SplitterRun> splitter_run_;  // under mutex_
  // The gate's adopt() came back empty: the job is over, nothing more to ask.
  bool job_over_ = false;

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // work queued, or the run is over
  std::condition_variable ack_cv_;   // a batch acknowledged
  FairQueue<SearchWork> searches_;
  FairQueue<DetailWork> details_;
  FairQueue<RefreshTarget> refreshes_;
  FairQueue<DetailWork> fallbacks_;  // one at a time, through the other API
  FairQueue<RefreshTarget> owed_;    // before any search
  // Re-read repositories that changed (--refresh through GraphQL): their details wait
  // for a full query (the details query's size) while re-reads remain, so 100 changed
  // repositories cost one query however the re-reads that found them were spread.
  FairQueue<DetailWork> reread_changed_;
  int rereads_running_ = 0;
  std::vector<bool> splitter_lost_;  // a range of it failed: its query is not exhausted
  // Owed repositories' node id and name, by id (the pending list repeats them).
  std::unordered_map<std::int64_t, std::pair<std::string, std::string>> owed_names_;
  // Offered to the job by this host (claimed in the registry for their group): one
  // adopted back is queued as it is, not claimed again.
  std::unordered_set<std::int64_t> offered_ids_;
  // Other hosts of the job with nothing to do, as the last heartbeat said: a share of the
  // queued details is offered to them once per beat (offer_to_idle_hosts), by one worker.
  std::size_t idle_hosts_ = 0;
  bool offering_ = false;
  bool refresh_turn_ = false;
  std::size_t worker_count_ = 1;  // searches and re-checks take turns
  std::vector<GroupState> state_;
  int busy_ = 0;  // workers carrying out a piece of work
  std::uint64_t next_batch_ = 0;
  std::size_t unacked_ = 0;
  EngineResult result_;
  std::vector<std::thread> workers_;
  std::thread coordinator_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_ENGINE_H_
