// Carries out one SearchSplitter task with one worker's GitHubApi:
// - a count: GET /search/repositories?q=...&per_page=1, whose total_count plans the
//   split (it costs one search request: the splitter asks for as few as it can);
// - a fetch: every page of one planned range, 100 at a time, following Link: next.
//   A page with incomplete_results (GitHub timed out) is asked again a bounded number
//   of times. The first page's total_count is reported, so a range that grew past the
//   1,000 cap since it was counted is planned again instead of fetched.
// Pages are handed to the caller one by one; the caller may end the fetch (quota met).
// A fetch that ends otherwise (pages ran out, or one failed) is reported to the
// splitter (report_fetch_end), which splits a query it let be paged unsplit.
#ifndef GH_INGEST_CORE_SEARCH_RUNNER_H_
#define GH_INGEST_CORE_SEARCH_RUNNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

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
