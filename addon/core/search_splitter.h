// Plans a GitHub search past the 1,000-result cap. GitHub returns only the first 1,000
// results of a query, whatever its total_count; so a query that matches more is cut into
// `created:` ranges, each matching at most the cap, that together cover every repository
// the query matches: no gap, no overlap (see date_range.h for why the edges are exact).
//
// The splitter is a work list. The engine asks next() for something to do and gets
//   - first, a fetch of the whole query (`probe`): most queries fit the cap, and the
//     first page's total_count, reported with report_fetch_total(), says so as well as
//     a count would; a total over the cap splits the range after all (the page's items
//     are kept), for the price of that one request, unless the caller wants few enough
//     repositories that the first `cap` results will do: then the query is paged as it
//     is, and split only if its pages end before the caller has what it wants
//     (report_fetch_end);
//   - a count task: run the query with per_page=1 and report its total_count with
//     report_count() (nullopt when the request failed after the HTTP layer's own retries;
//     the plan then fails, it never asks again), or
//   - a fetch task: a sub-query known to fit the cap (or an `unsplittable` second that
//     holds more than the cap: only its first results are reachable; report the rest).
// Counting and fetching can interleave across workers: fetch tasks come out as soon as
// their range is known to fit, while other ranges are still being counted.
//
// Search requests cost search quota (30 a minute), so the plan spends as few as it can.
// A range over the cap is bisected at its midpoint and only the lower half is counted:
// the halves partition the parent, so upper = parent - lower exactly, for free. Every
// split therefore costs one count request: a query within the cap costs no count at
// all, and one over it costs its first page plus one count per split. Ranges that count
// zero are never fetched.
// (Counts are read moments apart; if the data moves in between, a derived count can be
// off by the few repositories that changed. report_fetch_total() corrects a range whose
// first page shows more than the cap.)
//
// The user's query is kept verbatim. A `created:` qualifier in it bounds the plan: the
// sub-queries split the user's range and replace that qualifier, instead of adding a
// second one. (A negated `-created:` is an ordinary qualifier here: kept as written.)
#ifndef GH_INGEST_CORE_SEARCH_SPLITTER_H_
#define GH_INGEST_CORE_SEARCH_SPLITTER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date_range.h"

