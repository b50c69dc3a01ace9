#include "core/rate_limit.h"
#include "catch.h"

using namespace gh;

TEST_CASE("rate-limit headers are read case-insensitively", "[rate_limit]") {
  RateLimitHeaders h;
  h.consume("X-RateLimit-Limit", "5000");
  h.consume("x-ratelimit-remaining", " 4999 ");
  h.consume("X-RATELIMIT-USED", "1");
  h.consume("x-ratelimit-reset", "1700003600");
  h.consume("x-ratelimit-resource", "core");
  h.consume("Retry-After", "30");
  h.consume("content-type", "application/json");
  CHECK(h.limit == 5000);
  CHECK(h.remaining == 4999);
  CHECK(h.used == 1);
  CHECK(h.reset == 1700003600);
  CHECK(h.resource == "core");
  CHECK(h.retry_after == 30);
  CHECK(h.has_window());
}

TEST_CASE("malformed header values are ignored, not misread", "[rate_limit]") {
  RateLimitHeaders h;
  h.consume("x-ratelimit-remaining", "-1");
  h.consume("x-ratelimit-reset", "soon");
  h.consume("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT");
  CHECK_FALSE(h.remaining.has_value());
  CHECK_FALSE(h.reset.has_value());
  CHECK_FALSE(h.retry_after.has_value());
  CHECK_FALSE(h.has_window());
}

TEST_CASE("responses are classified as GitHub documents them", "[rate_limit]") {
  RateLimitHeaders none;
  RateLimitHeaders spent;
  spent.remaining = 0;
  spent.reset = 1700003600;
  RateLimitHeaders plenty;
  plenty.remaining = 4000;
  plenty.reset = 1700003600;
  RateLimitHeaders retry = plenty;
  retry.retry_after = 60;

  CHECK(classify_response(200, plenty, "{}") == Outcome::success);
  CHECK(classify_response(201, plenty, "{}") == Outcome::success);
  CHECK(classify_response(304, plenty, "") == Outcome::not_modified);
  CHECK(classify_response(401, none, "Bad credentials") == Outcome::unauthorized);
  CHECK(classify_response(403, spent, "API rate limit exceeded for user") ==
        Outcome::primary_limit);
  CHECK(classify_response(429, spent, "") == Outcome::primary_limit);
  CHECK(classify_response(403, plenty,
                          R"({"message":"You have exceeded a secondary rate limit."})") ==
        Outcome::secondary_limit);
  // The secondary message wins even with remaining 0: it pauses the whole user.
  CHECK(classify_response(403, spent, "You have exceeded a Secondary Rate Limit") ==
        Outcome::secondary_limit);
  CHECK(classify_response(403, retry, "") == Outcome::secondary_limit);
  CHECK(classify_response(429, plenty, "") == Outcome::secondary_limit);
  CHECK(classify_response(403, plenty, "Resource not accessible by integration") ==
        Outcome::forbidden);
  CHECK(classify_response(404, plenty, "") == Outcome::gone);
  CHECK(classify_response(451, plenty, "") == Outcome::gone);
  CHECK(classify_response(422, plenty, "Only the first 1000 search results") ==
        Outcome::validation);
  CHECK(classify_response(400, plenty, "") == Outcome::client_error);
  CHECK(classify_response(502, none, "") == Outcome::server_error);
  CHECK(classify_response(0, none, "") == Outcome::network_error);
}

TEST_CASE("only transient outcomes are retried", "[rate_limit]") {
  CHECK(is_transient(Outcome::server_error));
  CHECK(is_transient(Outcome::network_error));
  CHECK(is_transient(Outcome::malformed));
  CHECK(is_transient(Outcome::secondary_limit));
  CHECK_FALSE(is_transient(Outcome::unauthorized));
  CHECK_FALSE(is_transient(Outcome::gone));
  CHECK_FALSE(is_transient(Outcome::forbidden));
  CHECK(std::string(to_string(Outcome::primary_limit)) == "primary_limit");
}
