#include "core/search_runner.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/date_range.h"

namespace gh {
namespace {

// Results one query can reach (SplitOptions::cap): a range past it cannot be complete.
const std::int64_t kSearchResultCap = SplitOptions{}.cap;

ApiCall search_call(std::string url) {
  ApiCall call;
  call.resource = "search";
  call.url = std::move(url);
  return call;
}

// Which re-check pass: what it asks GitHub and when it may stop early.
struct RecheckPass {
  const char* order;  // appended to the range's search URL
  bool changed_only;  // stop at the first repository unchanged since the range began
};

void recheck_range(GitHubApi& api, const SearchTask& task, const SearchRunOptions& options,
                   Instant began, std::unordered_set<std::int64_t>& seen, SearchPage& page,
                   const GitHubApi::Parse& parse, const OnSearchPage& on_page,
                   SearchRunResult& result) {
  std::vector<RecheckPass> passes;
  if (options.clock) passes.push_back({"&sort=updated&order=desc", true});
  passes.push_back({"&sort=stars&order=asc", false});
  const Instant changed_since = began - options.skew_seconds;
  for (const RecheckPass& pass : passes) {
    if (static_cast<std::int64_t>(seen.size()) >= result.total_count) break;
    std::string url = search_path(task.query, options.per_page) + pass.order;
    while (!url.empty()) {
      const ApiResult sent = api.send(search_call(url), parse);
      ++result.recheck_requests;
      if (sent.status != ApiStatus::ok) {
        // The range was read, but not verified: the caller records it as failed.
        result.status = sent.status;
        result.error = sent.error;
        return;
      }
      result.total_count = page.total_count;
      bool older_met = false;
      for (const Repository& repo : page.items) {
        if (seen.insert(repo.id).second) ++result.recheck_found;
        if (pass.changed_only && repo.updated_at) {
          const std::optional<DateRange> updated = parse_date_span(*repo.updated_at);
          if (updated && updated->from < changed_since) older_met = true;
        }
      }
      result.items += static_cast<std::int64_t>(page.items.size());
      const std::string next = api.response().link_next;
      if (!on_page(page)) {
        result.stopped_by_caller = true;  // the caller has what it wants
        return;
      }
      if (older_met || static_cast<std::int64_t>(seen.size()) >= result.total_count) break;
      url = next;
    }
  }
  result.distinct = static_cast<std::int64_t>(seen.size());
  result.short_by = std::max<std::int64_t>(0, result.total_count - result.distinct);
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' ||
                            byte == '_' || byte == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

std::string search_path(std::string_view query, int per_page) {
  return "/search/repositories?q=" + percent_encode(query) +
         "&per_page=" + std::to_string(per_page);
}

SearchRunResult run_search_task(GitHubApi& api, GitHubJson& json, SearchSplitter& splitter,
                                const SearchTask& task, const OnSearchPage& on_page,
                                const SearchRunOptions& options) {
  SearchRunResult result;
  SearchPage page;
  const GitHubApi::Parse parse = [&](const HttpResponse& response) {
    return json.search_page(response.body.padded(), page);
  };

  if (task.kind == SearchTask::Kind::count) {
    const ApiResult sent = api.send(search_call(search_path(task.query, 1)), parse);
    result.status = sent.status;
    result.error = sent.error;
    if (sent.status == ApiStatus::ok) {
      ++result.pages;
      splitter.report_count(task.id, page.total_count);
    } else if (sent.status != ApiStatus::stopped) {
      splitter.report_count(task.id, std::nullopt);  // fails the plan, with its reason
    }
    return result;
  }

  std::string url =
      task.resume_url.empty() ? search_path(task.query, options.per_page) : task.resume_url;
  bool first = task.resume_url.empty();
  // A resumed fetch handed its earlier pages on before: its range cannot be checked.
  const bool whole = task.resume_url.empty();
  const Instant began = options.clock ? to_instant(options.clock->now()) : Instant{};
  std::unordered_set<std::int64_t> seen;
  while (!url.empty()) {
    ApiResult sent;
    for (int attempt = 0;; ++attempt) {
      sent = api.send(search_call(url), parse);
      if (sent.status != ApiStatus::ok || !page.incomplete_results ||
          attempt >= options.incomplete_retries) {
        break;
      }
    }
    if (sent.status != ApiStatus::ok) {
      result.status = sent.status;
      result.error = sent.error;
      // A whole query's first page failing is a failed count: the plan fails, with its
      // reason (the HTTP layer has retried already).
      if (first && sent.status != ApiStatus::stopped) {
        splitter.report_fetch_total(task.id, std::nullopt);
      } else if (!first) {
        splitter.report_fetch_end(task.id);
      }
      return result;
    }
    ++result.pages;
    if (page.incomplete_results) result.incomplete = true;
    result.total_count = page.total_count;
    for (const Repository& repo : page.items) seen.insert(repo.id);
    if (first) {
      first = false;
      const std::int64_t wanted =
          options.wanted ? options.wanted() : std::numeric_limits<std::int64_t>::max();
      if (splitter.report_fetch_total(task.id, page.total_count, wanted)) {
        // Split after all; this page's repositories match all the same (the ranges
        // that follow meet them again as duplicates, at no cost).
        result.replanned = true;
        result.items += static_cast<std::int64_t>(page.items.size());
        on_page(page);
        return result;
      }
    }
    result.items += static_cast<std::int64_t>(page.items.size());
    const std::string next = api.response().link_next;
    if (!on_page(page)) {
      result.stopped_by_caller = true;
      result.resume_url = url;
      return result;
    }
    url = next;
  }
  result.distinct = static_cast<std::int64_t>(seen.size());
  const bool checkable = whole && options.recheck && !task.unsplittable &&
                         result.total_count <= kSearchResultCap;
  if (checkable && result.distinct < result.total_count) {
    recheck_range(api, task, options, began, seen, page, parse, on_page, result);
  }
  splitter.report_fetch_end(task.id);
  return result;
}

}  // namespace gh
