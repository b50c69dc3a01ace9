// The tokens' check at start: logins join tokens into quota groups, /rate_limit fills
// the buckets, 401s retire, transient failures are retried. Real libcurl, loopback server.
#include <algorithm>
#include <memory>
#include <string>

#include "catch.h"
#include "core/token_check.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;

namespace {

ScriptedResponse json_reply(int status, std::string body) {
  ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

const char* kRateLimit =
    R"({"resources":{"core":{"limit":5000,"used":100,"remaining":4900,"reset":1800000000},)"
    R"("search":{"limit":30,"used":0,"remaining":30,"reset":1800000060}}})";

struct Rig {
  explicit Rig(int tokens, int threads = 1) : pool(make_tokens(tokens), PoolOptions{}, clock) {
    options.base_url = server.url("");
    options.threads = threads;
    options.retry.base = Millis(0);
    server.on("/rate_limit", json_reply(200, kRateLimit));
  }
  std::vector<TokenCheck> run() {
    return check_tokens(pool, options, std::make_shared<HttpShare>(), clock, stop);
  }

  LoopbackServer server;
  ManualClock clock;
  TokenPool pool;
  StopSignal stop;
  TokenCheckOptions options;
};

}  // namespace

TEST_CASE("logins group tokens and /rate_limit fills the buckets", "[check]") {
  Rig rig(3);
  rig.server.on_next("/user", json_reply(200, R"({"login":"alice","id":1})"));
  rig.server.on_next("/user", json_reply(401, R"({"message":"Bad credentials"})"));
  rig.server.on_next("/user", json_reply(200, R"({"login":"alice","id":1})"));
  const std::vector<TokenCheck> checks = rig.run();
  REQUIRE(checks.size() == 3);
  CHECK(checks[0].status == TokenCheck::Status::ok);
  CHECK(checks[0].login == "alice");
  CHECK(checks[1].status == TokenCheck::Status::rejected);
  CHECK(checks[1].error.find("Token #2") != std::string::npos);
  CHECK(checks[1].error.find(make_tokens(3)[1]) == std::string::npos);
  CHECK(checks[2].login == "alice");
  CHECK(checks[0].buckets.at("search").limit == 30);

  const PoolSnapshot s = rig.pool.snapshot();
  CHECK(s.quota_groups == 2);  // alice (two tokens) and the rejected one
  CHECK(s.tokens[1].state == TokenState::retired);
  CHECK(s.tokens[0].login == "alice");
  // The loopback /user answers carry no rate-limit headers, so alice's two /user
  // requests are counted on top of /rate_limit's figure (it may predate them).
  CHECK(s.tokens[2].resources.at("core").remaining == 4898);
  CHECK(s.tokens[2].resources.at("search").known);
  // /rate_limit is free: only the /user requests were counted.
  CHECK(s.total_requests == 3);
}

TEST_CASE("a token whose check fails transiently is asked again", "[check]") {
  Rig rig(1);
  rig.server.on_next("/user", json_reply(502, "<html>bad gateway</html>"));
  rig.server.on_next("/user", json_reply(200, R"({"login":)"));  // truncated JSON
  rig.server.on_next("/user", json_reply(200, R"({"login":"bob"})"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::ok);
  CHECK(checks[0].login == "bob");
  CHECK(rig.server.request_count() == 4);  // three /user, one /rate_limit
}

TEST_CASE("a token that never answers is reported failed, in one line", "[check]") {
  Rig rig(1);
  rig.server.on("/user", json_reply(503, "unavailable"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::failed);
  CHECK(checks[0].error == "Token #1: GET /user answered 503");
  CHECK(rig.pool.snapshot().tokens[0].state != TokenState::retired);
}

TEST_CASE("many tokens are checked on several threads", "[check]") {
  Rig rig(12, 4);
  rig.server.on("/user", json_reply(200, R"({"login":"team-bot"})"));
  const std::vector<TokenCheck> checks = rig.run();
  for (const TokenCheck& c : checks) CHECK(c.status == TokenCheck::Status::ok);
  CHECK(rig.pool.snapshot().quota_groups == 1);
  CHECK(rig.server.request_count() == 24);
}

TEST_CASE("a stopped run stops the check", "[check]") {
  Rig rig(3);
  rig.stop.stop();
  const std::vector<TokenCheck> checks = rig.run();
  for (const TokenCheck& c : checks) CHECK(c.status == TokenCheck::Status::stopped);
  CHECK(rig.server.request_count() == 0);
}

TEST_CASE("rate_limit_first: a token whose core quota is spent costs no request on it", "[check]") {
  Rig rig(2);
  rig.options.rate_limit_first = true;
  // /rate_limit answers per token in order: the first is spent, the second is not.
  rig.server.on_next("/rate_limit", json_reply(200, R"({"resources":{"core":{"limit":5000,"used":5000,)"
                                                    R"("remaining":0,"reset":1800000000}}})"));
  rig.server.on_next("/rate_limit", json_reply(200, kRateLimit));
  rig.server.on("/user", json_reply(200, R"({"login":"carol"})"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::failed);
  CHECK(checks[0].error == "Token #1: its core quota is spent");
  CHECK(checks[0].buckets.at("core").remaining == 0);
  CHECK(checks[0].buckets.at("core").reset == 1800000000);
  CHECK(checks[1].status == TokenCheck::Status::ok);
  CHECK(checks[1].login == "carol");
  // Two /rate_limit, one /user (the second token's): nothing sent on the empty bucket,
  // and no second /rate_limit for the token whose buckets are known already.
  const auto requests = rig.server.requests();
  CHECK(requests.size() == 3);
  CHECK(std::count_if(requests.begin(), requests.end(), [](const auto& r) { return r.path == "/user"; }) == 1);
}

namespace {

const char* kCoreSpent =
    R"({"resources":{"core":{"limit":5000,"used":5000,"remaining":0,"reset":1800000000},)"
    R"("graphql":{"limit":5000,"used":10,"remaining":4990,"reset":1800000000}}})";

std::size_t count_path(const std::vector<RecordedRequest>& requests, const std::string& path) {
  return static_cast<std::size_t>(std::count_if(
      requests.begin(), requests.end(), [&](const RecordedRequest& r) { return r.path == path; }));
}

}  // namespace

TEST_CASE("a token whose core quota is spent is asked who it is through GraphQL's viewer",
          "[check]") {
  Rig rig(1);
  rig.options.rate_limit_first = true;
  rig.options.graphql_url = rig.server.url("/graphql");
  rig.server.on("/rate_limit", json_reply(200, kCoreSpent));
  rig.server.on("/graphql", json_reply(200, R"({"data":{"viewer":{"login":"dave"}}})"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::ok);
  CHECK(checks[0].login == "dave");
  CHECK(checks[0].error.empty());
  CHECK(checks[0].buckets.at("core").remaining == 0);
  CHECK(rig.pool.snapshot().tokens[0].login == "dave");
  // Nothing on the empty core bucket; one GraphQL query, of one point.
  const auto requests = rig.server.requests();
  CHECK(count_path(requests, "/user") == 0);
  REQUIRE(count_path(requests, "/graphql") == 1);
  const auto viewer = std::find_if(requests.begin(), requests.end(),
                                   [](const RecordedRequest& r) { return r.path == "/graphql"; });
  CHECK(viewer->method == "POST");
  CHECK(viewer->body == R"({"query":"query Viewer { viewer { login } }"})");
  CHECK(rig.pool.snapshot().total_requests == 1);
}

TEST_CASE("GET /user refused for a spent core quota: the viewer answers, and the buckets are read",
          "[check]") {
  Rig rig(1);
  rig.options.graphql_url = rig.server.url("/graphql");
  ScriptedResponse spent = json_reply(403, R"({"message":"API rate limit exceeded for user ID 7."})");
  spent.headers.emplace_back("x-ratelimit-limit", "5000");
  spent.headers.emplace_back("x-ratelimit-remaining", "0");
  spent.headers.emplace_back("x-ratelimit-reset", "1800000000");
  spent.headers.emplace_back("x-ratelimit-resource", "core");
  rig.server.on("/user", spent);
  rig.server.on("/rate_limit", json_reply(200, kCoreSpent));
  rig.server.on("/graphql", json_reply(200, R"({"data":{"viewer":{"login":"erin"}}})"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::ok);
  CHECK(checks[0].login == "erin");
  CHECK(checks[0].buckets.at("graphql").remaining == 4990);
  const auto requests = rig.server.requests();
  CHECK(count_path(requests, "/user") == 1);  // not asked again on the empty bucket
  CHECK(count_path(requests, "/graphql") == 1);
  CHECK(count_path(requests, "/rate_limit") == 1);
}

TEST_CASE("a token whose core and GraphQL quotas are both spent is reported so, with no request on either",
          "[check]") {
  Rig rig(1);
  rig.options.rate_limit_first = true;
  rig.options.graphql_url = rig.server.url("/graphql");
  rig.server.on("/rate_limit",
                json_reply(200, R"({"resources":{"core":{"limit":5000,"used":5000,"remaining":0,)"
                                R"("reset":1800000000},"graphql":{"limit":5000,"used":5000,)"
                                R"("remaining":0,"reset":1800000000}}})"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::failed);
  CHECK(checks[0].error == "Token #1: its core and GraphQL quotas are spent");
  CHECK(rig.server.request_count() == 1);  // /rate_limit alone
}

TEST_CASE("a viewer answer with errors and no login is a failed check that names GitHub's error",
          "[check]") {
  Rig rig(1);
  rig.options.rate_limit_first = true;
  rig.options.graphql_url = rig.server.url("/graphql");
  rig.options.retry.max_attempts = 2;
  rig.server.on("/rate_limit", json_reply(200, kCoreSpent));
  rig.server.on("/graphql", json_reply(200, R"({"data":null,"errors":[{"type":"FORBIDDEN",)"
                                            R"("message":"Resource not accessible by integration"}]})"));
  const std::vector<TokenCheck> checks = rig.run();
  CHECK(checks[0].status == TokenCheck::Status::failed);
  CHECK(checks[0].error == "Token #1: GraphQL: Resource not accessible by integration");
}