namespace gh {

// The oldest repositories predate GitHub's 2008 launch: mojombo/grit, repository id 1,
// was created 2007-10-29T14:37:16Z. A floor of 2008-01-01 would make them unreachable.
inline constexpr Instant kEarliestRepository{1'191'196'800};  // 2007-10-01T00:00:00Z

struct SplitOptions {
  // Most results one query can reach.
  std::int64_t cap = 1000;
  // The plan covers [lower, upper), intersected with the user's own created: range.
  // upper is exclusive and must be set: pass "now" (to_instant(clock.now())), or a
  // later instant to also cover repositories created while the run goes on.
  Instant lower = kEarliestRepository;
  Instant upper;
};

// One piece of work handed out by SearchSplitter::next().
struct SearchTask {
  enum class Kind { count, fetch };
  Kind kind = Kind::count;
  std::uint64_t id = 0;  // for report_count / report_fetch_total
  std::string query;     // the user's query with this range's created: qualifier
  DateRange range;
  // Fetch tasks: the expected total_count (<= cap unless unsplittable).
  std::int64_t expected_count = 0;
  // Fetch tasks: the whole query, sent before anything was counted. Most queries fit the
  // cap, and their first page says so (total_count) as well as a per_page=1 count would;
  // report_fetch_total() splits the rest, for the price of that one request.
  bool probe = false;
  // Fetch tasks: one second matching more than the cap; only the first `cap` results
  // are reachable, expected_count - cap are not.
  bool unsplittable = false;
  // Fetch tasks: go on from this page (a fetch its caller ended early) rather than the
  // first; its total was reported already.
  std::string resume_url;
};

// One range of the finished partition.
struct PlannedRange {
  DateRange range;
  std::string query;
  std::int64_t count = 0;     // total_count, counted or derived (parent - sibling)
  bool unsplittable = false;  // see SearchTask
  bool fetched = false;       // handed out; empty ranges never are
  bool probe = false;         // not counted yet: its first page tells (SearchTask::probe)
  bool deferred = false;      // over the cap but paged unsplit (report_fetch_total)
};

struct SplitStats {
  std::int64_t total_count = 0;     // of the whole (user-bounded) range
  std::int64_t count_requests = 0;  // count tasks handed out
  std::int64_t derived_counts = 0;  // counts obtained as parent - sibling, for free
  std::int64_t splits = 0;
  std::int64_t fetch_tasks = 0;
  std::int64_t replanned = 0;     // fetches whose first page showed more than the cap
  std::int64_t deferred = 0;      // of those, paged unsplit: the caller wanted few
  std::int64_t deferred_splits = 0;  // deferred ones split after all: pages ran out
  std::int64_t unsplittable = 0;  // ranges of one second over the cap
  std::int64_t unreachable = 0;   // results beyond the cap in those ranges
};

// Thread-safe: workers may call next() and report_*() concurrently.
class SearchSplitter {
 public:
  enum class State {
    working,  // more tasks will come (next() may return nullopt while counts are out)
    done,     // every range is planned and every fetch task handed out
    failed,   // see error(); no more tasks
  };

  SearchSplitter(std::string user_query, SplitOptions options);
  SearchSplitter(const SearchSplitter&) = delete;
  SearchSplitter& operator=(const SearchSplitter&) = delete;

  // The next task: fetch tasks first (ready work), then count tasks. nullopt when
  // nothing can be handed out now: the plan is done or failed, or waits for counts.
  // With `counts` false only a fetch task, if one is ready: the caller limits how many
  // counts it has out at once.
  std::optional<SearchTask> next(bool counts = true);

  // The total_count of a count task; nullopt when the request failed, which fails the
  // plan (the HTTP layer has already retried; the splitter does not ask again). A count
  // for an unknown id, or after the plan failed, is ignored.
  void report_count(std::uint64_t task_id, std::optional<std::int64_t> total_count);

  // The total_count a fetch task's first page showed. If it exceeds the cap and the
  // range can still be split, the range is planned again (its count reused, so again
  // only one half is counted) and true is returned: end the fetch (the page's items
  // are good; the rest comes through the new tasks). nullopt: the first page failed,
  // which fails the plan for a probe (as a failed count) and is ignored otherwise.
  //
  // `wanted`: how many more repositories the caller wants from this query. A probe over
  // the cap whose caller wants at most half of the cap is not split: its first `cap`
  // results are paged as they are (false is returned), which costs no count and no
  // request the pages would not cost anyway; report_fetch_end() splits it after all if
  // the pages run out first. (Half: room for results the caller already has or that
  // other queries claim.)
  bool report_fetch_total(std::uint64_t task_id, std::optional<std::int64_t> total_count,
                          std::int64_t wanted = std::numeric_limits<std::int64_t>::max());

  // A fetch task ended without being stopped by its caller: its pages ran out or one
  // failed. A deferred range (see report_fetch_total) is split now, so that the
  // results past its first `cap` (or past the failed page) can be reached; for any
  // other range this does nothing.
  void report_fetch_end(std::uint64_t task_id);

  State state() const;
  std::string error() const;
  SplitStats stats() const;
  // The ranges planned so far, ordered by start; once done(), a partition of the
  // whole range.
  std::vector<PlannedRange> ranges() const;
  // The whole range being planned: the user's created: range within [lower, upper).
  DateRange bounds() const { return bounds_; }
  // The query for one range: the user's text with `range.qualifier()` in place of their
  // created: qualifier, or appended when they gave none.
  std::string query_for(const DateRange& range) const;

 private:
  // A range to count; if it is the lower half of a split, the parent's count and the
  // upper half, whose count follows by subtraction.
  struct CountJob {
    DateRange range;
    std::optional<std::int64_t> parent_count;
    DateRange sibling;
  };

  void settle(const DateRange& range, std::int64_t count);  // mutex_ held
  void split(const DateRange& range, std::int64_t count);   // mutex_ held
  void fail(std::string message);                           // mutex_ held
  State state_locked() const;

  std::string query_before_;  // the user's query around the spot the created: goes
  std::string query_after_;
  SplitOptions options_;
  DateRange bounds_;

  mutable std::mutex mutex_;
  std::uint64_t last_id_ = 0;
  std::deque<CountJob> counts_;                 // to hand out
  std::map<std::uint64_t, CountJob> counting_;  // handed out, awaiting report_count
  int probes_out_ = 0;  // whole-query fetches handed out, their first page not reported
  int deferred_out_ = 0;  // deferred ranges being paged, their end not reported
  std::deque<std::uint64_t> ready_;                // planned_ ids of fetches to hand out
  std::map<std::uint64_t, PlannedRange> planned_;  // by task id (empty ranges too)
  std::string error_;
  bool failed_ = false;
  SplitStats stats_;
};

// Drives a SearchSplitter with a synchronous count callback (a per_page=1 search that
// returns total_count, or nullopt on failure).
using CountFn = std::function<std::optional<std::int64_t>(const std::string& query)>;

struct SplitResult {
  std::vector<PlannedRange> ranges;  // ordered by start; a partition of `bounds`
  DateRange bounds;
  SplitStats stats;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

SplitResult split_search(std::string user_query, const SplitOptions& options, const CountFn& count);

// Search requests a query of `total_count` results will cost, for progress estimates.
// With bisection, a range is split only when over the cap, so the ranges of a smooth
// distribution end up between half and all of the cap: we assume three quarters. Every
// range costs one count (the root's, or the one its split paid) and its pages. Data
// clustered in time costs more (a crowded second costs a count per halving to isolate).
struct SearchCost {
  std::int64_t count_requests = 0;
  std::int64_t page_requests = 0;
  std::int64_t total() const { return count_requests + page_requests; }
};
SearchCost estimate_search_requests(std::int64_t total_count, std::int64_t cap = 1000,
                                    std::int64_t per_page = 100);

}  // namespace gh

#endif  // GH_INGEST_CORE_SEARCH_SPLITTER_H_
