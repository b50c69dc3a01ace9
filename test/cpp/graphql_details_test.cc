// GraphQL details end to end: real libcurl against the loopback server answering like
// GitHub's GraphQL endpoint, the token pool paying points from the graphql bucket, and
// retries and rate-limit waits on a ManualClock. Threaded tests are tagged [api] as
// well, so the TSan run covers them.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "core/graphql_details.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;
using std::chrono::seconds;

namespace {

struct Rig {
  explicit Rig(int tokens = 1)
      : pool(make_tokens(tokens), PoolOptions{}, clock),
        http(HttpOptions{}, std::make_shared<HttpShare>()),
        api(0, server.url(""), pool, http, clock, stop,
            RetryPolicy(no_wait(), make_random_source(7))),
        url(graphql_url(server.url(""))) {}

  static RetryOptions no_wait() {
    RetryOptions options;
    options.base = Millis(0);
    return options;
  }

  GraphqlDetailsResult fetch(std::vector<Repository>& repos, const DetailSet& wanted = kAll) {
    return fetch_details_graphql(api, parser, url, repos, wanted, sizer);
  }

  static constexpr DetailSet kAll{true, true, true};

  LoopbackServer server;
  ManualClock clock;
  TokenPool pool;
  HttpClient http;
  StopSignal stop;
  GitHubApi api;
  GraphqlResponseParser parser;
  BatchSizer sizer;
  std::string url;
};

Repository repo(std::int64_t id, std::string name) {
  Repository r;
  r.id = id;
  r.node_id = "R_" + std::to_string(id);
  r.owner = "octo";
  r.name = name;
  r.full_name = "octo/" + name;
  return r;
}

Headers graphql_rate(std::int64_t remaining, std::int64_t reset) {
  return {{"Content-Type", "application/json; charset=utf-8"},
          {"x-ratelimit-limit", "5000"},
          {"x-ratelimit-remaining", std::to_string(remaining)},
          {"x-ratelimit-used", std::to_string(5000 - remaining)},
          {"x-ratelimit-reset", std::to_string(reset)},
          {"x-ratelimit-resource", "graphql"}};
}

ScriptedResponse reply(std::string body, Headers headers = {}) {
  ScriptedResponse r;
  r.status = 200;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string rate_limit(std::int64_t cost, std::int64_t remaining) {
  return R"("rateLimit":{"cost":)" + std::to_string(cost) + R"(,"remaining":)" +
         std::to_string(remaining) + R"(,"resetAt":"2026-11-23T10:00:00Z","limit":5000,"used":)" +
         std::to_string(5000 - remaining) + "}";
}

// A repository node; `readme_md` and `readme_docs` are the JSON of those aliases.
std::string node(std::int64_t id, const std::string& root_entries,
                 const std::string& readme_md = "null", const std::string& readme_docs = "null") {
  return R"({"databaseId":)" + std::to_string(id) + R"(,"watchers":{"totalCount":)" +
         std::to_string(id * 10) +
         R"(},"languages":{"edges":[{"size":500,"node":{"name":"Rust"}},)"
         R"({"size":20,"node":{"name":"Shell"}}]},)"
         R"("codeOfConduct":null,"contributingGuidelines":{"url":"u"},)"
         R"("issueTemplates":[{"name":"Bug"}],"pullRequestTemplates":[],)"
         R"("licenseInfo":{"spdxId":"Apache-2.0"},"root":)" +
         root_entries + R"(,"readme_md":)" + readme_md +
         R"(,"readme_lower_md":null,"readme_plain":null,"readme_rst":null,"readme_txt":null,)"
         R"("readme_docs":)" +
         readme_docs + R"(,"readme_github":null})";
}

std::string answer(const std::vector<std::string>& nodes, const std::string& errors = "") {
  std::string json = R"({"data":{)" + rate_limit(1, 4999) + R"(,"nodes":[)";
  for (std::size_t i = 0; i < nodes.size(); ++i) json += (i ? "," : "") + nodes[i];
  json += "]}";
  if (!errors.empty()) json += R"(,"errors":)" + errors;
  return json + "}";
}

const char* const kRootWithReadme =
    R"({"entries":[{"name":"README.md","type":"blob"},{"name":"src","type":"tree"}]})";
const char* const kRootWithoutReadme = R"({"entries":[{"name":"main.c","type":"blob"}]})";

}  // namespace

TEST_CASE("a full batch fills every repository from one POST", "[graphql]") {
  Rig rig;
  const std::int64_t reset = to_epoch_seconds(rig.clock.now()) + 3600;
  rig.server.on("/graphql",
                reply(answer({node(1, kRootWithReadme, R"({"text":"# one\ncaf\u00e9"})"),
                              node(2, kRootWithoutReadme), node(3, "null")}),
                      graphql_rate(4999, reset)));
  std::vector<Repository> repos = {repo(1, "one"), repo(2, "two"), repo(3, "empty")};
  repos[0].description = "a description";
  const GraphqlDetailsResult result = rig.fetch(repos);

  CHECK(result.status == ApiStatus::ok);
  CHECK(result.requests == 1);
  CHECK(result.graphql_requests == 1);
  CHECK(result.points == 1);
  REQUIRE(result.reports.size() == 3);
  for (const DetailReport& report : result.reports) {
    CHECK(report.status == ApiStatus::ok);
    CHECK(report.languages == DetailState::fetched);
    CHECK(report.community == DetailState::fetched);
  }
  CHECK(result.reports[0].readme == DetailState::fetched);
  CHECK(result.reports[1].readme == DetailState::absent);
  CHECK(result.reports[2].readme == DetailState::absent);

  CHECK(repos[0].readme == "# one\ncaf\xC3\xA9");
  CHECK(repos[0].watchers == 10);
  REQUIRE(repos[0].languages);
  CHECK(*repos[0].languages == LanguageBytes{{"Rust", 500}, {"Shell", 20}});
  REQUIRE(repos[0].community);
  CHECK(repos[0].community->readme);
  CHECK(repos[0].community->contributing);
  CHECK(repos[0].community->license);
  CHECK(repos[0].community->issue_template);
  CHECK_FALSE(repos[0].community->code_of_conduct);
  // description, readme, contributing, license, issue template: 5 of 7.
  CHECK(repos[0].community->health_percentage == 71);
  CHECK_FALSE(repos[1].readme.has_value());
  REQUIRE(repos[1].community);
  CHECK_FALSE(repos[1].community->readme);
  CHECK(repos[1].community->health_percentage == 43);  // 3 of 7

  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].path == "/graphql");
  CHECK(requests[0].header("Authorization") == "Bearer " + make_tokens(1)[0]);
  CHECK(requests[0].header("Content-Type") == "application/json");
  CHECK(requests[0].body.find(R"("ids":["R_1","R_2","R_3"])") != std::string::npos);

