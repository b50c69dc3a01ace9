#include "core/engine.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/github_api.h"
#include "core/graphql_details.h"
#include "core/graphql_query.h"
#include "core/row_change.h"
#include "core/search_runner.h"
#include "core/token_check.h"

namespace gh {
namespace {

constexpr int kMaxDefaultWorkers = 10;
const std::int64_t kSearchCap = SplitOptions{}.cap;  // results one query can reach

}  // namespace

Engine::Engine(EngineOptions options, std::vector<EngineGroup> groups, EngineSink& sink,
               Clock& clock)
    : options_(std::move(options)),
      groups_(std::move(groups)),
      sink_(sink),
      clock_(clock),
      registry_([&] {
        std::vector<std::int64_t> limits;
        for (const EngineGroup& g : groups_) limits.push_back(g.limit);
        return limits;
      }()),
      searches_(std::max<std::size_t>(groups_.size(), 1)),
      details_(std::max<std::size_t>(groups_.size(), 1)),
      refreshes_(std::max<std::size_t>(groups_.size(), 1)),
      fallbacks_(std::max<std::size_t>(groups_.size(), 1)),
      owed_(std::max<std::size_t>(groups_.size(), 1)),
      reread_changed_(std::max<std::size_t>(groups_.size(), 1)),
      state_(groups_.size()) {
  split_.upper = options_.created_upper.value_or(to_instant(clock_.now()) + 1);
  // Clusters often share a query (topic:react for react and for frontend): it is searched
  // once for all of them, and each repository it finds goes to the one furthest from its
  // limit. Two searches of one query would race for the same pages, spend twice the
  // search quota, and leave the slower cluster short.
  std::map<std::string, std::size_t> by_query;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (const std::string& query : groups_[g].queries) {
      const auto [it, added] = by_query.emplace(query, splitters_.size());
      const std::size_t s = it->second;
      if (added) add_splitter(query, g);
      std::vector<std::size_t>& listeners = splitter_groups_[s];
      if (std::find(listeners.begin(), listeners.end(), g) != listeners.end()) continue;
      listeners.push_back(g);
      state_[g].splitters.push_back(s);
    }
  }
  if (!options_.tokens.empty()) {
    pool_ = std::make_unique<TokenPool>(options_.tokens, options_.pool, clock_);
    // Checked by the caller (--coordinate checks while the job's other hosts hold off):
    // tokens of one login share their quota and lane from the first request.
    for (std::size_t t = 0; t < options_.logins.size() && t < options_.tokens.size(); ++t) {
      if (!options_.logins[t].empty()) pool_->set_login(t, options_.logins[t]);
    }
  }
}

std::size_t Engine::add_splitter(const std::string& query, std::size_t group) {
  splitters_.push_back(std::make_unique<SearchSplitter>(query, split_));
  splitter_group_.push_back(group);
  splitter_groups_.emplace_back();
  splitter_query_.push_back(query);
  splitter_failure_reported_.push_back(false);
  splitter_lost_.push_back(false);
  SplitterRun run;
  // With a gate, the job decides whose query it is, asked before its first request.
  run.turn = options_.gate != nullptr ? QueryTurn::unasked : QueryTurn::mine;
  splitter_run_.push_back(run);
  return splitters_.size() - 1;
}

Engine::~Engine() {
  stop();
  if (coordinator_.joinable()) coordinator_.join();
}

void Engine::emit(EngineEvent event) { sink_.on_event(event); }

void Engine::start() {
  coordinator_ = std::thread([this] { coordinate(); });
}

void Engine::coordinate() {
  auto fail = [&](std::string message) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      result_.ok = false;
      result_.error = message;
    }
    emit({EngineEvent::Kind::error, std::nullopt, std::move(message), std::nullopt});
  };
  if (!pool_) {
    fail("no GitHub token given");
    finish();
    return;
  }
  pool_->set_event_listener([this](const PoolEvent& e) {
    emit({EngineEvent::Kind::pool, std::nullopt, e.message, e});
  });
  share_ = std::make_shared<HttpShare>();
  registry_.add_known(options_.known_ids);
  {
    std::vector<std::int64_t> refreshed;
    std::lock_guard<std::mutex> guard(mutex_);
    for (const RefreshTarget& t : options_.refresh) {
      if (t.group >= groups_.size()) continue;
      refreshed.push_back(t.id);
      refreshes_.push(t.group, t);
    }
    registry_.add_known(refreshed);
    // Owed before anything is searched: a search that meets one skips it, and its
    // group's limit counts it.
    for (const OwedRepository& o : options_.owed) {
      if (o.group >= groups_.size()) continue;
      registry_.claim_owed(o.id, o.group, o.finders);
      owed_names_.emplace(o.id, std::make_pair(o.node_id, o.full_name));
      owed_.push(o.group, RefreshTarget{o.id, o.group, {}, std::nullopt});
    }
  }

  if (options_.check_tokens) {
    TokenCheckOptions check;
    check.base_url = options_.api_url;
    check.http = options_.http;
    check.retry = options_.retry;
    check.graphql_url =
        options_.graphql_url.empty() ? graphql_url(options_.api_url) : options_.graphql_url;
    result_.token_checks = check_tokens(*pool_, check, share_, clock_, stop_);
    const bool any =
        std::any_of(result_.token_checks.begin(), result_.token_checks.end(),
                    [](const TokenCheck& c) { return c.status == TokenCheck::Status::ok; });
    if (!any && !stop_.stopped()) {
      const auto& checks = result_.token_checks;
      const bool all_rejected = std::all_of(checks.begin(), checks.end(), [](const TokenCheck& c) {
        return c.status == TokenCheck::Status::rejected;
      });
      const std::string reason = checks.empty() ? "" : checks.front().error;
      // Bad tokens and an unreachable GitHub need different fixes: say which it is.
      fail(all_rejected
               ? "no valid token: GitHub rejected all " + std::to_string(checks.size()) +
                     " tokens (401 Bad credentials); check them with `node test-tokens.js`"
               : "GitHub unreachable at " + options_.api_url + " after retries (" + reason + ")");
      finish();
      return;
    }
  }

  // By default a worker per token (at most 10), times the lane's width: a wider lane
  // (--concurrency-per-user) is only used with workers to fill it.
  const std::size_t lane = static_cast<std::size_t>(
      std::clamp(options_.pool.concurrency_per_user, 1, kMaxConcurrencyPerUser));
  std::size_t count =
      options_.workers > 0
          ? static_cast<std::size_t>(options_.workers)
          : std::min<std::size_t>(options_.tokens.size(), kMaxDefaultWorkers) * lane;
  count = std::max<std::size_t>(count, 1);
  worker_count_ = count;
  // A group that wants no new repository (only re-checks) sends no search.
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].limit > 0) queue_group_tasks(g);
  }
  for (std::size_t i = 0; i < count; ++i) workers_.emplace_back([this, i] { run_worker(i); });
  for (std::thread& w : workers_) w.join();
  flush_all();
  finish();
}

