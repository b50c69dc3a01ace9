#include "core/search_splitter.h"

#include <algorithm>
#include <utility>

namespace gh {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower_ascii(text[i]) != prefix[i]) return false;
  }
  return true;
}

// A whitespace-separated term of a search query, as [begin, end) offsets. Double quotes
// group: `label:"bug fix"` and `"created:2020"` (a phrase, not a qualifier) are one term.
struct Term {
  std::size_t begin;
  std::size_t end;
};

std::vector<Term> split_terms(std::string_view query) {
  std::vector<Term> terms;
  std::size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && is_space(query[i])) ++i;
    if (i == query.size()) break;
    const std::size_t begin = i;
    bool quoted = false;
    while (i < query.size() && (quoted || !is_space(query[i]))) {
      if (query[i] == '"') quoted = !quoted;
      ++i;
    }
    terms.push_back({begin, i});
  }
  return terms;
}

std::string trim_right(std::string text) {
  while (!text.empty() && is_space(text.back())) text.pop_back();
  return text;
}

constexpr std::string_view kCreated = "created:";

}  // namespace

SearchSplitter::SearchSplitter(std::string user_query, SplitOptions options)
    : options_(options), bounds_{options.lower, options.upper} {
  // Find the user's created: qualifiers. Several are ANDed by GitHub: intersect them.
  // The first one's place receives our qualifier; the others are removed.
  std::vector<Term> created;
  for (const Term& term : split_terms(user_query)) {
    const std::string_view text =
        std::string_view(user_query).substr(term.begin, term.end - term.begin);
    if (!starts_with_nocase(text, kCreated)) continue;
    const auto range = parse_date_qualifier_value(text.substr(kCreated.size()));
    if (!range) {
      fail("cannot read the date in `" + std::string(text) + "` of the query `" + user_query +
           "`: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, a comparison (>=D) or a range (A..B)");
      return;
    }
    bounds_ = bounds_.intersect(*range);
    created.push_back(term);
  }
  if (created.empty()) {
    query_before_ = trim_right(user_query);
    if (!query_before_.empty()) query_before_ += ' ';
  } else {
    query_before_ = user_query.substr(0, created.front().begin);
    std::string after;
    std::size_t pos = created.front().end;
    for (std::size_t i = 1; i < created.size(); ++i) {
      after.append(user_query, pos, created[i].begin - pos);
      pos = created[i].end;
      while (pos < user_query.size() && is_space(user_query[pos])) ++pos;
    }
    after.append(user_query, pos, std::string::npos);
    query_after_ = trim_right(std::move(after));
  }
  if (options_.cap < 1) {
    fail("the result cap must be at least 1");
    return;
  }
  // Most likely an upper bound left unset: planning nothing would look like success.
  if (options_.upper <= options_.lower) {
    fail("the search range is empty: upper (" + format_instant(options_.upper) +
         ") must be after lower (" + format_instant(options_.lower) + ")");
    return;
  }
  // An empty range (the user's dates lie outside [lower, upper)) matches nothing: the
  // plan is done at once, with no request.
  if (bounds_.empty()) return;
  // The whole range is fetched at once; its first page's total_count decides whether it
  // must be split after all (report_fetch_total).
  const std::uint64_t id = ++last_id_;
  PlannedRange planned;
  planned.range = bounds_;
  planned.query = query_for(bounds_);
  planned.probe = true;
  planned_.emplace(id, std::move(planned));
  ready_.push_back(id);
}

std::string SearchSplitter::query_for(const DateRange& range) const {
  return query_before_ + range.qualifier() + query_after_;
}

std::optional<SearchTask> SearchSplitter::next(bool counts) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (failed_) return std::nullopt;
  if (!ready_.empty()) {
    const std::uint64_t id = ready_.front();
    ready_.pop_front();
    PlannedRange& planned = planned_.at(id);
    planned.fetched = true;
    ++stats_.fetch_tasks;
    SearchTask task;
    task.kind = SearchTask::Kind::fetch;
    task.id = id;
    task.query = planned.query;
    task.range = planned.range;
    task.expected_count = planned.count;
    task.unsplittable = planned.unsplittable;
    task.probe = planned.probe;
    if (planned.probe) ++probes_out_;
    return task;
  }
  if (counts && !counts_.empty()) {
    const std::uint64_t id = ++last_id_;
    CountJob& job = counting_.emplace(id, std::move(counts_.front())).first->second;
    counts_.pop_front();
    ++stats_.count_requests;
    SearchTask task;
    task.kind = SearchTask::Kind::count;
    task.id = id;
    task.query = query_for(job.range);
    task.range = job.range;
    return task;
  }
  return std::nullopt;
}

void SearchSplitter::report_count(std::uint64_t task_id, std::optional<std::int64_t> total_count) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (failed_) return;
  const auto it = counting_.find(task_id);
  if (it == counting_.end()) return;
  const CountJob job = it->second;
  counting_.erase(it);
  if (!total_count || *total_count < 0) {
    fail("the search count failed for `" + query_for(job.range) + "`");
    return;
  }
  if (!job.parent_count) {
    stats_.total_count = *total_count;
    settle(job.range, *total_count);
    return;
  }
  settle(job.range, *total_count);
  // The halves partition the parent: the upper half's count needs no request. If the
  // data moved between the two counts, the difference can be off a little (and must
  // not go negative); report_fetch_total() catches an upper half that is really over.
  ++stats_.derived_counts;
  settle(job.sibling, std::max<std::int64_t>(0, *job.parent_count - *total_count));
}