  // The answer's headers describe the graphql bucket, in points; core is untouched.
  const PoolSnapshot s = rig.pool.snapshot();
  CHECK(s.tokens[0].resources.at("graphql").remaining == 4999);
  CHECK(s.tokens[0].resources.at("graphql").in_flight == 0);
  CHECK(s.tokens[0].resources.at("core").known == false);
  CHECK(s.requests_by_resource.at("graphql") == 1);
}

TEST_CASE("a NOT_FOUND node is that repository gone, the others are kept", "[graphql]") {
  Rig rig;
  rig.server.on("/graphql",
                reply(answer({node(1, kRootWithoutReadme), "null", node(3, kRootWithoutReadme)},
                             R"([{"type":"NOT_FOUND","path":["nodes",1],)"
                             R"("message":"Could not resolve to a node with the global id of )"
                             R"('R_2'"}])")));
  std::vector<Repository> repos = {repo(1, "a"), repo(2, "deleted"), repo(3, "c")};
  const GraphqlDetailsResult result = rig.fetch(repos);
  CHECK(result.status == ApiStatus::ok);
  CHECK(result.reports[0].status == ApiStatus::ok);
  CHECK(result.reports[1].status == ApiStatus::gone);
  CHECK(result.reports[1].error.find("R_2") != std::string::npos);
  CHECK(result.reports[2].status == ApiStatus::ok);
  CHECK_FALSE(repos[1].languages.has_value());
  CHECK(repos[2].languages.has_value());
}

