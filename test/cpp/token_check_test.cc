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