void Engine::finish() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    result_.stopped = stop_.stopped();
    result_.groups.clear();
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      GroupResult r;
      r.name = groups_[g].name;
      r.limit = groups_[g].limit;
      r.delivered = state_[g].delivered;
      r.full = r.delivered >= r.limit;
      bool all_done = true;
      for (std::size_t s : state_[g].splitters) {
        const SplitStats stats = splitters_[s]->stats();
        r.unreachable += stats.unreachable;
        // Another host's query is done as far as this host goes.
        all_done = all_done && (splitter_run_[s].turn == QueryTurn::elsewhere ||
                                splitters_[s]->state() == SearchSplitter::State::done);
      }
      for (const PendingRepository& p : result_.pending) r.lost += p.group == g ? 1 : 0;
      for (const FailedSearch& f : result_.failed_searches) r.failed_searches += f.group == g ? 1 : 0;
      bool lost_range = false;
      for (std::size_t s : state_[g].splitters) lost_range = lost_range || splitter_lost_[s];
      // Short for good only when nothing was lost on the way: a failed range or a
      // repository left pending is work for the next run, not a query that ran dry.
      r.exhausted = !r.full && all_done && !result_.stopped && !state_[g].cancelled &&
                    r.lost == 0 && !lost_range;
      result_.groups.push_back(r);
    }
    result_.late_finders = registry_.late_finders();
    result_.graphql_batches = batch_sizer_.stats();
  }
  work_cv_.notify_all();
}

EngineResult Engine::wait() {
  if (coordinator_.joinable()) coordinator_.join();
  std::lock_guard<std::mutex> guard(mutex_);
  return result_;
}

void Engine::stop() {
  stop_.stop();
  if (pool_) pool_->stop();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (std::size_t g = 0; g < groups_.size(); ++g) searches_.cancel(g);
  }
  work_cv_.notify_all();
  ack_cv_.notify_all();
}

void Engine::ack(std::uint64_t /*batch_id*/) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (unacked_ > 0) --unacked_;
  }
  ack_cv_.notify_all();
}

void Engine::cancel_group(std::size_t group) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (group >= state_.size()) return;
    state_[group].cancelled = true;
    searches_.cancel(group);
  }
  work_cv_.notify_all();
}

PoolSnapshot Engine::pool_snapshot() const { return pool_ ? pool_->snapshot() : PoolSnapshot{}; }

std::vector<UserStatus> Engine::users() const {
  return pool_ ? pool_->users() : std::vector<UserStatus>{};
}

void Engine::hold_user(const UserShare& share) {
  if (pool_) pool_->hold_user(share);
}

void Engine::release_user(std::string_view login) {
  if (pool_) pool_->release_user(login);
}

void Engine::renew_leases(TimePoint until) {
  if (pool_) pool_->renew_leases(until);
}

void Engine::queue_group_tasks(std::size_t group) {
  // Lazily: a group holds at most one queued search per worker, taken from its queries
  // in order. A cluster that fills up from its first query never plans the others, and
  // a large query is bisected only as deep as the repositories wanted need (the splitter
  // goes depth first), instead of counting every range of its partition up front.
  if (registry_.full(group)) return;  // a limit of 0, or full: nothing to search for
  const std::size_t room = std::max<std::size_t>(worker_count_, 1);
  // Counts in parallel only as many as the ranges the group still needs could fill:
  // counting more ranges than that is quota spent on planning what is never fetched.
  const std::int64_t wanted =
      std::max<std::int64_t>(0, groups_[group].limit - registry_.claimed(group));
  const std::int64_t max_counts = 1 + wanted / kSearchCap;
  bool queued = false;
  for (std::size_t s : state_[group].splitters) {
    for (;;) {
      bool counts = true;
      {
        std::lock_guard<std::mutex> guard(mutex_);
        // A full group takes nothing: a query it shares is pulled by a group with room.
        if (searches_.cancelled(group) || searches_.paused(group) ||
            searches_.size(group) >= room || splitter_run_[s].turn == QueryTurn::elsewhere) {
          break;
        }
        counts = state_[group].counts_out < max_counts;
      }
      std::optional<SearchTask> task = splitters_[s]->next(counts);
      if (!task) break;
      // A range known to fit goes first: its repositories come sooner than more counts.
      const bool fetch = task->kind == SearchTask::Kind::fetch;
      std::lock_guard<std::mutex> guard(mutex_);
      if (!fetch) ++state_[group].counts_out;
      SearchWork work{s, group, std::move(*task)};
      if (!(fetch ? searches_.push_front(group, std::move(work))
                  : searches_.push(group, std::move(work)))) {
        break;  // cancelled
      }
      ++splitter_run_[s].out;
      queued = true;
    }
    report_plan_failure(s);
  }
  if (queued) work_cv_.notify_all();
}

void Engine::report_plan_failure(std::size_t s) {
  if (splitters_[s]->state() != SearchSplitter::State::failed) return;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    // A failed request that failed the plan was reported as it happened.
    if (splitter_failure_reported_[s] || splitter_lost_[s]) return;
    splitter_failure_reported_[s] = true;
  }
  add_failed_search(s, splitter_group_[s], splitter_query_[s],
                    "it cannot be planned: " + splitters_[s]->error());
}