TEST_CASE("RATE_LIMITED waits for the graphql bucket's reset, then the batch goes through",
          "[graphql][api]") {
  Rig rig;
  const std::int64_t reset = to_epoch_seconds(rig.clock.now()) + 600;
  rig.server.on_next("/graphql", reply(R"({"data":null,"errors":[{"type":"RATE_LIMITED",)"
                                       R"("message":"API rate limit exceeded for user ID 1."}]})",
                                       graphql_rate(0, reset)));
  rig.server.on("/graphql",
                reply(answer({node(1, kRootWithoutReadme)}), graphql_rate(4999, reset + 3600)));
  std::vector<Repository> repos = {repo(1, "a")};
  GraphqlDetailsResult result;
  std::thread worker([&] { result = rig.fetch(repos); });
  rig.clock.await_waiters(1);  // in acquire(): the only token's graphql bucket is spent
  CHECK(rig.server.request_count() == 1);
  const PoolSnapshot waiting = rig.pool.snapshot();
  CHECK(waiting.tokens[0].resources.at("graphql").remaining == 0);
  CHECK(waiting.outcomes[static_cast<std::size_t>(Outcome::primary_limit)] == 1);
  CHECK(waiting.tokens[0].resources.at("core").known == false);  // REST is not held back
  rig.clock.set(from_epoch_seconds(reset + 1));                  // the reset and its margin
  worker.join();
  CHECK(result.status == ApiStatus::ok);
  CHECK(result.graphql_requests == 2);
  CHECK(result.points == 1);
  CHECK(rig.server.request_count() == 2);
  CHECK(result.reports[0].status == ApiStatus::ok);
  CHECK(repos[0].watchers == 10);
}

TEST_CASE("a malformed or truncated answer is asked again", "[graphql][api]") {
  Rig rig;
  const std::string good = answer({node(1, kRootWithoutReadme)});
  rig.server.on_next("/graphql", reply(good.substr(0, good.size() / 2)));
  rig.server.on_next("/graphql", reply("<html>oops</html>"));
  rig.server.on("/graphql", reply(good));
  std::vector<Repository> repos = {repo(1, "a")};
  const GraphqlDetailsResult result = rig.fetch(repos);
  CHECK(result.status == ApiStatus::ok);
  CHECK(result.graphql_requests == 3);
  CHECK(rig.api.counters().outcomes[static_cast<std::size_t>(Outcome::malformed)] == 2);
  CHECK(result.reports[0].languages == DetailState::fetched);
}

TEST_CASE("a batch GitHub keeps refusing fails every repository with one line", "[graphql]") {
  Rig rig;
  rig.server.on("/graphql",
                reply(R"({"errors":[{"path":["query Details"],"extensions":{"code":)"
                      R"("undefinedField","fieldName":"x"},"message":"Field 'x' doesn't exist )"
                      R"(on type 'Repository'"}]})"));
  std::vector<Repository> repos = {repo(1, "a"), repo(2, "b")};
  const GraphqlDetailsResult result = rig.fetch(repos);
  CHECK(result.status == ApiStatus::failed);
  // Once, then the retry budget: an error about the query itself is not split (every
  // part would meet it again).
  CHECK(result.graphql_requests == 6);
  CHECK(result.error.find("doesn't exist") != std::string::npos);
  CHECK(result.error.find('\n') == std::string::npos);
  for (const DetailReport& report : result.reports) CHECK(report.status == ApiStatus::failed);
  CHECK_FALSE(repos[0].languages.has_value());
}

ScriptedResponse gateway_timeout_html() {
  ScriptedResponse r;
  r.status = 504;
  r.headers = {{"Content-Type", "text/html"}};
  r.body = "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 "
           "Gateway Time-out</h1></center><hr><center>nginx</center></body></html>";
  return r;
}

