// The HTTP layer against a real HTTP/1.1 server on loopback: the headers GitHub wants,
// the rate-limit headers read back, every classification, every way a transfer fails.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "core/curl_global.h"
#include "core/http_client.h"
#include "support/loopback_server.h"

using namespace gh;
using gh::test::LoopbackServer;
using gh::test::ScriptedResponse;
using Drop = gh::test::ScriptedResponse::Drop;

namespace {

const std::string kToken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

ScriptedResponse json(int status, std::string body, gh::test::Headers headers = {}) {
  ScriptedResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  return r;
}

gh::test::Headers window(int remaining, const char* resource = "core") {
  return {{"x-ratelimit-limit", "5000"},
          {"x-ratelimit-remaining", std::to_string(remaining)},
          {"x-ratelimit-used", std::to_string(5000 - remaining)},
          {"x-ratelimit-reset", "1700003600"},
          {"x-ratelimit-resource", resource}};
}

HttpRequest get(const LoopbackServer& server, const std::string& target) {
  HttpRequest request;
  request.url = server.url(target);
  request.token = kToken;
  return request;
}

HttpOptions quick() {
  HttpOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.connect_timeout = std::chrono::milliseconds(1000);
  return options;
}

HttpResponse fetch(HttpClient& client, const HttpRequest& request) {
  HttpResponse response;
  client.perform(request, response);
  return response;
}

}  // namespace

TEST_CASE("a request carries the headers GitHub asks for", "[http]") {
  LoopbackServer server;
  server.on("/repos/o/r", json(200, "{}"));
  HttpOptions options = quick();
  options.version = "9.8.7";
  options.contact_url = "https://example.org/gh-ingest";
  HttpClient client(options);
  CHECK(client.user_agent() == "gh-ingest/9.8.7 (+https://example.org/gh-ingest)");

  HttpRequest request = get(server, "/repos/o/r?x=1");
  request.if_none_match = R"(W/"abc123")";
  const HttpResponse response = fetch(client, request);
  REQUIRE(response.outcome == Outcome::success);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const auto& sent = requests[0];
  CHECK(sent.method == "GET");
  CHECK(sent.target == "/repos/o/r?x=1");
  CHECK(sent.header("User-Agent") == "gh-ingest/9.8.7 (+https://example.org/gh-ingest)");
  CHECK(sent.header("Authorization") == "Bearer " + kToken);
  CHECK(sent.header("Accept") == "application/vnd.github+json");
  CHECK(sent.header("X-GitHub-Api-Version") == "2022-11-28");
  CHECK(sent.header("If-None-Match") == R"(W/"abc123")");
  const std::string encodings = sent.header("Accept-Encoding");
  CHECK(encodings.find("gzip") != std::string::npos);
  CHECK(encodings.find("deflate") != std::string::npos);
  CHECK_FALSE(sent.has_header("Expect"));
  CHECK_FALSE(sent.has_header("Content-Type"));
  CHECK(sent.body.empty());
}

TEST_CASE("the default User-Agent names the compiled version", "[http]") {
  CHECK(make_user_agent("1.2.3") == "gh-ingest/1.2.3");
  CHECK(HttpClient().user_agent().rfind("gh-ingest/", 0) == 0);
  CHECK(HttpClient().user_agent().size() > std::string("gh-ingest/").size());
}

TEST_CASE("no token, no ETag: neither header is sent, and the raw media type can be asked for",
          "[http]") {
  LoopbackServer server;
  server.on("/repos/o/r/readme", ScriptedResponse{200, {{"Content-Type", "text/plain"}}, "# Hi"});
  HttpClient client(quick());
  HttpRequest request;
  request.url = server.url("/repos/o/r/readme");
  request.accept = kAcceptRaw;
  const HttpResponse response = fetch(client, request);
  CHECK(response.outcome == Outcome::success);
  CHECK(response.body.view() == "# Hi");
  CHECK(response.content_type == "text/plain");
  const auto sent = server.requests().at(0);
  CHECK(sent.header("Accept") == "application/vnd.github.raw+json");
  CHECK_FALSE(sent.has_header("Authorization"));
  CHECK_FALSE(sent.has_header("If-None-Match"));
}

