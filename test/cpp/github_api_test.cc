// One worker's requests end to end: real libcurl against the loopback HTTP server, the
// token pool choosing tokens, retries on a ManualClock.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "catch.h"
#include "core/github_api.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;
using std::chrono::seconds;

namespace {

struct Rig {
  explicit Rig(int tokens = 2, RetryOptions retry = fast_retries())
      : pool(make_tokens(tokens), PoolOptions{}, clock),
        http(HttpOptions{}, std::make_shared<HttpShare>()),
        api(0, server.url(""), pool, http, clock, stop,
            RetryPolicy(retry, make_random_source(42))) {}

  static RetryOptions fast_retries() {
    RetryOptions options;
    options.base = Millis(0);  // no waiting unless a test asks for it
    return options;
  }

  std::string authorization(std::size_t request) const {
    return server.requests().at(request).header("Authorization");
  }

  LoopbackServer server;
  ManualClock clock;
  TokenPool pool;
  HttpClient http;
  StopSignal stop;
  GitHubApi api;
};

ScriptedResponse reply(int status, std::string body = "{}", Headers headers = {}) {
  ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  return r;
}

ApiCall get(std::string resource, std::string url) {
  ApiCall call;
  call.resource = std::move(resource);
  call.url = std::move(url);
  return call;
}

Headers rate(std::int64_t remaining, std::int64_t reset, const char* resource = "core") {
  return {{"x-ratelimit-limit", "5000"},
          {"x-ratelimit-remaining", std::to_string(remaining)},
          {"x-ratelimit-used", std::to_string(5000 - remaining)},
          {"x-ratelimit-reset", std::to_string(reset)},
          {"x-ratelimit-resource", resource}};
}

}  // namespace

TEST_CASE("a successful call sends the token of the worker's primary", "[api]") {
  Rig rig;
  rig.server.on("/user", reply(200, R"({"login":"octo","id":1})", rate(4999, 1'800'000'000)));
  GitHubJson json;
  GitHubUser user;
  const ApiResult r = rig.api.send(get("core", "/user"), [&](const HttpResponse& response) {
    return json.user(response.body.padded(), user);
  });
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.attempts == 1);
  CHECK(user.login == "octo");
  CHECK(rig.authorization(0) == "Bearer " + make_tokens(2)[0]);
  const PoolSnapshot s = rig.pool.snapshot();
  CHECK(s.tokens[0].requests == 1);
  CHECK(s.tokens[0].resources.at("core").remaining == 4999);
}

TEST_CASE("5xx and dropped connections are retried until an answer comes", "[api]") {
  Rig rig;
  rig.server.on_next("/repos/o/r", reply(502, "<html>Bad gateway</html>"));
  // Cut mid-body (a connection dropped before any byte, libcurl itself retries once on a
  // fresh connection).
  ScriptedResponse dropped = reply(200, std::string(4096, ' ') + "{}");
  dropped.drop = ScriptedResponse::Drop::mid_body;
  rig.server.on_next("/repos/o/r", dropped);
  rig.server.on("/repos/o/r", reply(200, R"({"ok":true})"));
  const ApiResult r = rig.api.send(get("core", "/repos/o/r"));
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.attempts == 3);
  CHECK(rig.server.request_count() == 3);
  CHECK(rig.api.counters().retried == 2);
  CHECK(rig.api.counters().outcomes[static_cast<std::size_t>(Outcome::server_error)] == 1);
  CHECK(rig.api.counters().outcomes[static_cast<std::size_t>(Outcome::network_error)] == 1);
}

TEST_CASE("a body the parser rejects is fetched again", "[api]") {
  Rig rig;
  rig.server.on_next("/x", reply(200, R"({"total_count":1,"items":[{"id":)"));
  rig.server.on("/x", reply(200, R"({"total_count":0,"incomplete_results":false,"items":[]})"));
  GitHubJson json;
  SearchPage page;
  const ApiResult r = rig.api.send(get("search", "/x"), [&](const HttpResponse& response) {
    return json.search_page(response.body.padded(), page);
  });
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.attempts == 2);
  CHECK(rig.api.counters().outcomes[static_cast<std::size_t>(Outcome::malformed)] == 1);
}