void Engine::add_failed_search(std::size_t s, std::size_t group, const std::string& range_query,
                               const std::string& error) {
  FailedSearch failed;
  failed.group = group;
  failed.query = splitter_query_[s];
  failed.range_query = range_query;
  failed.error = error;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    splitter_lost_[s] = true;
    result_.failed_searches.push_back(failed);
  }
  emit({EngineEvent::Kind::warning, group,
        groups_[group].name + ": the search \"" + range_query + "\" failed (" + error +
            "): some of its repositories may be missing; it is searched first on the next run",
        std::nullopt});
}

bool Engine::take(std::optional<SearchWork>& search, std::optional<RefreshTarget>& refresh,
                  bool& owed, std::vector<std::pair<std::size_t, DetailWork>>& details,
                  std::size_t max_details, std::vector<RefreshTarget>& rereads, bool& adopt,
                  bool& offer) {
  search.reset();
  refresh.reset();
  owed = false;
  adopt = false;
  offer = false;
  details.clear();
  rereads.clear();
  const bool reread_graphql = options_.details_api == DetailsApi::graphql;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stop_.stopped()) return false;
    // Other hosts of the job are idle: their share of what waits here, from the backs of
    // the queues (searches claim a whole range at once, so the queue can hold minutes of
    // work while they have none).
    if (idle_hosts_ > 0 && !offering_ && options_.gate != nullptr) {
      const std::size_t share = details_.size() * idle_hosts_ / (idle_hosts_ + 1);
      idle_hosts_ = 0;
      if (share > 0) {
        for (auto& [group, work] : details_.take_back(share)) details.emplace_back(group, std::move(work));
        offering_ = true;
        offer = true;
        ++busy_;
        return true;
      }
    }
    // Details first: a claimed repository is delivered before more are searched, which
    // keeps the pipeline short and memory flat.
    while (details.size() < max_details) {
      auto d = details_.pop();
      if (!d) break;
      details.emplace_back(d->first, std::move(d->second));
    }
    const bool rereads_left = !refreshes_.empty() || rereads_running_ > 0;
    if (details.empty() && !reread_changed_.empty() &&
        (reread_changed_.size() >= max_details || !rereads_left)) {
      while (details.size() < max_details) {
        auto d = reread_changed_.pop();
        if (!d) break;
        details.emplace_back(d->first, std::move(d->second));
      }
    }
    if (!details.empty()) {
      ++busy_;
      return true;
    }
    // Then what failed through the run's API, alone through the other one, and what
    // earlier runs left pending: both before new searches.
    if (auto f = fallbacks_.pop()) {
      details.emplace_back(f->first, std::move(f->second));
      ++busy_;
      return true;
    }
    if (auto o = owed_.pop()) {
      refresh.emplace(std::move(o->second));
      owed = true;
      ++busy_;
      return true;
    }
    // Searches and re-checks take turns: a worker waiting on the search bucket's minute
    // should not hold up re-checks, which cost nothing when unchanged.
    refresh_turn_ = !refresh_turn_;
    for (int i = 0; i < 2; ++i) {
      if ((i == 0) == refresh_turn_) {
        if (reread_graphql) {
          while (rereads.size() < kGraphqlMaxRepositories) {
            auto r = refreshes_.pop();
            if (!r) break;
            rereads.push_back(std::move(r->second));
          }
          if (!rereads.empty()) {
            ++busy_;
            ++rereads_running_;
            return true;
          }
        } else if (auto r = refreshes_.pop()) {
          refresh.emplace(std::move(r->second));
          ++busy_;
          return true;
        }
      } else if (auto s = searches_.pop()) {
        search.emplace(std::move(s->second));
        ++busy_;
        return true;
      }
    }
    // Nothing queued and nobody working who could queue more: the run is over, unless
    // the job has work left by hosts that died (asked by this worker, counted busy, so
    // that the others wait for what it brings).
    if (busy_ == 0 && options_.gate != nullptr && !job_over_) {
      adopt = true;
      ++busy_;
      return true;
    }
    if (busy_ == 0) {
      work_cv_.notify_all();
      return false;
    }
    work_cv_.wait(lock);
  }
}

bool Engine::admit(const SearchWork& work) {
  const std::size_t s = work.splitter;
  std::unique_lock<std::mutex> lock(mutex_);
  // Another worker is asking about this query: its answer decides this task too.
  work_cv_.wait(lock, [&] {
    return splitter_run_[s].turn != QueryTurn::asking || stop_.stopped();
  });
  if (stop_.stopped() || splitter_run_[s].turn == QueryTurn::elsewhere) {
    drop_search_locked(work);
    return false;
  }
  if (splitter_run_[s].turn == QueryTurn::mine) return true;
  splitter_run_[s].turn = QueryTurn::asking;
  lock.unlock();
  const bool mine = options_.gate->take_query(splitter_query_[s]);
  lock.lock();
  splitter_run_[s].turn = mine ? QueryTurn::mine : QueryTurn::elsewhere;
  if (!mine) {
    ++result_.queries_elsewhere;
    drop_search_locked(work);
    // Its other tasks, in whichever of its groups' queues they wait (a probe goes out
    // alone, so there are none yet; the plan is this host's to drop either way).
    for (std::size_t g : splitter_groups_[s]) {
      for (const SearchWork& queued :
           searches_.extract_if(g, [&](const SearchWork& w) { return w.splitter == s; })) {
        drop_search_locked(queued);
      }
    }
  }
  lock.unlock();
  work_cv_.notify_all();
  if (mine) return true;
  // Done here as far as its groups go: they move on to their next queries.
  for (std::size_t g : splitter_groups_[s]) queue_group_tasks(g);
  return false;
}

void Engine::drop_search_locked(const SearchWork& work) {
  if (work.task.kind == SearchTask::Kind::count) --state_[work.group].counts_out;
  --splitter_run_[work.splitter].out;
}