ScriptedResponse bad_gateway_json() {
  ScriptedResponse r;
  r.status = 502;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = R"({"data":null,"errors":[{"message":"Something went wrong while executing your )"
           R"(query. This may be the result of a timeout, or it could be a GitHub bug. Please )"
           R"(include `E0C4:3C5A:1B2D3F` when reporting this issue."}]})";
  return r;
}

TEST_CASE("a query that times out is split in halves and the size that works is remembered",
          "[graphql]") {
  Rig rig;
  rig.server.on_next("/graphql", gateway_timeout_html());
  rig.server.on_next("/graphql", reply(answer({node(1, kRootWithoutReadme), node(2, kRootWithoutReadme)})));
  rig.server.on_next("/graphql", reply(answer({node(3, kRootWithoutReadme), node(4, kRootWithoutReadme)})));
  std::vector<Repository> repos = {repo(1, "a"), repo(2, "b"), repo(3, "c"), repo(4, "d")};
  const GraphqlDetailsResult result = rig.fetch(repos, {true, false, false});
  for (const DetailReport& report : result.reports) CHECK(report.status == ApiStatus::ok);
  CHECK(result.graphql_requests == 3);  // no second try of the query that timed out
  CHECK(repos[3].languages.has_value());
  CHECK(rig.sizer.size() == 2);
  CHECK(rig.sizer.stats().timeouts == 1);
  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[1].body.find(R"("ids":["R_1","R_2"])") != std::string::npos);
  CHECK(requests[2].body.find(R"("ids":["R_3","R_4"])") != std::string::npos);

  // The next batch is sent in queries of the size learnt.
  rig.server.on_next("/graphql", reply(answer({node(5, kRootWithoutReadme), node(6, kRootWithoutReadme)})));
  rig.server.on_next("/graphql", reply(answer({node(7, kRootWithoutReadme)})));
  std::vector<Repository> more = {repo(5, "e"), repo(6, "f"), repo(7, "g")};
  const GraphqlDetailsResult next = rig.fetch(more, {true, false, false});
  for (const DetailReport& report : next.reports) CHECK(report.status == ApiStatus::ok);
  CHECK(next.graphql_requests == 2);
}

TEST_CASE("one repository GitHub cannot serve fails alone, its batch-mates are kept",
          "[graphql]") {
  Rig rig;
  rig.server.on_next("/graphql", bad_gateway_json());  // a, b, c, d
  rig.server.on_next("/graphql", reply(answer({node(1, kRootWithoutReadme), node(2, kRootWithoutReadme)})));
  rig.server.on_next("/graphql", bad_gateway_json());  // c, d
  rig.server.on_next("/graphql", bad_gateway_json());  // c
  rig.server.on_next("/graphql", bad_gateway_json());  // c, again
  rig.server.on_next("/graphql", reply(answer({node(4, kRootWithoutReadme)})));
  std::vector<Repository> repos = {repo(1, "a"), repo(2, "b"), repo(3, "c"), repo(4, "d")};
  const GraphqlDetailsResult result = rig.fetch(repos, {true, false, false});
  CHECK(result.reports[0].status == ApiStatus::ok);
  CHECK(result.reports[1].status == ApiStatus::ok);
  CHECK(result.reports[2].status == ApiStatus::failed);
  CHECK(result.reports[2].error.find("502") != std::string::npos);
  CHECK(result.reports[2].error.find("10-second") != std::string::npos);
  CHECK(result.reports[3].status == ApiStatus::ok);
  CHECK_FALSE(repos[2].languages.has_value());
  CHECK(repos[3].languages.has_value());
  CHECK(result.graphql_requests == 6);
  // A broken repository says nothing about the size: batches stay full.
  CHECK(rig.sizer.size() == 100);
  CHECK(rig.sizer.stats().timeouts == 0);
}