TEST_CASE("transient failures past the budget fail with one clear line", "[api]") {
  Rig rig;
  rig.server.on("/flaky", reply(503, "unavailable"));
  const ApiResult r = rig.api.send(get("core", "/flaky"));
  CHECK(r.status == ApiStatus::failed);
  CHECK(r.attempts == 5);
  CHECK(r.error.find("/flaky") != std::string::npos);
  CHECK(r.error.find("GitHub answered 503") != std::string::npos);
  CHECK(r.error.find('\n') == std::string::npos);
  CHECK(r.error.find(make_tokens(2)[0]) == std::string::npos);
}

TEST_CASE("404 means gone and 422 is not repeated", "[api]") {
  Rig rig;
  rig.server.on("/repos/o/deleted", reply(404, R"({"message":"Not Found"})"));
  rig.server.on("/search/repositories",
                reply(422, R"({"message":"Only the first 1000 search results are available"})"));
  CHECK(rig.api.send(get("core", "/repos/o/deleted")).status == ApiStatus::gone);
  const ApiResult r = rig.api.send(get("search", "/search/repositories?q=x&page=11"));
  CHECK(r.status == ApiStatus::rejected);
  CHECK(r.error.find("Only the first 1000") != std::string::npos);
  CHECK(rig.server.request_count() == 2);
}

TEST_CASE("a 401 retires the token and the call goes on with another", "[api]") {
  Rig rig;
  rig.server.on_next("/user", reply(401, R"({"message":"Bad credentials"})"));
  rig.server.on("/user", reply(200, R"({"login":"octo"})"));
  const ApiResult r = rig.api.send(get("core", "/user"));
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.attempts == 2);
  CHECK(rig.authorization(0) == "Bearer " + make_tokens(2)[0]);
  CHECK(rig.authorization(1) == "Bearer " + make_tokens(2)[1]);
  CHECK(rig.pool.snapshot().tokens[0].state == TokenState::retired);
}

TEST_CASE("when every token is rejected the call says so", "[api]") {
  Rig rig;
  rig.server.on("/user", reply(401, R"({"message":"Bad credentials"})"));
  const ApiResult r = rig.api.send(get("core", "/user"));
  CHECK(r.status == ApiStatus::no_token);
  CHECK(r.attempts == 2);
  CHECK(r.error.find("401") != std::string::npos);
}

TEST_CASE("a primary limit moves the call to a token with quota", "[api]") {
  Rig rig;
  const std::int64_t reset = to_epoch_seconds(rig.clock.now()) + 3600;
  rig.server.on_next(
      "/repos/o/r/languages",
      reply(403, R"({"message":"API rate limit exceeded for user ID 1."})", rate(0, reset)));
  rig.server.on("/repos/o/r/languages", reply(200, R"({"C":1})", rate(4000, reset)));
  const ApiResult r = rig.api.send(get("core", "/repos/o/r/languages"));
  CHECK(r.status == ApiStatus::ok);
  CHECK(rig.authorization(1) == "Bearer " + make_tokens(2)[1]);
  CHECK(rig.pool.snapshot().tokens[0].state == TokenState::exhausted);
}

TEST_CASE("the backoff waits on the clock, and retry-after is honoured", "[api]") {
  RetryOptions options;
  options.base = Millis(1000);
  Rig rig(2, options);
  rig.server.on_next("/slow", reply(503, "busy", {{"Retry-After", "30"}}));
  rig.server.on("/slow", reply(200));
  ApiResult result;
  std::thread worker([&] { result = rig.api.send(get("core", "/slow")); });
  rig.clock.await_waiters(1);  // sleeping in the backoff
  CHECK(rig.server.request_count() == 1);
  rig.clock.advance(seconds(29));
  rig.clock.await_waiters(1);  // still sleeping: 30 s were asked for
  CHECK(rig.server.request_count() == 1);
  rig.clock.advance(seconds(1));
  worker.join();
  CHECK(result.status == ApiStatus::ok);
  CHECK(rig.server.request_count() == 2);
}

