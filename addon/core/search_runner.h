// Carries out one SearchSplitter task with one worker's GitHubApi:
// - a count: GET /search/repositories?q=...&per_page=1, whose total_count plans the
//   split (it costs one search request: the splitter asks for as few as it can);
// - a fetch: every page of one planned range, 100 at a time, following Link: next.
//   A page with incomplete_results (GitHub timed out) is asked again a bounded number
//   of times. The first page's total_count is reported, so a range that grew past the
//   1,000 cap since it was counted is planned again instead of fetched.
// Pages are handed to the caller one by one; the caller may end the fetch (quota met).
//
// Completeness under drift: GitHub's orders (best match, stars, updated) shift while a
// client pages, as repositories gain stars or change; one that moves to a page already
// read is never seen, and an unchanged one displaced across a page boundary can be
// skipped too. So a range read to its last page is checked: the distinct repositories
// received against its last total_count. A short range is searched again, at most
// twice and only while it stays short: first sorted by `updated` (a star or any change
// bumps updated_at), newest first, only as far as the repositories changed since its
// pages began (usually one page); then, if still short, read whole in ascending stars
// order, where what moved up in the first pass moves away from the pages read. What is
// still missing after that is GitHub's count moving (repositories that stopped matching),
// reported as `short_by`: a range that really shrank costs at most one extra pass.
// A fetch that ends otherwise (pages ran out, or one failed) is reported to the
// splitter (report_fetch_end), which splits a query it let be paged unsplit.
#ifndef GH_INGEST_CORE_SEARCH_RUNNER_H_
#define GH_INGEST_CORE_SEARCH_RUNNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/github_api.h"
#include "core/github_json.h"
#include "core/search_splitter.h"

namespace gh {

struct SearchRunOptions {
  int per_page = 100;          // GitHub's maximum
  int incomplete_retries = 2;  // asks again for a page with incomplete_results
  // How many more repositories the caller wants from this query, asked when a whole
  // query's first page shows more than the cap (SearchSplitter::report_fetch_total):
  // few enough, and the query is paged unsplit. Empty: as many as it has.
  std::function<std::int64_t()> wanted;
  // Re-checks a range whose pages brought fewer distinct repositories than its
  // total_count (results shift while a client pages: see run_search_task). Needs the
  // clock, to know which repositories changed since the range's pages began.
  bool recheck = true;
  const Clock* clock = nullptr;
  // Clock skew allowed between this machine and GitHub when asking "changed since".
  std::int64_t skew_seconds = 300;
};

struct SearchRunResult {
  ApiStatus status = ApiStatus::ok;
  std::string error;       // one line when status is not ok
  int pages = 0;           // pages received (counts included)
  std::int64_t items = 0;  // repositories handed to the caller
  bool replanned = false;  // a fetch whose range had grown past the cap: dropped
  bool stopped_by_caller = false;
  // When stopped by the caller: the page it stopped at, to resume from (its items that
  // were not taken are met again; those taken are duplicates then).
  std::string resume_url;
  bool incomplete = false;  // a page stayed incomplete after the retries
  // The range's completeness check (fetches that ran to their last page only):
  std::int64_t total_count = -1;  // the last total_count GitHub gave for the range
  std::int64_t distinct = 0;      // distinct repositories received for it, re-checks included
  int recheck_requests = 0;       // search requests the re-checks cost
  std::int64_t recheck_found = 0;  // repositories only the re-checks brought
  // Still short after the re-checks: GitHub's count moved (repositories that stopped
  // matching, or no longer reachable), not a page this run skipped.
  std::int64_t short_by = 0;
};

// `on_page` receives each fetched page (items may be moved out); returning false ends
// the fetch. Not called for counts.
using OnSearchPage = std::function<bool(SearchPage& page)>;

SearchRunResult run_search_task(GitHubApi& api, GitHubJson& json, SearchSplitter& splitter,
                                const SearchTask& task, const OnSearchPage& on_page,
                                const SearchRunOptions& options = {});

// GET /search/repositories for `query`, percent-encoded.
std::string search_path(std::string_view query, int per_page);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace gh

#endif  // GH_INGEST_CORE_SEARCH_RUNNER_H_