TEST_CASE("rate-limit headers, ETag, Link and request id are read from the response", "[http]") {
  LoopbackServer server;
  gh::test::Headers headers = window(4321, "search");
  headers.emplace_back("ETag", R"(W/"etag-1")");
  headers.emplace_back("Link",
                       R"(<https://api.github.com/search/repositories?q=x&page=2>; rel="next", )"
                       R"(<https://api.github.com/search/repositories?q=x&page=10>; rel="last")");
  headers.emplace_back("X-GitHub-Request-Id", "ABCD:1234");
  server.on("/search/repositories", json(200, R"({"total_count":1})", headers));
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/search/repositories?q=x"));

  CHECK(response.status == 200);
  CHECK(response.outcome == Outcome::success);
  CHECK(response.ok());
  CHECK(response.error == TransportError::none);
  CHECK(response.error_message.empty());
  CHECK(response.rate.limit == 5000);
  CHECK(response.rate.remaining == 4321);
  CHECK(response.rate.used == 679);
  CHECK(response.rate.reset == 1700003600);
  CHECK(response.rate.resource == "search");
  CHECK_FALSE(response.rate.retry_after.has_value());
  CHECK(response.etag == R"(W/"etag-1")");
  CHECK(response.link_next == "https://api.github.com/search/repositories?q=x&page=2");
  CHECK(response.link_last == "https://api.github.com/search/repositories?q=x&page=10");
  CHECK(response.request_id == "ABCD:1234");
  CHECK(response.content_type == "application/json; charset=utf-8");
  CHECK(response.body.view() == R"({"total_count":1})");
  CHECK(response.elapsed_s > 0.0);
}

TEST_CASE("304 Not Modified comes back with its ETag and an empty body", "[http]") {
  LoopbackServer server;
  gh::test::Headers headers = window(4999);
  headers.emplace_back("ETag", R"("v1")");
  server.on("/repos/o/r", ScriptedResponse{304, headers, ""});
  HttpClient client(quick());
  HttpRequest request = get(server, "/repos/o/r");
  request.if_none_match = R"("v1")";
  const HttpResponse response = fetch(client, request);
  CHECK(response.status == 304);
  CHECK(response.outcome == Outcome::not_modified);
  CHECK(response.error == TransportError::none);
  CHECK(response.etag == R"("v1")");
  CHECK(response.body.size() == 0);
  CHECK(response.rate.remaining == 4999);
}

TEST_CASE("every HTTP answer is classified", "[http]") {
  struct Case {
    const char* name;
    ScriptedResponse scripted;
    Outcome expected;
  };
  gh::test::Headers spent = window(0);
  gh::test::Headers spare = window(100);
  gh::test::Headers retry = window(100);
  retry.emplace_back("Retry-After", "42");
  const std::vector<Case> cases = {
      {"200", json(200, "{}", spare), Outcome::success},
      {"201", json(201, "{}"), Outcome::success},
      {"401", json(401, R"({"message":"Bad credentials"})"), Outcome::unauthorized},
      {"403 primary", json(403, R"({"message":"API rate limit exceeded for user ID 1."})", spent),
       Outcome::primary_limit},
      {"429 primary", json(429, R"({"message":"API rate limit exceeded"})", spent),
       Outcome::primary_limit},
      {"403 secondary",
       json(403, R"({"message":"You have exceeded a secondary rate limit. Please wait."})", spare),
       Outcome::secondary_limit},
      {"429 retry-after", json(429, R"({"message":"slow down"})", retry), Outcome::secondary_limit},
      {"403 other", json(403, R"({"message":"Resource not accessible by integration"})", spare),
       Outcome::forbidden},
      {"404", json(404, R"({"message":"Not Found"})"), Outcome::gone},
      {"451", json(451, R"({"message":"Repository access blocked"})"), Outcome::gone},
      {"422", json(422, R"({"message":"Validation Failed"})"), Outcome::validation},
      {"400", json(400, R"({"message":"Problems parsing JSON"})"), Outcome::client_error},
      {"500", json(500, R"({"message":"Server Error"})"), Outcome::server_error},
      {"502", ScriptedResponse{502, {{"Content-Type", "text/html"}}, "<html>Bad gateway</html>"},
       Outcome::server_error},
  };
  LoopbackServer server;
  HttpClient client(quick());
  HttpResponse response;  // one response object for all: nothing may leak between them
  for (const Case& c : cases) {
    INFO(c.name);
    server.on("/case", c.scripted);
    client.perform(get(server, "/case"), response);
    CHECK(response.error == TransportError::none);
    CHECK(response.status == c.scripted.status);
    CHECK(response.outcome == c.expected);
    CHECK(response.body.view() == c.scripted.body);
  }
  server.on("/case", json(429, "{}", retry));
  client.perform(get(server, "/case"), response);
  CHECK(response.rate.retry_after == 42);
}