TEST_CASE("stop() ends a backoff at once", "[api]") {
  RetryOptions options;
  options.base = Millis(60'000);
  options.cap = Millis(60'000);
  Rig rig(1, options);
  rig.server.on("/down", reply(500, "oops", {{"Retry-After", "600"}}));
  ApiResult result;
  std::thread worker([&] { result = rig.api.send(get("core", "/down")); });
  rig.clock.await_waiters(1);
  rig.stop.stop();
  worker.join();
  CHECK(result.status == ApiStatus::stopped);
  CHECK(rig.server.request_count() == 1);
}

TEST_CASE("paths join the base URL, and absolute URLs (Link: next) pass through", "[api]") {
  Rig rig;
  CHECK(rig.api.url_for("/user") == rig.server.url("/user"));
  CHECK(rig.api.url_for("user") == rig.server.url("/user"));
  CHECK(rig.api.url_for("https://api.github.com/search/repositories?page=2") ==
        "https://api.github.com/search/repositories?page=2");
}

TEST_CASE("a body check turns a 200 into a rate limit the pool hears", "[api]") {
  Rig rig;
  const std::int64_t reset = to_epoch_seconds(rig.clock.now()) + 3600;
  rig.server.on_next(
      "/graphql", reply(200, R"({"errors":[{"type":"RATE_LIMITED"}]})", rate(0, reset, "graphql")));
  rig.server.on("/graphql", reply(200, R"({"data":{}})", rate(4990, reset, "graphql")));
  ApiCall call;
  call.resource = "graphql";
  call.url = "/graphql";
  call.method = "POST";
  call.body = R"({"query":"{ viewer { login } }"})";
  call.cost = 3;
  std::int64_t reserved = 0;
  const ApiResult r = rig.api.send_checked(call, [&](const HttpResponse& response) {
    reserved = rig.pool.snapshot().tokens.at(0).resources.at("graphql").in_flight +
               rig.pool.snapshot().tokens.at(1).resources.at("graphql").in_flight;
    if (response.body.view().find("RATE_LIMITED") != std::string_view::npos) {
      return BodyVerdict{Outcome::primary_limit, "RATE_LIMITED"};
    }
    return BodyVerdict{};
  });
  CHECK(r.status == ApiStatus::ok);
  CHECK(r.attempts == 2);
  CHECK(reserved == 3);  // the permit held the call's cost while it was out
  CHECK(rig.authorization(1) == "Bearer " + make_tokens(2)[1]);
  CHECK(rig.server.requests().at(0).method == "POST");
  const PoolSnapshot s = rig.pool.snapshot();
  CHECK(s.outcomes[static_cast<std::size_t>(Outcome::primary_limit)] == 1);
  CHECK(s.tokens[0].resources.at("graphql").remaining == 0);
  CHECK(s.tokens[1].resources.at("graphql").remaining == 4990);
  CHECK(rig.api.counters().outcomes[static_cast<std::size_t>(Outcome::primary_limit)] == 1);
}

TEST_CASE("a body check's malformed verdict is retried and its reason reported", "[api]") {
  Rig rig;
  rig.server.on("/graphql", reply(200, R"({"errors":[{"message":"boom"}]})"));
  ApiCall call;
  call.resource = "graphql";
  call.url = "/graphql";
  call.method = "POST";
  const ApiResult r = rig.api.send_checked(call, [](const HttpResponse&) {
    return BodyVerdict{Outcome::malformed, "GraphQL error: boom"};
  });
  CHECK(r.status == ApiStatus::failed);
  CHECK(r.attempts == 5);
  CHECK(r.error.find("GraphQL error: boom") != std::string::npos);
}