TEST_CASE("a README no alias asked for is fetched over REST, for that repository only",
          "[graphql]") {
  Rig rig;
  rig.server.on("/graphql",
                reply(answer({node(1, R"({"entries":[{"name":"Readme.markdown","type":"blob"}]})"),
                              node(2, kRootWithReadme, R"({"text":"two"})"),
                              node(3, kRootWithoutReadme, "null", R"({"text":"from docs"})")})));
  ScriptedResponse raw;
  raw.body = "# One, in Markdown\n";
  raw.headers = {{"ETag", "\"r1\""}};
  rig.server.on("/repos/octo/one/readme", raw);
  std::vector<Repository> repos = {repo(1, "one"), repo(2, "two"), repo(3, "three")};
  const GraphqlDetailsResult result = rig.fetch(repos, {false, true, true});
  CHECK(result.status == ApiStatus::ok);
  CHECK(result.requests == 2);
  CHECK(result.graphql_requests == 1);
  CHECK(result.reports[0].requests == 1);
  CHECK(result.reports[0].readme == DetailState::fetched);
  CHECK(result.reports[0].etags.readme == "\"r1\"");
  CHECK(repos[0].readme == "# One, in Markdown\n");
  CHECK(repos[1].readme == "two");
  // docs/README.md counts when the root has none.
  CHECK(repos[2].readme == "from docs");
  CHECK(repos[2].community->readme);
  CHECK_FALSE(repos[0].languages.has_value());  // not asked for
  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].method == "GET");
  CHECK(requests[1].path == "/repos/octo/one/readme");
  CHECK(requests[1].header("Accept") == "application/vnd.github.raw+json");
  CHECK(rig.pool.snapshot().requests_by_resource.at("core") == 1);
}

TEST_CASE("a README that is there but cannot be fetched fails that repository only", "[graphql]") {
  Rig rig;
  rig.server.on("/graphql",
                reply(answer({node(1, R"({"entries":[{"name":"README.adoc","type":"blob"}]})"),
                              node(2, kRootWithoutReadme)})));
  ScriptedResponse broken;
  broken.status = 502;
  broken.body = "bad gateway";
  rig.server.on("/repos/octo/one/readme", broken);
  std::vector<Repository> repos = {repo(1, "one"), repo(2, "two")};
  const GraphqlDetailsResult result = rig.fetch(repos);
  CHECK(result.status == ApiStatus::ok);  // the query was answered
  CHECK(result.reports[0].status == ApiStatus::failed);
  CHECK(result.reports[0].error.find("/readme") != std::string::npos);
  CHECK_FALSE(repos[0].languages.has_value());  // dropped with the README
  CHECK(result.reports[1].status == ApiStatus::ok);
  CHECK(repos[1].languages.has_value());
}

TEST_CASE("repositories without node_id are looked up by name and get their id", "[graphql]") {
  Rig rig;
  rig.server.on("/graphql", reply(R"({"data":{)" + rate_limit(1, 4990) + R"(,"r0":)" +
                                  node(77, kRootWithoutReadme) + "}}"));
  Repository by_name;
  by_name.owner = "we\"ird";
  by_name.name = "repo";
  std::vector<Repository> repos = {by_name};
  const GraphqlDetailsResult result = rig.fetch(repos, {true, false, false});
  CHECK(result.status == ApiStatus::ok);
  CHECK(repos[0].id == 77);
  CHECK(repos[0].languages.has_value());
  const std::string body = rig.server.requests().at(0).body;
  CHECK(body.find(R"(r0: repository(owner: \"we\\\"ird\", name: \"repo\"))") != std::string::npos);
}

TEST_CASE("more than 100 repositories are asked in queries of 100", "[graphql]") {
  Rig rig;
  std::vector<Repository> repos;
  std::vector<std::string> first;
  std::vector<std::string> second;
  for (int i = 1; i <= 130; ++i) {
    repos.push_back(repo(i, "r" + std::to_string(i)));
    (i <= 100 ? first : second).push_back(node(i, kRootWithoutReadme));
  }
  rig.server.on_next("/graphql", reply(answer(first)));
  rig.server.on_next("/graphql", reply(answer(second)));
  const GraphqlDetailsResult result = rig.fetch(repos, {true, false, false});
  CHECK(result.status == ApiStatus::ok);
  CHECK(result.graphql_requests == 2);
  CHECK(result.points == 2);
  CHECK(repos[129].watchers == 1300);
  const auto requests = rig.server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].body.find(R"("ids":["R_101",)") != std::string::npos);
}

