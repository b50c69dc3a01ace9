// Search tasks carried out over real HTTP: a query is fetched whole first and split only
// when its first page shows more than the cap (counts plan the halves), fetches follow
// Link: next, incomplete pages are asked again, the caller can end a fetch.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "catch.h"
#include "core/search_runner.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;

namespace {

std::string item(std::int64_t id) {
  return R"({"id":)" + std::to_string(id) + R"(,"name":"r)" + std::to_string(id) +
         R"(","full_name":"o/r)" + std::to_string(id) +
         R"(","owner":{"login":"o"},"html_url":"https://github.com/o/r)" + std::to_string(id) +
         R"(","stargazers_count":1,"forks_count":0,"open_issues_count":0,"topics":[]})";
}

// A search item changed at `updated` (ISO 8601).
std::string item_updated(std::int64_t id, const std::string& updated) {
  std::string json = item(id);
  json.pop_back();
  return json + R"(,"updated_at":")" + updated + R"("})";
}

std::string items_body(std::int64_t total, const std::vector<std::string>& items) {
  std::string json = R"({"total_count":)" + std::to_string(total) + R"(,"incomplete_results":false,"items":[)";
  for (std::size_t i = 0; i < items.size(); ++i) json += (i ? "," : "") + items[i];
  return json + "]}";
}

std::string page_body(std::int64_t total, std::int64_t first_id, int count,
                      bool incomplete = false) {
  std::string items;
  for (int i = 0; i < count; ++i) items += (i ? "," : "") + item(first_id + i);
  return R"({"total_count":)" + std::to_string(total) + R"(,"incomplete_results":)" +
         (incomplete ? "true" : "false") + R"(,"items":[)" + items + "]}";
}

ScriptedResponse page(std::string body, std::string next_url = {}) {
  ScriptedResponse r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  if (!next_url.empty()) r.headers.emplace_back("Link", "<" + next_url + ">; rel=\"next\"");
  return r;
}

struct Rig {
  Rig()
      : pool(make_tokens(1), PoolOptions{}, clock),
        http(HttpOptions{}, std::make_shared<HttpShare>()),
        api(0, server.url(""), pool, http, clock, stop, retry_now()),
        splitter("topic:llm stars:>10", split_options()) {}

  static RetryPolicy retry_now() {
    RetryOptions options;
    options.base = Millis(0);
    return RetryPolicy(options, make_random_source(1));
  }
  static SplitOptions split_options() {
    SplitOptions options;
    options.upper = Instant{1'700'000'000};
    return options;
  }

  LoopbackServer server;
  ManualClock clock;
  TokenPool pool;
  HttpClient http;
  StopSignal stop;
  GitHubApi api;
  GitHubJson json;
  SearchSplitter splitter;
};

const OnSearchPage kKeepAll = [](SearchPage&) { return true; };

}  // namespace

TEST_CASE("a query within the cap costs no count: fetched at once, following Link: next",
          "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories",
                     page(page_body(250, 1, 100), rig.server.url("/search/repositories?page=2")));
  rig.server.on_next("/search/repositories",
                     page(page_body(250, 101, 100), rig.server.url("/search/repositories?page=3")));
  rig.server.on_next("/search/repositories", page(page_body(250, 201, 50)));
  const auto task = rig.splitter.next();
  REQUIRE(task);
  REQUIRE(task->kind == SearchTask::Kind::fetch);
  CHECK(task->probe);
  std::vector<std::int64_t> ids;
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *task, [&](SearchPage& p) {
        for (const Repository& repo : p.items) ids.push_back(repo.id);
        return true;
      });
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.pages == 3);
  CHECK(r.items == 250);
  REQUIRE(ids.size() == 250);
  CHECK(ids.front() == 1);
  CHECK(ids.back() == 250);
  const RecordedRequest first = rig.server.requests().at(0);
  CHECK(first.target.find("per_page=100") != std::string::npos);
  CHECK(first.target.find("q=topic%3Allm%20stars%3A%3E10%20created%3A") != std::string::npos);
  CHECK(rig.server.requests().at(1).target == "/search/repositories?page=2");
  CHECK(rig.server.request_count() == 3);
  CHECK(rig.splitter.state() == SearchSplitter::State::done);
  CHECK(rig.splitter.stats().count_requests == 0);
}