void Engine::search_ended(std::size_t s) {
  bool complete = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    SplitterRun& run = splitter_run_[s];
    --run.out;
    if (options_.gate == nullptr || stop_.stopped() || run.ended || run.out > 0) return;
    // Still working: ranges left that its groups, full for now, may want later, or
    // counts to come. Its end is told when a later task of it ends, if one does.
    const SearchSplitter::State state = splitters_[s]->state();
    if (state == SearchSplitter::State::working) return;
    run.ended = true;
    complete = state == SearchSplitter::State::done && !splitter_lost_[s];
  }
  options_.gate->query_done(splitter_query_[s], complete);
}

void Engine::adopt_work() {
  {
    // Store what this host fetched before it waits for the others: the job waits for a
    // live host's claimed repositories to be stored, so a host idling with a part-filled
    // batch would make the others wait for it while it waits for them.
    std::unique_lock<std::mutex> lock(mutex_);
    for (std::size_t g = 0; g < state_.size(); ++g) flush(g, lock);
    ack_cv_.wait(lock, [&] { return unacked_ == 0 || stop_.stopped(); });
  }
  WorkGate::Adopted adopted = options_.gate->adopt();
  std::vector<std::size_t> reopened;  // groups with queries to search again
  std::vector<std::string> unknown;
  std::vector<std::pair<std::size_t, Repository>> offered_work;  // group, repository
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (stop_.stopped()) return;
    if (adopted.empty()) {
      job_over_ = true;  // the run ends as without a gate: this worker is the last busy
      return;
    }
    // Every other worker waits in take() for work (this one is the only busy one), so the
    // splitters may grow: nothing reads them meanwhile.
    std::vector<std::string> added;
    for (const std::string& query : adopted.queries) {
      const auto listed = std::find(splitter_query_.begin(), splitter_query_.end(), query);
      if (listed == splitter_query_.end()) {
        unknown.push_back(query);
        continue;
      }
      if (std::find(added.begin(), added.end(), query) != added.end()) continue;
      added.push_back(query);
      const auto first = static_cast<std::size_t>(listed - splitter_query_.begin());
      // A new plan, from its first page: the dead host's progress is unknown. The job has
      // leased the query to this host already: it is not asked about again.
      const std::vector<std::size_t> listeners = splitter_groups_[first];
      const std::size_t s = add_splitter(query, splitter_group_[first]);
      splitter_run_[s].turn = QueryTurn::mine;
      splitter_groups_[s] = listeners;
      for (std::size_t g : listeners) {
        state_[g].splitters.push_back(s);
        if (std::find(reopened.begin(), reopened.end(), g) == reopened.end()) {
          reopened.push_back(g);
        }
      }
    }
    for (OwedRepository& o : adopted.owed) {
      if (o.group >= groups_.size()) continue;
      // Offered by this host and adopted back: claimed here already, queued as it is.
      const bool mine = offered_ids_.erase(o.id) > 0;
      if (!mine) {
        // Claimed for its group even past the limit, as an earlier run's pending ones:
        // the job counted it within its room. Not claimed (stored and known here, or this
        // host's already): nothing to fetch. Nobody else touches the registry meanwhile.
        const std::int64_t before = registry_.claimed(o.group);
        registry_.claim_owed(o.id, o.group, o.finders);
        if (registry_.claimed(o.group) == before) continue;
      }
      if (o.repo && o.repo->id == o.id) {
        // Offered with its search fields: straight to its details, as if found here.
        if (!mine) ++result_.adopted_offered;
        offered_work.emplace_back(o.group, std::move(*o.repo));
        continue;
      }
      owed_names_.emplace(o.id, std::make_pair(o.node_id, o.full_name));
      owed_.push(o.group, RefreshTarget{o.id, o.group, {}, std::nullopt});
    }
  }
  for (auto& [group, repo] : offered_work) {
    queue_details(group, DetailWork{std::move(repo), false, {}, false, {}}, false);
  }
  for (const std::string& query : unknown) {
    emit({EngineEvent::Kind::warning, std::nullopt,
          "the job handed this host the query \"" + query +
              "\" of a host that stopped, but no group here lists it: not searched (do the "
              "hosts run the same job?)",
          std::nullopt});
  }
  for (std::size_t g : reopened) queue_group_tasks(g);
  work_cv_.notify_all();
}

void Engine::offer_to_idle_hosts(std::size_t hosts) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    idle_hosts_ = hosts;
  }
  work_cv_.notify_one();
}

std::size_t Engine::drop_claims(const std::vector<std::int64_t>& ids) {
  const std::unordered_set<std::int64_t> taken(ids.begin(), ids.end());
  std::vector<std::pair<std::size_t, std::int64_t>> dropped;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      for (const DetailWork& work : details_.extract_if(
               g, [&](const DetailWork& w) { return taken.count(w.repo.id) > 0; })) {
        dropped.emplace_back(g, work.repo.id);
      }
    }
    result_.claimed_elsewhere += static_cast<std::int64_t>(dropped.size());
  }
  if (dropped.empty()) return 0;
  // As a claim the job denied: the place goes back to the group, whose searches go on
  // if they had stopped for it being full.
  std::vector<std::size_t> reopened;
  for (const auto& [group, id] : dropped) {
    registry_.release(id);
    if (std::find(reopened.begin(), reopened.end(), group) == reopened.end()) {
      reopened.push_back(group);
    }
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (std::size_t g : reopened) {
      if (!registry_.full(g)) searches_.resume(g);
    }
  }
  for (std::size_t g : reopened) queue_group_tasks(g);
  work_cv_.notify_all();
  return dropped.size();
}