bool SearchSplitter::report_fetch_total(std::uint64_t task_id,
                                        std::optional<std::int64_t> reported,
                                        std::int64_t wanted) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (failed_) return false;
  const auto it = planned_.find(task_id);
  if (it == planned_.end()) return false;
  PlannedRange& planned = it->second;
  if (planned.probe && planned.fetched) --probes_out_;
  const bool probe = planned.probe;
  planned.probe = false;
  if (!reported || *reported < 0) {
    // The whole query's first page failed: as a failed count, the plan fails.
    if (probe) fail("the search failed for `" + planned.query + "`");
    return false;
  }
  const std::int64_t total_count = *reported;
  stats_.total_count += total_count - planned.count;
  if (planned.unsplittable) stats_.unreachable -= planned.count - options_.cap;
  planned.count = total_count;
  if (total_count <= options_.cap) {
    if (planned.unsplittable) --stats_.unsplittable;
    planned.unsplittable = false;
    return false;
  }
  if (!planned.range.splittable()) {
    if (!planned.unsplittable) ++stats_.unsplittable;
    planned.unsplittable = true;
    stats_.unreachable += total_count - options_.cap;
    return false;
  }
  ++stats_.replanned;
  if (probe && wanted <= options_.cap / 2) {
    // The first `cap` results should hold what the caller wants: page them, split only
    // if they run out first (report_fetch_end).
    planned.deferred = true;
    ++deferred_out_;
    ++stats_.deferred;
    return false;
  }
  const DateRange range = planned.range;
  planned_.erase(it);
  split(range, total_count);
  return true;
}

void SearchSplitter::report_fetch_end(std::uint64_t task_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  const auto it = planned_.find(task_id);
  if (it == planned_.end() || !it->second.deferred) return;
  --deferred_out_;
  if (failed_) return;
  const DateRange range = it->second.range;
  const std::int64_t count = it->second.count;
  planned_.erase(it);
  ++stats_.deferred_splits;
  split(range, count);
}

void SearchSplitter::settle(const DateRange& range, std::int64_t count) {
  if (count > options_.cap && range.splittable()) {
    split(range, count);
    return;
  }
  const std::uint64_t id = ++last_id_;
  PlannedRange planned;
  planned.range = range;
  planned.query = query_for(range);
  planned.count = count;
  if (count > options_.cap) {
    // One second matching more than the cap: no created: range can cut it further.
    planned.unsplittable = true;
    ++stats_.unsplittable;
    stats_.unreachable += count - options_.cap;
  }
  planned_.emplace(id, std::move(planned));
  // An empty range is part of the partition, but fetching it would waste a request.
  if (count > 0) ready_.push_back(id);
}

void SearchSplitter::split(const DateRange& range, std::int64_t count) {
  ++stats_.splits;
  // Depth first: the newest split is counted next, so the first ranges that fit (and
  // their repositories) come after a handful of counts, not after the whole partition.
  counts_.push_front(CountJob{range.lower_half(), count, range.upper_half()});
}

void SearchSplitter::fail(std::string message) {
  failed_ = true;
  error_ = std::move(message);
}

SearchSplitter::State SearchSplitter::state_locked() const {
  if (failed_) return State::failed;
  if (!counts_.empty() || !counting_.empty() || !ready_.empty() || probes_out_ > 0 ||
      deferred_out_ > 0) {
    return State::working;
  }
  return State::done;
}

SearchSplitter::State SearchSplitter::state() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return state_locked();
}

std::string SearchSplitter::error() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return error_;
}

SplitStats SearchSplitter::stats() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return stats_;
}

std::vector<PlannedRange> SearchSplitter::ranges() const {
  std::vector<PlannedRange> out;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    out.reserve(planned_.size());
    for (const auto& entry : planned_) out.push_back(entry.second);
  }
  std::sort(out.begin(), out.end(), [](const PlannedRange& a, const PlannedRange& b) {
    return a.range.from < b.range.from;
  });
  return out;
}

SplitResult split_search(std::string user_query, const SplitOptions& options,
                         const CountFn& count) {
  SearchSplitter splitter(std::move(user_query), options);
  // Synchronous: every count is answered before the next task, so nullopt means the
  // plan is done or failed.
  while (auto task = splitter.next()) {
    if (task->kind == SearchTask::Kind::count) {
      splitter.report_count(task->id, count(task->query));
    } else if (task->probe) {
      // What the fetch's first page would say.
      splitter.report_fetch_total(task->id, count(task->query));
    }
  }
  SplitResult result;
  result.ranges = splitter.ranges();
  result.bounds = splitter.bounds();
  result.stats = splitter.stats();
  result.error = splitter.error();
  return result;
}

SearchCost estimate_search_requests(std::int64_t total_count, std::int64_t cap,
                                    std::int64_t per_page) {
  const auto ceil_div = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
  cap = std::max<std::int64_t>(cap, 1);
  per_page = std::max<std::int64_t>(per_page, 1);
  total_count = std::max<std::int64_t>(total_count, 0);
  SearchCost cost;
  if (total_count <= cap) {
    // No count: the first page tells the total (and an empty result is one page too).
    cost.count_requests = 0;
    cost.page_requests = std::max<std::int64_t>(1, ceil_div(total_count, per_page));
    return cost;
  }
  // Over the cap, the whole query's first page stands for the first count.
  // Ranges filled to three quarters of the cap on average; each leaves a part page.
  const std::int64_t ranges = ceil_div(4 * total_count, 3 * cap);
  cost.count_requests = ranges;
  cost.page_requests = ceil_div(total_count, per_page) + ranges / 2;
  return cost;
}

}  // namespace gh