TEST_CASE("a closed port is a connect failure, a network error", "[http]") {
  HttpClient client(quick());
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(gh::test::closed_port()) + "/x";
  request.token = kToken;
  const HttpResponse response = fetch(client, request);
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::connect_failed);
  CHECK(response.outcome == Outcome::network_error);
  CHECK(is_transient(response.outcome));
  CHECK_FALSE(response.error_message.empty());
  CHECK(response.error_message.find(kToken) == std::string::npos);
}

TEST_CASE("a server slower than the timeout is a timeout, reported promptly", "[http]") {
  LoopbackServer server;
  ScriptedResponse slow = json(200, "{}");
  slow.delay = std::chrono::milliseconds(3000);
  server.on("/slow", slow);
  HttpOptions options;
  options.timeout = std::chrono::milliseconds(300);
  HttpClient client(options);
  const HttpResponse response = fetch(client, get(server, "/slow"));
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::timeout);
  CHECK(response.outcome == Outcome::network_error);
  // Behaviour, not speed: it ended at the client's timeout, before the server answered.
  CHECK(response.elapsed_s >= 0.25);
  CHECK(response.elapsed_s < 3.0);
  CHECK(response.error_message.find("imeout") != std::string::npos);
}

TEST_CASE("an answer whose first byte never comes is a timeout at the stall limit", "[http]") {
  LoopbackServer server;
  ScriptedResponse silent = json(200, "{}");
  silent.delay = std::chrono::milliseconds(4000);
  server.on("/silent", silent);
  HttpOptions options;  // the whole-transfer limit stays long: a large answer may take time
  options.stall_timeout = std::chrono::milliseconds(1000);
  HttpClient client(options);
  const HttpResponse response = fetch(client, get(server, "/silent"));
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::timeout);
  // Ended by the stall limit (whole seconds in libcurl), not the total one.
  CHECK(response.elapsed_s >= 0.9);
  CHECK(response.elapsed_s < 4.0);
}

TEST_CASE("a body past the size limit is said in words", "[http]") {
  LoopbackServer server;
  server.on("/big", json(200, std::string(3 * 1024, 'x')));
  HttpOptions options;
  options.max_body_bytes = 2 * 1024;
  HttpClient client(options);
  const HttpResponse response = fetch(client, get(server, "/big"));
  CHECK(response.error == TransportError::too_large);
  CHECK(response.error_message == "the answer was larger than 2 KiB");
}

TEST_CASE("a body cut short is truncated, never a success", "[http]") {
  LoopbackServer server;
  ScriptedResponse cut =
      json(200, R"({"items":[1,2,3,4,5,6,7,8,9,10],"more":"padding"})", window(10));
  cut.drop = Drop::mid_body;
  server.on("/cut", cut);
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/cut"));
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::truncated);
  CHECK(response.outcome == Outcome::network_error);
  // GitHub counted the request: its headers still reach the pool.
  CHECK(response.rate.remaining == 10);
}