void Engine::offer_details(std::vector<std::pair<std::size_t, DetailWork>>& details) {
  std::vector<WorkGate::Found> found;
  found.reserve(details.size());
  for (const auto& [group, work] : details) {
    found.push_back(WorkGate::Found{work.repo.id, work.repo.node_id, work.repo.full_name, group,
                                    &work.repo});
  }
  const std::vector<bool> taken =
      stop_.stopped() ? std::vector<bool>() : options_.gate->offer(found);
  {
    std::lock_guard<std::mutex> guard(mutex_);
    // Back to the front, in their order: this host fetches what the job did not take.
    for (std::size_t i = details.size(); i-- > 0;) {
      if (i < taken.size() && taken[i]) {
        offered_ids_.insert(details[i].second.repo.id);
        ++result_.offered;
      } else {
        details_.push_front(details[i].first, std::move(details[i].second));
      }
    }
    offering_ = false;
  }
  details.clear();
  work_cv_.notify_all();
}

void Engine::finished_one() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    --busy_;
  }
  work_cv_.notify_all();
}

std::vector<std::size_t> Engine::claim_order(std::size_t s) {
  std::vector<std::size_t> order;
  {
    // A cancelled group claims nothing more, even from a page already in hand.
    std::lock_guard<std::mutex> guard(mutex_);
    for (std::size_t g : splitter_groups_[s]) {
      if (!state_[g].cancelled) order.push_back(g);
    }
  }
  if (order.size() < 2) return order;
  // Least filled in proportion to its limit first (a == b compares claimed_a / limit_a
  // with claimed_b / limit_b without division); then the smaller limit, which a few
  // repositories fill; then the order the groups were given in.
  std::vector<std::pair<std::int64_t, std::int64_t>> fill(groups_.size());
  for (std::size_t g : order)
    fill[g] = {registry_.claimed(g), std::max<std::int64_t>(groups_[g].limit, 1)};
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto left = fill[a].first * fill[b].second;
    const auto right = fill[b].first * fill[a].second;
    if (left != right) return left < right;
    return fill[a].second < fill[b].second;
  });
  return order;
}

void Engine::on_found(std::size_t s, SearchPage& page) {
  const std::vector<std::size_t> order = claim_order(s);
  if (order.empty()) return;
  std::vector<std::pair<std::size_t, Repository*>> claimed;  // group, repository
  for (Repository& repo : page.items) {
    // Offered to each group in turn until one claims it; the others are recorded as
    // finders all the same (their query found it).
    std::optional<std::size_t> owner;
    for (std::size_t g : order) {
      const RepositoryRegistry::Claim claim = registry_.claim(repo.id, g);
      if (!owner && claim.verdict == RepositoryRegistry::Verdict::claimed) owner = g;
    }
    if (owner) claimed.emplace_back(*owner, &repo);
  }
  if (options_.gate != nullptr && !claimed.empty()) claim_from_gate(claimed);
  for (auto& [group, repo_ptr] : claimed) {
    Repository& repo = *repo_ptr;
    if (options_.details.any()) {
      {
        std::lock_guard<std::mutex> guard(mutex_);
        details_.push(group, DetailWork{std::move(repo), false, {}, false, {}});
      }
      work_cv_.notify_one();
    } else {
      add_to_batch(group, std::move(repo), DetailReport{});
    }
  }
  std::lock_guard<std::mutex> guard(mutex_);
  for (std::size_t g : order) {
    // Paused, not cancelled: a claim given back (gone, failed, another host's) reopens
    // the group.
    if (registry_.full(g) && !searches_.paused(g)) pause_group_locked(g);
  }
}

void Engine::claim_from_gate(std::vector<std::pair<std::size_t, Repository*>>& claimed) {
  std::vector<WorkGate::Found> found;
  found.reserve(claimed.size());
  for (const auto& [group, repo] : claimed) {
    found.push_back(WorkGate::Found{repo->id, repo->node_id, repo->full_name, group, repo});
  }
  // After stop() the gate is not asked, and nothing more is fetched anyway.
  if (stop_.stopped()) {
    claimed.clear();
    return;
  }
  const std::vector<WorkGate::Claim> granted = options_.gate->claim(found);
  // What the answer leaves out is denied too: the job has not recorded this host's claim,
  // so another host may fetch it.
  std::vector<std::size_t> reopened;
  std::size_t kept = 0;
  std::int64_t denied = 0;
  std::int64_t offered = 0;
  for (std::size_t i = 0; i < claimed.size(); ++i) {
    const WorkGate::Claim verdict = i < granted.size() ? granted[i] : WorkGate::Claim::elsewhere;
    if (verdict == WorkGate::Claim::mine) {
      claimed[kept++] = claimed[i];
      continue;
    }
    if (verdict == WorkGate::Claim::offered) {
      // The job's now, in its group's count here as in the job's: another host fetches
      // it, or this one when it adopts it back.
      std::lock_guard<std::mutex> guard(mutex_);
      offered_ids_.insert(claimed[i].second->id);
      ++offered;
      continue;
    }
    // Another host has it: its place in the group's limit goes back to the group, and
    // released, it is never claimed (nor asked about) again in this run.
    registry_.release(claimed[i].second->id);
    ++denied;
    if (std::find(reopened.begin(), reopened.end(), claimed[i].first) == reopened.end()) {
      reopened.push_back(claimed[i].first);
    }
  }
  claimed.resize(kept);
  if (offered > 0) {
    std::lock_guard<std::mutex> guard(mutex_);
    result_.offered += offered;
  }
  if (denied == 0) return;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    result_.claimed_elsewhere += denied;
    // A group another worker paused while this page's claims filled it has room again.
    for (std::size_t g : reopened) {
      if (!registry_.full(g)) searches_.resume(g);
    }
  }
  for (std::size_t g : reopened) queue_group_tasks(g);
}

void Engine::pause_group_locked(std::size_t group) {
  searches_.pause(group);
  for (std::size_t s : state_[group].splitters) {
    if (splitter_groups_[s].size() < 2) continue;
    std::optional<std::size_t> heir;
    for (std::size_t g : splitter_groups_[s]) {
      if (g != group && !searches_.paused(g) && !searches_.cancelled(g)) {
        heir = g;
        break;
      }
    }
    if (!heir) continue;
    for (SearchWork& work :
         searches_.extract_if(group, [&](const SearchWork& w) { return w.splitter == s; })) {
      if (work.task.kind == SearchTask::Kind::count) {
        --state_[group].counts_out;
        ++state_[*heir].counts_out;
      }
      work.group = *heir;
      searches_.push(*heir, std::move(work));
    }
  }
}

