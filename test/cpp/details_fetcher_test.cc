// Details over real HTTP: languages, the raw README, the community profile; ETags that
// make unchanged answers free; repositories gone or without a README.
#include <memory>
#include <string>

#include "catch.h"
#include "core/details_fetcher.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;

namespace {

ScriptedResponse reply(int status, std::string body, Headers headers = {}) {
  ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct Rig {
  Rig()
      : pool(make_tokens(1), PoolOptions{}, clock),
        http(HttpOptions{}, std::make_shared<HttpShare>()),
        api(0, server.url(""), pool, http, clock, stop,
            RetryPolicy(no_wait(), make_random_source(1))) {
    repo.id = 1;
    repo.owner = "octo";
    repo.name = "llm-kit";
    repo.full_name = "octo/llm-kit";
  }
  static RetryOptions no_wait() {
    RetryOptions options;
    options.base = Millis(0);
    return options;
  }

  LoopbackServer server;
  ManualClock clock;
  TokenPool pool;
  HttpClient http;
  StopSignal stop;
  GitHubApi api;
  GitHubJson json;
  Repository repo;
};

const DetailSet kAll{true, true, true};

}  // namespace

TEST_CASE("all three details are fetched, the README as raw text", "[details]") {
  Rig rig;
  rig.server.on("/repos/octo/llm-kit/languages",
                reply(200, R"({"Python":900,"Cuda":100})", {{"ETag", "W/\"lang1\""}}));
  rig.server.on("/repos/octo/llm-kit/readme",
                reply(200, "# llm-kit\n\ncaf\xC3\xA9\n", {{"ETag", "\"readme1\""}}));
  rig.server.on("/repos/octo/llm-kit/community/profile",
                reply(200, R"({"health_percentage":85,"files":{"contributing":{"url":"u"},)"
                           R"("code_of_conduct":null,"readme":{"url":"u"}}})"));
  const DetailReport report = fetch_details(rig.api, rig.json, rig.repo, kAll);
  CHECK(report.status == ApiStatus::ok);
  CHECK(report.requests == 3);
  CHECK(report.languages == DetailState::fetched);
  REQUIRE(rig.repo.languages);
  CHECK(rig.repo.languages->at(0).first == "Python");
  CHECK(rig.repo.readme == "# llm-kit\n\ncaf\xC3\xA9\n");
  REQUIRE(rig.repo.community);
  CHECK(rig.repo.community->health_percentage == 85);
  CHECK(rig.repo.community->contributing);
  CHECK_FALSE(rig.repo.community->code_of_conduct);
  CHECK(report.etags.languages == "W/\"lang1\"");
  CHECK(report.etags.readme == "\"readme1\"");
  const auto requests = rig.server.requests();
  CHECK(requests.at(1).header("Accept") == "application/vnd.github.raw+json");
  CHECK_FALSE(requests.at(0).has_header("If-None-Match"));
}

TEST_CASE("only the details asked for are fetched", "[details]") {
  Rig rig;
  rig.server.on("/repos/octo/llm-kit/readme", reply(200, "hi"));
  const DetailReport report = fetch_details(rig.api, rig.json, rig.repo, {false, true, false});
  CHECK(report.readme == DetailState::fetched);
  CHECK(report.languages == DetailState::not_requested);
  CHECK(report.community == DetailState::not_requested);
  CHECK(rig.server.request_count() == 1);
  CHECK_FALSE(rig.repo.languages.has_value());
}

TEST_CASE("stored ETags make unchanged details free 304s", "[details]") {
  Rig rig;
  ScriptedResponse not_modified = reply(304, "");
  rig.server.on("/repos/octo/llm-kit/languages", not_modified);
  rig.server.on("/repos/octo/llm-kit/readme", reply(200, "new text", {{"ETag", "\"r2\""}}));
  DetailEtags known;
  known.languages = "W/\"lang1\"";
  known.readme = "\"r1\"";
  const DetailReport report =
      fetch_details(rig.api, rig.json, rig.repo, {true, true, false}, known);
  CHECK(report.status == ApiStatus::ok);
  CHECK(report.languages == DetailState::unchanged);
  CHECK_FALSE(rig.repo.languages.has_value());
  CHECK(report.etags.languages == "W/\"lang1\"");
  CHECK(report.readme == DetailState::fetched);
  CHECK(report.etags.readme == "\"r2\"");
  const auto requests = rig.server.requests();
  CHECK(requests.at(0).header("If-None-Match") == "W/\"lang1\"");
  CHECK(requests.at(1).header("If-None-Match") == "\"r1\"");
  // A 304 is free: the pool did not count it against the bucket.
  CHECK(rig.pool.snapshot().outcomes[static_cast<std::size_t>(Outcome::not_modified)] == 1);
}

TEST_CASE("no README and no community profile are not errors", "[details]") {
  Rig rig;
  rig.server.on("/repos/octo/llm-kit/languages", reply(200, "{}"));
  rig.server.on("/repos/octo/llm-kit/readme", reply(404, R"({"message":"Not Found"})"));
  rig.server.on("/repos/octo/llm-kit/community/profile", reply(404, R"({"message":"Not Found"})"));
  const DetailReport report = fetch_details(rig.api, rig.json, rig.repo, kAll);
  CHECK(report.status == ApiStatus::ok);
  CHECK(report.readme == DetailState::absent);
  CHECK(report.community == DetailState::absent);
  CHECK_FALSE(rig.repo.readme.has_value());
  REQUIRE(rig.repo.languages);
  CHECK(rig.repo.languages->empty());
}

TEST_CASE("a repository gone since the search is reported gone, nothing more asked", "[details]") {
  Rig rig;
  rig.server.on("/repos/octo/llm-kit/languages",
                reply(451, R"({"message":"Repository access blocked"})"));
  const DetailReport report = fetch_details(rig.api, rig.json, rig.repo, kAll);
  CHECK(report.status == ApiStatus::gone);
  CHECK(report.error.find("451") != std::string::npos);
  CHECK(rig.server.request_count() == 1);
}

TEST_CASE("a failure after retries ends the fetch with its reason", "[details]") {
  Rig rig;
  rig.server.on("/repos/octo/llm-kit/languages", reply(200, "{}"));
  rig.server.on("/repos/octo/llm-kit/readme", reply(502, "bad gateway"));
  const DetailReport report = fetch_details(rig.api, rig.json, rig.repo, kAll);
  CHECK(report.status == ApiStatus::failed);
  CHECK(report.error.find("/readme") != std::string::npos);
  CHECK(report.languages == DetailState::fetched);
  CHECK(report.community == DetailState::not_requested);
}