TEST_CASE("stop() during a rate-limit wait stops the batch", "[graphql][api]") {
  Rig rig;
  const std::int64_t reset = to_epoch_seconds(rig.clock.now()) + 600;
  rig.server.on("/graphql", reply(R"({"data":null,"errors":[{"type":"RATE_LIMITED",)"
                                  R"("message":"API rate limit exceeded"}]})",
                                  graphql_rate(0, reset)));
  std::vector<Repository> repos = {repo(1, "a"), repo(2, "b")};
  GraphqlDetailsResult result;
  std::thread worker([&] { result = rig.fetch(repos); });
  rig.clock.await_waiters(1);
  rig.pool.stop();
  worker.join();
  CHECK(result.status == ApiStatus::stopped);
  for (const DetailReport& report : result.reports) CHECK(report.status == ApiStatus::stopped);
  CHECK(rig.server.request_count() == 1);
}

TEST_CASE("where the README is, by the contract's rule", "[graphql]") {
  const QueryParts parts = query_parts({false, true, false});
  auto entry = [](std::string name, std::string type = "blob") {
    return TreeEntry{std::move(name), std::move(type)};
  };
  auto at = [](std::string_view alias) {
    for (std::size_t i = 0; i < kReadmeAliases.size(); ++i) {
      if (kReadmeAliases[i].alias == alias) return i;
    }
    return kReadmeAliases.size();
  };
  RepositoryAnswer a;
  a.present = true;
  a.has_root = true;

  SECTION("none anywhere") {
    a.root_entries = {entry("readme-notes.txt"), entry("README", "tree")};
    const ReadmeFinding f = find_readme(a, parts);
    CHECK_FALSE(f.exists);
    CHECK_FALSE(f.ask_rest);
  }
  SECTION("the root's README.md, preferred over readme.rst") {
    a.root_entries = {entry("README.rst"), entry("README.md")};
    a.readme_blob[at("readme_rst")] = a.readme_blob[at("readme_md")] = true;
    a.readme_text[at("readme_rst")] = "rst";
    a.readme_text[at("readme_md")] = "md";
    const ReadmeFinding f = find_readme(a, parts);
    REQUIRE(f.text);
    CHECK(*f.text == "md");
  }
  SECTION("a root README beats docs/ and .github/") {
    a.root_entries = {entry("readme")};
    a.readme_blob[at("readme_docs")] = true;
    a.readme_text[at("readme_docs")] = "docs";
    const ReadmeFinding f = find_readme(a, parts);
    CHECK(f.exists);
    CHECK(f.ask_rest);  // "readme" (lower case, no extension): no alias asked for it
    CHECK_FALSE(f.text);
  }
  SECTION(".github/ before docs/ when the root has none") {
    a.readme_blob[at("readme_docs")] = a.readme_blob[at("readme_github")] = true;
    a.readme_text[at("readme_docs")] = "docs";
    a.readme_text[at("readme_github")] = "github";
    const ReadmeFinding f = find_readme(a, parts);
    REQUIRE(f.text);
    CHECK(*f.text == "github");
  }
  SECTION("the community profile alone never asks REST") {
    a.root_entries = {entry("README.md")};
    const ReadmeFinding f = find_readme(a, query_parts({false, false, true}));
    CHECK(f.exists);
    CHECK_FALSE(f.ask_rest);
  }
  SECTION("an empty repository has none") {
    a.has_root = false;
    CHECK_FALSE(find_readme(a, parts).exists);
  }
}

TEST_CASE("health percentage as GitHub's community profile computes it", "[graphql]") {
  CommunityProfile p;
  CHECK(health_percentage(p, false) == 0);
  CHECK(health_percentage(p, true) == 14);
  p.readme = true;
  CHECK(health_percentage(p, true) == 29);
  p.code_of_conduct = p.contributing = p.license = p.issue_template = true;
  CHECK(health_percentage(p, true) == 86);
  p.pull_request_template = true;
  CHECK(health_percentage(p, true) == 100);
}