void Engine::add_to_batch(std::size_t group, Repository repo, DetailReport report) {
  std::unique_lock<std::mutex> lock(mutex_);
  state_[group].pending.push_back(std::move(repo));
  state_[group].pending_details.push_back(std::move(report));
  if (pending_size(state_[group]) >= options_.batch_size) flush(group, lock);
}

void Engine::add_refreshed(std::size_t group, std::int64_t id, bool gone) {
  std::unique_lock<std::mutex> lock(mutex_);
  GroupState& state = state_[group];
  (gone ? state.pending_gone : state.pending_unchanged).push_back(id);
  ++(gone ? result_.refresh.gone : result_.refresh.unchanged);
  if (pending_size(state) >= options_.batch_size) flush(group, lock);
}

void Engine::refresh_one(GitHubApi& api, GitHubJson& json, const RefreshTarget& target) {
  DetailWork work;
  work.refreshed = true;
  std::string error;
  const ApiStatus status = fetch_repository_by_id(api, json, target.id, target.etag, work.repo,
                                                  work.repository_etag, error);
  switch (status) {
    case ApiStatus::ok:
      break;
    case ApiStatus::not_modified:
      add_refreshed(target.group, target.id, false);
      return;
    case ApiStatus::gone:
      add_refreshed(target.group, target.id, true);
      return;
    case ApiStatus::stopped:
      return;
    case ApiStatus::no_token:
      emit({EngineEvent::Kind::error, target.group, error, std::nullopt});
      stop();
      return;
    default: {
      {
        std::lock_guard<std::mutex> guard(mutex_);
        ++result_.refresh.failed;
      }
      emit({EngineEvent::Kind::warning, target.group,
            "re-checking repository " + std::to_string(target.id) + ": " + error, std::nullopt});
      return;
    }
  }
  queue_details(target.group, std::move(work), false);
}

std::pair<std::uint64_t, std::int64_t> Engine::reread(GitHubApi& api, GitHubJson& json,
                                                      GraphqlResponseParser& parser,
                                                      const std::string& url,
                                                      std::vector<RefreshTarget>& targets) {
  std::vector<RefreshTarget> asked;
  std::vector<Repository> repos;
  for (RefreshTarget& target : targets) {
    if (!target.stored) {
      refresh_one(api, json, target);  // nothing to compare with: REST and its ETag
      continue;
    }
    Repository repo;
    repo.id = target.id;
    repo.node_id = target.stored->node_id;
    repo.owner = target.stored->owner;
    repo.name = target.stored->name;
    repos.push_back(std::move(repo));
    asked.push_back(std::move(target));
  }
  if (asked.empty()) return {0, 0};
  // The columns alone: details are fetched, by the run's details query, only for the
  // repositories that changed.
  GraphqlDetailsResult r = reread_repositories_graphql(api, parser, url, repos, DetailSet{},
                                                       reread_sizer_, reread_sizer_.lease());
  for (std::size_t i = 0; i < asked.size(); ++i) {
    const RefreshTarget& target = asked[i];
    const DetailReport report = i < r.reports.size() ? r.reports[i] : DetailReport{};
    const ApiStatus status =
        i < r.reports.size() ? report.status : (r.status == ApiStatus::ok ? ApiStatus::failed : r.status);
    switch (status) {
      case ApiStatus::ok:
        if (!row_changed(*target.stored, repos[i])) {
          add_refreshed(target.group, target.id, false);
        } else {
          DetailWork work;
          work.refreshed = true;
          work.repo = std::move(repos[i]);
          if (options_.details.any()) {
            std::lock_guard<std::mutex> guard(mutex_);
            reread_changed_.push(target.group, std::move(work));
          } else {
            queue_details(target.group, std::move(work), false);
          }
        }
        break;
      case ApiStatus::gone:
        add_refreshed(target.group, target.id, true);
        break;
      case ApiStatus::stopped:
        break;
      case ApiStatus::no_token:
        emit({EngineEvent::Kind::error, target.group, r.error, std::nullopt});
        stop();
        return {static_cast<std::uint64_t>(r.graphql_requests), r.points};
      default:
        // GraphQL could not serve it even alone: REST by id, with its ETag.
        refresh_one(api, json, target);
        break;
    }
  }
  return {static_cast<std::uint64_t>(r.graphql_requests), r.points};
}

void Engine::queue_details(std::size_t group, DetailWork work, bool first) {
  if (options_.details.any()) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      first ? details_.push_front(group, std::move(work)) : details_.push(group, std::move(work));
    }
    work_cv_.notify_all();
    return;
  }
  DetailReport report;
  report.refreshed = work.refreshed;
  report.etags.repository = work.repository_etag;
  detail_done(group, std::move(work), std::move(report));
}

void Engine::flush(std::size_t group, std::unique_lock<std::mutex>& lock) {
  // Backpressure: wait for the sink to store earlier batches. When stopping, deliver
  // anyway: nothing already fetched is lost.
  ack_cv_.wait(lock, [&] { return unacked_ < options_.max_unacked || stop_.stopped(); });
  GroupState& state = state_[group];
  if (state.pending.empty() && state.pending_unchanged.empty() && state.pending_gone.empty()) {
    return;
  }
  Batch batch;
  batch.id = ++next_batch_;
  batch.group = group;
  batch.repositories = std::move(state.pending);
  batch.details = std::move(state.pending_details);
  batch.unchanged = std::move(state.pending_unchanged);
  batch.gone = std::move(state.pending_gone);
  state.pending.clear();
  state.pending_details.clear();
  state.pending_unchanged.clear();
  state.pending_gone.clear();
  batch.finders.reserve(batch.repositories.size());
  for (std::size_t i = 0; i < batch.repositories.size(); ++i) {
    batch.finders.push_back(registry_.deliver(batch.repositories[i].id));
    if (!batch.details[i].refreshed) ++state.delivered;
  }
  ++unacked_;
  ++result_.batches;
  const std::string progress = groups_[group].name + ": " + std::to_string(state.delivered) +
                               " of " + std::to_string(groups_[group].limit);
  lock.unlock();
  sink_.on_batch(std::move(batch));
  emit({EngineEvent::Kind::progress, group, progress, std::nullopt});
  lock.lock();
}