TEST_CASE("a query over the cap keeps its first page and is split with one count per level",
          "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(1500, 1, 100)));
  rig.server.on_next("/search/repositories", page(page_body(600, 1, 1)));  // the lower half
  bool delivered = false;
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), [&](SearchPage&) {
        delivered = true;
        return true;
      });
  CHECK(r.replanned);
  CHECK(delivered);  // those 100 match the query all the same
  CHECK(r.items == 100);
  const auto count = rig.splitter.next();
  REQUIRE(count);
  REQUIRE(count->kind == SearchTask::Kind::count);
  run_search_task(rig.api, rig.json, rig.splitter, *count, kKeepAll);
  CHECK(rig.server.requests().at(1).target.find("per_page=1") != std::string::npos);
  CHECK(rig.server.requests().at(1).target.find("per_page=100") == std::string::npos);
  const auto lower = rig.splitter.next();
  const auto upper = rig.splitter.next();
  REQUIRE(lower);
  REQUIRE(upper);
  CHECK(lower->expected_count == 600);
  CHECK(upper->expected_count == 900);  // derived: 1500 - 600
}

TEST_CASE("a query over the cap is paged unsplit while few are wanted and split if its pages run out",
          "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories",
                     page(page_body(4000, 1, 100), rig.server.url("/search/repositories?page=2")));
  rig.server.on_next("/search/repositories", page(page_body(4000, 101, 100)));
  rig.server.on_next("/search/repositories", page(page_body(1800, 1, 1)));  // the lower half
  SearchRunOptions options;
  int asked = 0;
  options.wanted = [&] {
    ++asked;
    return std::int64_t{250};
  };
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter,
                                            *rig.splitter.next(), kKeepAll, options);
  CHECK(asked == 1);  // once, at the first page
  CHECK_FALSE(r.replanned);
  CHECK(r.pages == 2);
  CHECK(r.items == 200);
  CHECK(rig.splitter.stats().deferred == 1);
  // The pages ran out (no Link: next) with the caller still wanting: split now.
  CHECK(rig.splitter.stats().deferred_splits == 1);
  const auto count = rig.splitter.next();
  REQUIRE(count);
  CHECK(count->kind == SearchTask::Kind::count);
}

TEST_CASE("a query paged unsplit that its caller ends is not split", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories",
                     page(page_body(4000, 1, 100), rig.server.url("/search/repositories?page=2")));
  SearchRunOptions options;
  options.wanted = [] { return std::int64_t{50}; };
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter,
                                            *rig.splitter.next(),
                                            [](SearchPage&) { return false; }, options);
  CHECK(r.stopped_by_caller);
  CHECK(rig.server.request_count() == 1);
  CHECK(rig.splitter.stats().deferred == 1);
  CHECK(rig.splitter.stats().deferred_splits == 0);
  CHECK_FALSE(rig.splitter.next().has_value());
}

TEST_CASE("an incomplete page is asked again, a bounded number of times", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(10, 1, 4, true)));
  rig.server.on_next("/search/repositories", page(page_body(10, 1, 10)));
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  CHECK(r.items == 10);
  CHECK_FALSE(r.incomplete);
  CHECK(rig.server.request_count() == 2);

  Rig stubborn;
  stubborn.server.on("/search/repositories", page(page_body(10, 1, 4, true)));
  const SearchRunResult s = run_search_task(stubborn.api, stubborn.json, stubborn.splitter,
                                            *stubborn.splitter.next(), kKeepAll);
  CHECK(s.incomplete);
  // What GitHub gave is kept; the range, short of its count, is read once more (no
  // clock: in ascending order only), and what is still missing is said.
  CHECK(s.items == 4 + 4);
  CHECK(stubborn.server.request_count() == 3 + 1);
  CHECK(s.recheck_requests == 1);
  CHECK(s.short_by == 6);
}

TEST_CASE("a range short of its count is re-checked by what changed since its pages began",
          "[search]") {
  Rig rig;
  SearchRunOptions options;
  options.clock = &rig.clock;
  // Repository 101 gained stars between pages 1 and 2: it moved to page 1, already read.
  rig.server.on_next("/search/repositories",
                     page(page_body(250, 1, 100), rig.server.url("/search/repositories?page=2")));
  rig.server.on_next("/search/repositories",
                     page(page_body(250, 102, 100), rig.server.url("/search/repositories?page=3")));
  rig.server.on_next("/search/repositories", page(page_body(250, 202, 49)));
  const std::string now = format_instant(to_instant(rig.clock.now()));
  rig.server.on_next("/search/repositories",
                     page(items_body(250, {item_updated(101, now), item_updated(7, "2020-01-01T00:00:00Z")}),
                          rig.server.url("/search/repositories?page=2&sort=updated")));
  std::vector<std::int64_t> received;
  const SearchRunResult r = run_search_task(
      rig.api, rig.json, rig.splitter, *rig.splitter.next(),
      [&](SearchPage& p) {
        for (const Repository& repo : p.items) received.push_back(repo.id);
        return true;
      },
      options);
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.distinct == 250);
  CHECK(r.recheck_requests == 1);  // stopped at the first repository older than the pages
  CHECK(r.recheck_found == 1);
  CHECK(r.short_by == 0);
  CHECK(std::count(received.begin(), received.end(), 101) == 1);
  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[3].target.find("sort=updated&order=desc") != std::string::npos);
  CHECK(requests[3].target.find("created%3A") != std::string::npos);  // the same range
}