TEST_CASE("a gzip body cut short is truncated too", "[http]") {
  LoopbackServer server;
  ScriptedResponse cut;
  cut.body = gh::test::gzip_stored(std::string(4000, 'x'));
  cut.gzip = true;
  cut.drop = Drop::mid_body;
  server.on("/cut", cut);
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/cut"));
  CHECK(response.error == TransportError::truncated);
  CHECK(response.outcome == Outcome::network_error);
}

TEST_CASE("a connection dropped before any response is a lost connection", "[http]") {
  LoopbackServer server;
  ScriptedResponse dropped;
  dropped.drop = Drop::before_response;
  server.on("/drop", dropped);
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/drop"));
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::connection_lost);
  CHECK(response.outcome == Outcome::network_error);
  CHECK(response.error_message.find(kToken) == std::string::npos);
}

TEST_CASE("a connection reset mid-body is a network error", "[http]") {
  LoopbackServer server;
  ScriptedResponse reset = json(200, std::string(2000, 'a'));
  reset.drop = Drop::reset_mid_body;
  server.on("/reset", reset);
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/reset"));
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::connection_lost);
  CHECK(response.error_message.find("reset") != std::string::npos);
  CHECK(response.outcome == Outcome::network_error);
}

TEST_CASE("gzip bodies are decoded", "[http]") {
  std::string plain = R"({"items":[)";
  for (int i = 0; i < 8; ++i) plain += std::string(i ? "," : "") + R"({"name":"repo","stars":42})";
  plain += "]}";
  // `gzip -9n` of `plain`: real deflate compression, 60 bytes for 227.
  const unsigned char compressed[] = {
      0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0xca, 0x2c, 0x49,
      0xcd, 0x2d, 0x56, 0xb2, 0x8a, 0xae, 0x56, 0xca, 0x4b, 0xcc, 0x4d, 0x55, 0xb2, 0x52, 0x2a,
      0x4a, 0x2d, 0xc8, 0x57, 0xd2, 0x51, 0x2a, 0x2e, 0x49, 0x2c, 0x02, 0x8a, 0x9b, 0x18, 0xd5,
      0xea, 0x0c, 0x65, 0xa9, 0xd8, 0x5a, 0x00, 0x43, 0xe6, 0x0a, 0xfb, 0xe3, 0x00, 0x00, 0x00};
  LoopbackServer server;
  ScriptedResponse deflated = json(200, std::string(std::begin(compressed), std::end(compressed)));
  deflated.gzip = true;
  server.on("/deflated", deflated);
  ScriptedResponse stored = json(200, gh::test::gzip_stored(plain));
  stored.gzip = true;
  server.on("/stored", stored);

  HttpClient client(quick());
  HttpResponse response;
  client.perform(get(server, "/deflated"), response);
  CHECK(response.outcome == Outcome::success);
  CHECK(response.body.view() == plain);
  client.perform(get(server, "/stored"), response);
  CHECK(response.outcome == Outcome::success);
  CHECK(response.body.view() == plain);
}

TEST_CASE("keep-alive: ten requests travel over one connection", "[http]") {
  LoopbackServer server;
  server.on("/repos/o/r", json(200, R"({"id":1})", window(4000)));
  HttpClient client(quick());
  HttpResponse response;
  for (int i = 0; i < 10; ++i) {
    client.perform(get(server, "/repos/o/r"), response);
    REQUIRE(response.outcome == Outcome::success);
  }
  CHECK(server.request_count() == 10);
  CHECK(server.connections() == 1);
  for (const auto& request : server.requests()) CHECK(request.connection == 1);
}

TEST_CASE("a dropped connection is replaced by a new one for the next request", "[http]") {
  LoopbackServer server;
  server.on("/ok", json(200, "{}"));
  ScriptedResponse closing = json(200, "{}");
  closing.close = true;
  server.on_next("/ok", closing);
  HttpClient client(quick());
  HttpResponse response;
  for (int i = 0; i < 3; ++i) {
    client.perform(get(server, "/ok"), response);
    CHECK(response.outcome == Outcome::success);
  }
  CHECK(server.connections() == 2);
}