void Engine::flush_all() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (std::size_t g = 0; g < state_.size(); ++g) flush(g, lock);
}

void Engine::detail_done(std::size_t group, DetailWork work, DetailReport report) {
  Repository& repo = work.repo;
  if (report.status == ApiStatus::ok) {
    if (report.refreshed) {
      std::lock_guard<std::mutex> guard(mutex_);
      ++result_.refresh.changed;
    }
    add_to_batch(group, std::move(repo), std::move(report));
    return;
  }
  if (report.status == ApiStatus::stopped) return;
  if (report.status == ApiStatus::no_token) {
    emit({EngineEvent::Kind::error, group, report.error, std::nullopt});
    stop();
    return;
  }
  if (report.status != ApiStatus::gone) {
    detail_failed(group, std::move(work), report);
    return;
  }
  if (report.refreshed) {
    add_refreshed(group, repo.id, true);
    return;
  }
  give_back(group, repo.id);
}

void Engine::give_back(std::size_t group, std::int64_t id) {
  // Gone since the search: its place goes back to the group, whose searches go on if
  // they had stopped for it being full.
  registry_.release(id);
  if (registry_.full(group)) return;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    searches_.resume(group);
  }
  queue_group_tasks(group);
  work_cv_.notify_all();
}

void Engine::detail_failed(std::size_t group, DetailWork work, const DetailReport& report) {
  if (!work.fallback) {
    // Later in this run, alone, through the other API: a repository GitHub cannot serve
    // one way (a GraphQL query that always times out on its tree) often answers the other.
    work.fallback = true;
    work.first_error = report.error;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      fallbacks_.push(group, std::move(work));
    }
    work_cv_.notify_all();
    return;
  }
  const Repository& repo = work.repo;
  const std::string both = work.first_error + "; then " + report.error;
  if (work.refreshed) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      ++result_.refresh.failed;
    }
    emit({EngineEvent::Kind::warning, group,
          "re-checking " + repo.full_name + ": " + both + " (kept as stored)", std::nullopt});
    return;
  }
  // Its claim stays: the repository still counts for the group, and the caller fetches
  // it first next time.
  add_pending(group, repo.id, repo.node_id, repo.full_name, both, 2);
}

void Engine::add_pending(std::size_t group, std::int64_t id, std::string node_id,
                         std::string full_name, std::string error, int attempts) {
  PendingRepository pending;
  pending.id = id;
  pending.node_id = std::move(node_id);
  pending.full_name = std::move(full_name);
  pending.group = group;
  pending.finders = registry_.finders(id);
  pending.error = std::move(error);
  pending.attempts = attempts;
  const std::string message = (pending.full_name.empty() ? "repository " + std::to_string(id)
                                                          : pending.full_name) +
                              ": could not be fetched (" + pending.error +
                              "); pending, fetched first on the next run";
  {
    std::lock_guard<std::mutex> guard(mutex_);
    result_.pending.push_back(std::move(pending));
  }
  emit({EngineEvent::Kind::warning, group, message, std::nullopt});
}

void Engine::fetch_owed(GitHubApi& api, GitHubJson& json, const RefreshTarget& target) {
  DetailWork work;
  std::string error;
  const ApiStatus status = fetch_repository_by_id(api, json, target.id, {}, work.repo,
                                                  work.repository_etag, error);
  switch (status) {
    case ApiStatus::ok:
      // REST's search results carry no watchers (subscribers); the same repository found
      // by a search in the same run has none, so one fetched by id keeps none either: a
      // row must not depend on the path that brought it (a dead host's repositories are
      // fetched by id by another host of the job).
      if (options_.details_api == DetailsApi::rest) work.repo.watchers.reset();
      break;
    case ApiStatus::stopped:
      return;
    case ApiStatus::no_token:
      emit({EngineEvent::Kind::error, target.group, error, std::nullopt});
      stop();
      return;
    case ApiStatus::gone: {
      {
        std::lock_guard<std::mutex> guard(mutex_);
        ++result_.owed_gone;
      }
      give_back(target.group, target.id);
      return;
    }
    default: {
      std::pair<std::string, std::string> names;
      {
        // Adopted ones are added while the run goes on.
        std::lock_guard<std::mutex> guard(mutex_);
        const auto known = owed_names_.find(target.id);
        if (known != owed_names_.end()) names = known->second;
      }
      add_pending(target.group, target.id, std::move(names.first), std::move(names.second),
                  error, 1);
      return;
    }
  }
  queue_details(target.group, std::move(work), true);
}

