#include "core/search_runner.h"

#include <limits>
#include <utility>

namespace gh {
namespace {

ApiCall search_call(std::string url) {
  ApiCall call;
  call.resource = "search";
  call.url = std::move(url);
  return call;
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
  splitter.report_fetch_end(task.id);
  return result;
}

}  // namespace gh