TEST_CASE("a range that really shrank costs at most one extra pass", "[search]") {
  Rig rig;
  SearchRunOptions options;
  options.clock = &rig.clock;
  // 150 counted, 149 exist by the time the pages are read (one stopped matching).
  rig.server.on_next("/search/repositories",
                     page(page_body(150, 1, 100), rig.server.url("/search/repositories?page=2")));
  rig.server.on_next("/search/repositories", page(page_body(150, 101, 49)));
  // Changed since: nothing new, and the first repository is old.
  rig.server.on_next("/search/repositories",
                     page(items_body(150, {item_updated(3, "2020-01-01T00:00:00Z")})));
  // Ascending: the same 149 again, in two pages.
  rig.server.on_next("/search/repositories",
                     page(page_body(150, 50, 100), rig.server.url("/search/repositories?page=2&o=asc")));
  rig.server.on_next("/search/repositories", page(page_body(150, 1, 49)));
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter,
                                            *rig.splitter.next(), kKeepAll, options);
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.recheck_requests == 3);
  CHECK(r.recheck_found == 0);
  CHECK(r.short_by == 1);
  CHECK(rig.server.request_count() == 5);
  CHECK(rig.server.requests()[3].target.find("sort=stars&order=asc") != std::string::npos);
}

TEST_CASE("a complete range costs no re-check", "[search]") {
  Rig rig;
  SearchRunOptions options;
  options.clock = &rig.clock;
  rig.server.on_next("/search/repositories", page(page_body(40, 1, 40)));
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter,
                                            *rig.splitter.next(), kKeepAll, options);
  CHECK(r.distinct == 40);
  CHECK(r.recheck_requests == 0);
  CHECK(rig.server.request_count() == 1);
}

TEST_CASE("the caller can end a fetch after any page", "[search]") {
  Rig rig;
  rig.server.on("/search/repositories",
                page(page_body(250, 1, 100), rig.server.url("/search/repositories?page=2")));
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(),
                                            [](SearchPage&) { return false; });
  CHECK(r.stopped_by_caller);
  CHECK(rig.server.request_count() == 1);
}

TEST_CASE("a range grown past the cap since its count is planned again", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(1500, 1, 100)));  // the query
  rig.server.on_next("/search/repositories", page(page_body(600, 1, 1)));     // lower half
  rig.server.on_next("/search/repositories", page(page_body(1300, 1, 100)));  // upper, grown
  run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  const auto lower = rig.splitter.next();
  const auto upper = rig.splitter.next();
  REQUIRE(upper);
  CHECK(upper->expected_count == 900);
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter, *upper, kKeepAll);
  CHECK(r.replanned);
  const auto next = rig.splitter.next();
  REQUIRE(next);
  CHECK(next->kind == SearchTask::Kind::count);  // one half of the grown range
}

TEST_CASE("a failed count fails the plan with GitHub's reason", "[search]") {
  Rig rig;
  ScriptedResponse invalid = page(R"({"message":"Validation Failed"})");
  invalid.status = 422;
  rig.server.on("/search/repositories", invalid);
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  CHECK(r.status == ApiStatus::rejected);
  CHECK(r.error.find("Validation Failed") != std::string::npos);
  CHECK(rig.splitter.state() == SearchSplitter::State::failed);
}

TEST_CASE("percent-encoding of search queries", "[search]") {
  CHECK(percent_encode("topic:llm stars:>=10") == "topic%3Allm%20stars%3A%3E%3D10");
  CHECK(percent_encode("caf\xC3\xA9 \"x\"") == "caf%C3%A9%20%22x%22");
  CHECK(percent_encode("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(search_path("q", 100) == "/search/repositories?q=q&per_page=100");
}