void Engine::run_worker(std::size_t index) {
  HttpClient http(options_.http, share_);
  GitHubApi api(index, options_.api_url, *pool_, http, clock_, stop_,
                RetryPolicy(options_.retry, make_random_source(index + 1)));
  GitHubJson json;
  const bool graphql = options_.details_api == DetailsApi::graphql;
  GraphqlResponseParser graphql_parser;
  const std::string graphql_endpoint =
      options_.graphql_url.empty() ? graphql_url(options_.api_url) : options_.graphql_url;
  std::optional<SearchWork> search;
  std::optional<RefreshTarget> refresh;
  bool owed = false;
  bool adopt = false;
  std::vector<std::pair<std::size_t, DetailWork>> details;
  std::vector<RefreshTarget> rereads;
  std::vector<Repository> repos;
  std::uint64_t graphql_queries = 0;
  std::int64_t graphql_points = 0;
  // One repository through GraphQL: the run's sizer is not asked (a single repository
  // never changes it).
  auto graphql_one = [&](Repository& repo) {
    repos.assign(1, std::move(repo));
    GraphqlDetailsResult r = fetch_details_graphql(api, graphql_parser, graphql_endpoint, repos,
                                                   options_.details, batch_sizer_);
    graphql_queries += static_cast<std::uint64_t>(r.graphql_requests);
    graphql_points += r.points;
    repo = std::move(repos.front());
    return r.reports.empty() ? DetailReport{} : std::move(r.reports.front());
  };
  auto rest_one = [&](Repository& repo) {
    const auto etags = options_.known_etags.find(repo.id);
    return fetch_details(api, json, repo, options_.details,
                         etags == options_.known_etags.end() ? DetailEtags{} : etags->second);
  };
  // The size of this worker's next GraphQL query, leased before taking work: a larger
  // size on trial goes to one query at a time.
  BatchLease lease = graphql ? batch_sizer_.lease() : BatchLease{1, false};
  bool offer = false;
  while (take(search, refresh, owed, details, lease.size, rereads, adopt, offer)) {
    if (adopt) {
      adopt_work();
    } else if (offer) {
      offer_details(details);
    } else if (!details.empty() && details.front().second.fallback) {
      // Failed through the run's API: alone, through the other one.
      const std::size_t group = details.front().first;
      DetailWork& work = details.front().second;
      DetailReport report = graphql ? rest_one(work.repo) : graphql_one(work.repo);
      report.refreshed = work.refreshed;
      report.etags.repository = work.repository_etag;
      detail_done(group, std::move(work), std::move(report));
    } else if (graphql && !details.empty()) {
      // One query for them all (split as GitHub's clock requires), whichever groups
      // they count for.
      repos.clear();
      for (auto& d : details) repos.push_back(std::move(d.second.repo));
      GraphqlDetailsResult r = fetch_details_graphql(api, graphql_parser, graphql_endpoint, repos,
                                                     options_.details, batch_sizer_, lease);
      lease = batch_sizer_.lease();
      graphql_queries += static_cast<std::uint64_t>(r.graphql_requests);
      graphql_points += r.points;
      for (std::size_t i = 0; i < repos.size(); ++i) {
        DetailReport report = i < r.reports.size() ? std::move(r.reports[i]) : DetailReport{};
        if (i >= r.reports.size()) {
          report.status = r.status == ApiStatus::ok ? ApiStatus::failed : r.status;
          report.error = r.error;
        }
        DetailWork& work = details[i].second;
        work.repo = std::move(repos[i]);
        report.refreshed = work.refreshed;
        report.etags.repository = work.repository_etag;
        detail_done(details[i].first, std::move(work), std::move(report));
      }
    } else if (!details.empty()) {
      const std::size_t group = details.front().first;
      DetailWork& work = details.front().second;
      DetailReport report = rest_one(work.repo);
      report.refreshed = work.refreshed;
      report.etags.repository = work.repository_etag;
      detail_done(group, std::move(work), std::move(report));
    } else if (!rereads.empty()) {
      const auto [queries, points] = reread(api, json, graphql_parser, graphql_endpoint, rereads);
      graphql_queries += queries;
      graphql_points += points;
      {
        std::lock_guard<std::mutex> guard(mutex_);
        --rereads_running_;
      }
    } else if (refresh && owed) {
      fetch_owed(api, json, *refresh);
    } else if (refresh) {
      refresh_one(api, json, *refresh);
    } else if (search) {
      if (options_.gate != nullptr && !admit(*search)) {
        finished_one();
        continue;
      }
      const std::size_t s = search->splitter;
      const std::size_t group = search->group;
      SearchRunOptions run_options;
      // What the query's groups still want: few enough, and a query past the cap is
      // paged as it is rather than split (a count and sub-range pages saved).
      run_options.wanted = [&] {
        std::lock_guard<std::mutex> guard(mutex_);
        std::int64_t wanted = 0;
        for (std::size_t g : splitter_groups_[s]) {
          if (state_[g].cancelled) continue;
          wanted += std::max<std::int64_t>(0, groups_[g].limit - registry_.claimed(g));
        }
        return wanted;
      };
      run_options.clock = &clock_;
      const SearchRunResult r = run_search_task(
          api, json, *splitters_[s], search->task,
          [&](SearchPage& page) {
            on_found(s, page);
            std::lock_guard<std::mutex> guard(mutex_);
            if (stop_.stopped()) return false;
            // On while any group of this query still wants repositories.
            return std::any_of(
                splitter_groups_[s].begin(), splitter_groups_[s].end(),
                [&](std::size_t g) { return !registry_.full(g) && !state_[g].cancelled; });
          },
          run_options);
      {
        std::lock_guard<std::mutex> guard(mutex_);
        if (search->task.kind == SearchTask::Kind::count) --state_[group].counts_out;
        result_.search_rechecks += r.recheck_requests;
        result_.search_recheck_found += r.recheck_found;
        result_.search_short += r.short_by;
      }
      if (r.status == ApiStatus::no_token) {
        {
          std::lock_guard<std::mutex> guard(mutex_);
          result_.ok = false;
          result_.error = r.error;
        }
        emit({EngineEvent::Kind::error, group, r.error, std::nullopt});
        stop();
      } else if (r.status != ApiStatus::ok && r.status != ApiStatus::stopped) {
        add_failed_search(s, group, search->task.query, r.error);
      }
      if (r.stopped_by_caller && !r.resume_url.empty()) {
        // The group filled up mid-query: keep the rest of the query, in case a claim
        // is given back later (dropped if the group is cancelled or the run stops).
        SearchTask rest = search->task;
        rest.resume_url = r.resume_url;
        std::lock_guard<std::mutex> guard(mutex_);
        if (!stop_.stopped() && searches_.push_front(group, SearchWork{s, group, std::move(rest)})) {
          ++splitter_run_[s].out;
        }
      }
      for (std::size_t g : splitter_groups_[s]) queue_group_tasks(g);
      search_ended(s);
    }
    finished_one();
  }
  batch_sizer_.release(lease);
  std::lock_guard<std::mutex> guard(mutex_);
  result_.retried += api.counters().retried;
  result_.graphql_queries += graphql_queries;
  result_.graphql_points += graphql_points;
}

}  // namespace gh
