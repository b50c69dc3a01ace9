// Search tasks carried out over real HTTP: counts plan the split, fetches follow
// Link: next, incomplete pages are asked again, the caller can end a fetch.
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

TEST_CASE("a count asks for one result and plans the range", "[search]") {
  Rig rig;
  rig.server.on("/search/repositories", page(page_body(250, 1, 1)));
  const auto task = rig.splitter.next();
  REQUIRE(task);
  REQUIRE(task->kind == SearchTask::Kind::count);
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter, *task, kKeepAll);
  CHECK(r.status == ApiStatus::ok);
  const RecordedRequest request = rig.server.requests().at(0);
  CHECK(request.target.find("per_page=1") != std::string::npos);
  CHECK(request.target.find("q=topic%3Allm%20stars%3A%3E10%20created%3A") != std::string::npos);
  // 250 fits under the cap: the next task is the fetch of that one range.
  const auto fetch = rig.splitter.next();
  REQUIRE(fetch);
  CHECK(fetch->kind == SearchTask::Kind::fetch);
  CHECK(fetch->expected_count == 250);
}

TEST_CASE("a fetch follows Link: next to the last page", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(250, 1, 1)));  // the count
  rig.server.on_next("/search/repositories",
                     page(page_body(250, 1, 100), rig.server.url("/search/repositories?page=2")));
  rig.server.on_next("/search/repositories",
                     page(page_body(250, 101, 100), rig.server.url("/search/repositories?page=3")));
  rig.server.on_next("/search/repositories", page(page_body(250, 201, 50)));
  run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  std::vector<std::int64_t> ids;
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), [&](SearchPage& p) {
        for (const Repository& repo : p.items) ids.push_back(repo.id);
        return true;
      });
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.pages == 3);
  CHECK(r.items == 250);
  REQUIRE(ids.size() == 250);
  CHECK(ids.front() == 1);
  CHECK(ids.back() == 250);
  CHECK(rig.server.requests().at(1).target.find("per_page=100") != std::string::npos);
  CHECK(rig.server.requests().at(2).target == "/search/repositories?page=2");
  CHECK(rig.splitter.state() == SearchSplitter::State::done);
}

TEST_CASE("an incomplete page is asked again, a bounded number of times", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(10, 1, 1)));
  rig.server.on_next("/search/repositories", page(page_body(10, 1, 4, true)));
  rig.server.on_next("/search/repositories", page(page_body(10, 1, 10)));
  run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  CHECK(r.items == 10);
  CHECK_FALSE(r.incomplete);
  CHECK(rig.server.request_count() == 3);

  Rig stubborn;
  stubborn.server.on_next("/search/repositories", page(page_body(10, 1, 1)));
  stubborn.server.on("/search/repositories", page(page_body(10, 1, 4, true)));
  run_search_task(stubborn.api, stubborn.json, stubborn.splitter, *stubborn.splitter.next(),
                  kKeepAll);
  const SearchRunResult s = run_search_task(stubborn.api, stubborn.json, stubborn.splitter,
                                            *stubborn.splitter.next(), kKeepAll);
  CHECK(s.incomplete);
  CHECK(s.items == 4);  // what GitHub gave is kept
  CHECK(stubborn.server.request_count() == 1 + 3);
}

TEST_CASE("the caller can end a fetch after any page", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(250, 1, 1)));
  rig.server.on("/search/repositories",
                page(page_body(250, 1, 100), rig.server.url("/search/repositories?page=2")));
  run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  const SearchRunResult r = run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(),
                                            [](SearchPage&) { return false; });
  CHECK(r.stopped_by_caller);
  CHECK(rig.server.request_count() == 2);
}

TEST_CASE("a range grown past the cap since its count is planned again", "[search]") {
  Rig rig;
  rig.server.on_next("/search/repositories", page(page_body(900, 1, 1)));
  rig.server.on_next("/search/repositories", page(page_body(1500, 1, 100)));
  run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), kKeepAll);
  bool delivered = false;
  const SearchRunResult r =
      run_search_task(rig.api, rig.json, rig.splitter, *rig.splitter.next(), [&](SearchPage&) {
        delivered = true;
        return true;
      });
  CHECK(r.replanned);
  CHECK_FALSE(delivered);
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