TEST_CASE("POST sends its JSON body and the next GET sends none", "[http]") {
  LoopbackServer server;
  server.on("/graphql", json(200, R"({"data":{}})"));
  server.on("/rate_limit", json(200, "{}"));
  HttpClient client(quick());
  HttpRequest post = get(server, "/graphql");
  post.method = "POST";
  post.body = R"({"query":"query { viewer { login } }"})";
  HttpResponse response;
  client.perform(post, response);
  CHECK(response.outcome == Outcome::success);
  CHECK(response.body.view() == R"({"data":{}})");
  client.perform(get(server, "/rate_limit"), response);
  CHECK(response.outcome == Outcome::success);

  HttpRequest patch = get(server, "/graphql");
  patch.method = "PATCH";
  patch.body = "[1]";
  patch.content_type = "application/merge-patch+json";
  client.perform(patch, response);
  HttpRequest del = get(server, "/graphql");
  del.method = "DELETE";
  client.perform(del, response);
  HttpRequest head = get(server, "/graphql");
  head.method = "HEAD";
  client.perform(head, response);
  CHECK(response.outcome == Outcome::success);
  CHECK(response.body.size() == 0);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 5);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].body == R"({"query":"query { viewer { login } }"})");
  CHECK(requests[0].header("Content-Type") == "application/json");
  CHECK(requests[0].header("Authorization") == "Bearer " + kToken);
  CHECK_FALSE(requests[0].has_header("Expect"));
  CHECK(requests[1].method == "GET");
  CHECK(requests[1].body.empty());
  CHECK_FALSE(requests[1].has_header("Content-Type"));
  CHECK(requests[2].method == "PATCH");
  CHECK(requests[2].body == "[1]");
  CHECK(requests[2].header("Content-Type") == "application/merge-patch+json");
  CHECK(requests[3].method == "DELETE");
  CHECK(requests[3].body.empty());
  CHECK(requests[4].method == "HEAD");
  CHECK(server.connections() == 1);
}

TEST_CASE("the stop flag aborts a slow transfer within a fraction of a second", "[http]") {
  LoopbackServer server;
  ScriptedResponse slow = json(200, "{}");
  slow.delay = std::chrono::milliseconds(5000);
  server.on("/slow", slow);
  HttpOptions options;  // the default 60 s timeout: only the flag can end this early
  HttpClient client(options);
  std::atomic<bool> stop{false};
  HttpRequest request = get(server, "/slow");
  request.stop = &stop;

  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop.store(true);
  });
  const HttpResponse response = fetch(client, request);
  stopper.join();
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::cancelled);
  CHECK(response.outcome == Outcome::network_error);
  // It ended after the flag was raised and before the server would have answered.
  CHECK(response.elapsed_s >= 0.09);
  CHECK(response.elapsed_s < 5.0);
  CHECK(response.error_message.find(kToken) == std::string::npos);

  // Raised before the request: nothing is sent at all.
  const std::size_t sent = server.request_count();
  const HttpResponse again = fetch(client, request);
  CHECK(again.error == TransportError::cancelled);
  CHECK(server.request_count() == sent);
}

TEST_CASE("the body buffer is reused from one request to the next", "[http]") {
  LoopbackServer server;
  server.on("/big", json(200, std::string(100'000, 'b')));
  server.on("/small", json(200, "[]"));
  HttpClient client(quick());
  HttpResponse response;
  client.perform(get(server, "/big"), response);
  REQUIRE(response.body.size() == 100'000);
  const char* storage = response.body.data();
  const std::size_t capacity = response.body.capacity();
  client.perform(get(server, "/small"), response);
  CHECK(response.body.view() == "[]");
  CHECK(response.body.data() == storage);
  CHECK(response.body.capacity() == capacity);
  client.perform(get(server, "/big"), response);
  CHECK(response.body.size() == 100'000);
  CHECK(response.body.data() == storage);
}

TEST_CASE("a body past the size limit is refused, not retried", "[http]") {
  LoopbackServer server;
  server.on("/huge", json(200, std::string(5000, 'h')));
  ScriptedResponse chunky{200, {}, gh::test::gzip_stored(std::string(5000, 'z'))};
  chunky.gzip = true;  // small on the wire, large once decoded
  server.on("/bomb", chunky);
  HttpOptions options = quick();
  options.max_body_bytes = 1000;
  HttpClient client(options);
  HttpResponse response;
  for (const char* path : {"/huge", "/bomb"}) {
    INFO(path);
    client.perform(get(server, path), response);
    CHECK(response.status == 0);
    CHECK(response.error == TransportError::too_large);
    CHECK(response.outcome == Outcome::client_error);
    CHECK_FALSE(is_transient(response.outcome));
    CHECK(response.error_message.find("1000") != std::string::npos);
  }
}

TEST_CASE("after a redirect only the final response's headers count", "[http]") {
  LoopbackServer server;
  gh::test::Headers moved = window(1);
  moved.emplace_back("Location", "/repositories/42");
  moved.emplace_back("ETag", R"("old")");
  moved.emplace_back("Link", R"(<https://h/old?page=2>; rel="next")");
  server.on("/repos/old/name",
            json(301, R"({"message":"Moved Permanently","url":"/repositories/42"})", moved));
  server.on("/repositories/42", json(200, R"({"id":42})", {{"x-ratelimit-remaining", "4000"}}));
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/repos/old/name"));
  CHECK(response.status == 200);
  CHECK(response.body.view() == R"({"id":42})");
  CHECK(response.rate.remaining == 4000);
  CHECK_FALSE(response.rate.limit.has_value());  // the 301's headers were forgotten
  CHECK(response.etag.empty());
  CHECK(response.link_next.empty());
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].target == "/repositories/42");
  CHECK(requests[1].header("Authorization") == "Bearer " + kToken);  // same host
}

TEST_CASE("the token never appears in an error message", "[http]") {
  LoopbackServer server;
  ScriptedResponse cut = json(200, std::string(1000, 'c'));
  cut.drop = Drop::mid_body;
  server.on("/cut", cut);
  ScriptedResponse slow = json(200, "{}");
  slow.delay = std::chrono::milliseconds(2000);
  server.on("/slow", slow);
  HttpOptions options;
  options.timeout = std::chrono::milliseconds(200);
  HttpClient client(options);
  HttpResponse response;

  std::vector<HttpRequest> requests;
  requests.push_back(get(server, "/cut"));
  requests.push_back(get(server, "/slow"));
  HttpRequest refused;
  refused.url = "http://127.0.0.1:" + std::to_string(gh::test::closed_port()) + "/" + kToken;
  refused.token = kToken;
  requests.push_back(refused);
  HttpRequest bad_url;
  bad_url.url = "notaprotocol://" + kToken + "@host/";
  bad_url.token = kToken;
  requests.push_back(bad_url);
  HttpRequest injected = get(server, "/x");
  injected.token = kToken + "\r\nX-Evil: 1";
  requests.push_back(injected);

  for (const HttpRequest& request : requests) {
    INFO(request.url);
    client.perform(request, response);
    CHECK(response.error != TransportError::none);
    CHECK_FALSE(response.error_message.empty());
    CHECK(response.error_message.find(kToken) == std::string::npos);
    CHECK(response.error_message.find("abcdefghijklmnop") == std::string::npos);
  }
  CHECK(response.error == TransportError::invalid_request);
  CHECK(response.outcome == Outcome::client_error);
  for (const auto& recorded : server.requests()) CHECK_FALSE(recorded.has_header("X-Evil"));
}

TEST_CASE("an invalid request is refused before anything is sent", "[http]") {
  HttpClient client(quick());
  HttpResponse response;
  HttpRequest request;
  client.perform(request, response);
  CHECK(response.error == TransportError::invalid_request);
  request.url = "http://127.0.0.1:1/\r\nHost: evil";
  client.perform(request, response);
  CHECK(response.error == TransportError::invalid_request);
  request.url = "http://127.0.0.1:1/";
  request.method = "";
  client.perform(request, response);
  CHECK(response.error == TransportError::invalid_request);
  CHECK(response.outcome == Outcome::client_error);
}

TEST_CASE("four clients on one share, concurrently", "[http]") {
  LoopbackServer server;
  server.on("/repos/o/r", json(200, R"({"id":7})", window(3000)));
  auto share = std::make_shared<HttpShare>();
  REQUIRE(share->ok());
  constexpr int kThreads = 4;
  constexpr int kRequests = 10;
  std::vector<int> successes(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(quick(), share);
      HttpResponse response;
      for (int i = 0; i < kRequests; ++i) {
        HttpRequest request;
        request.url = server.url("/repos/o/r");
        request.token = kToken;
        client.perform(request, response);
        if (response.outcome == Outcome::success && response.body.view() == R"({"id":7})" &&
            response.rate.remaining == 3000) {
          ++successes[static_cast<std::size_t>(t)];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) CHECK(successes[static_cast<std::size_t>(t)] == kRequests);
  CHECK(server.request_count() == static_cast<std::size_t>(kThreads * kRequests));
  CHECK(server.connections() == kThreads);  // each client keeps its own connection
}

TEST_CASE("libcurl is initialized once for all holders", "[http]") {
  const int before = CurlGlobal::references();
  {
    CurlGlobal a;
    CHECK(a.ok());
    CurlGlobal b(a);
    CHECK(b.ok());
    CHECK(CurlGlobal::references() == before + 2);
    HttpClient client;
    CHECK(CurlGlobal::references() == before + 3);
  }
  CHECK(CurlGlobal::references() == before);
}

TEST_CASE("a proxy from the environment does not capture loopback requests", "[http]") {
  LoopbackServer server;
  server.on("/x", json(200, "{}"));
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(gh::test::closed_port());
  ::setenv("http_proxy", dead_proxy.c_str(), 1);
  ::setenv("no_proxy", "example.org", 1);
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/x"));
  ::unsetenv("http_proxy");
  ::unsetenv("no_proxy");
  CHECK(response.outcome == Outcome::success);
  CHECK(server.request_count() == 1);
}

TEST_CASE("a redirect to another host does not take the token along", "[http]") {
  LoopbackServer server;
  const std::string elsewhere =
      "http://localhost:" + std::to_string(server.port()) + "/landed";  // same server, other name
  server.on("/away", ScriptedResponse{302, {{"Location", elsewhere}}, ""});
  server.on("/landed", json(200, "{}"));
  HttpClient client(quick());
  const HttpResponse response = fetch(client, get(server, "/away"));
  CHECK(response.outcome == Outcome::success);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].header("Authorization") == "Bearer " + kToken);
  CHECK(requests[1].path == "/landed");
  CHECK_FALSE(requests[1].has_header("Authorization"));
}

TEST_CASE("TLS failures are reported as such, never downgraded", "[http]") {
  LoopbackServer server;  // speaks plain HTTP only
  server.on("/x", json(200, "{}"));
  HttpRequest request = get(server, "/x");
  request.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/x";
  HttpClient client(quick());
  HttpResponse response;
  client.perform(request, response);
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::tls);
  CHECK(response.outcome == Outcome::network_error);

  HttpOptions options = quick();
  options.ca_bundle = "/nonexistent/gh-ingest-ca.pem";
  HttpClient enterprise(options);
  enterprise.perform(request, response);
  CHECK(response.status == 0);
  CHECK(response.error == TransportError::tls);
  CHECK(response.error_message.find(kToken) == std::string::npos);
  CHECK(server.request_count() == 0);
}
