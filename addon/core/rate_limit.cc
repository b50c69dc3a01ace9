#include "core/rate_limit.h"

#include "core/ascii.h"

#include <algorithm>
#include <cctype>

namespace gh {
namespace {

using ascii::icontains;
using ascii::iequals;
using ascii::trim;

std::optional<std::int64_t> parse_count(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

void RateLimitHeaders::consume(std::string_view name, std::string_view value) {
  name = trim(name);
  if (iequals(name, "x-ratelimit-limit")) {
    limit = parse_count(value);
  } else if (iequals(name, "x-ratelimit-remaining")) {
    remaining = parse_count(value);
  } else if (iequals(name, "x-ratelimit-used")) {
    used = parse_count(value);
  } else if (iequals(name, "x-ratelimit-reset")) {
    reset = parse_count(value);
  } else if (iequals(name, "x-ratelimit-resource")) {
    resource = std::string(trim(value));
  } else if (iequals(name, "retry-after")) {
    // GitHub sends seconds; an HTTP date is not used by GitHub and is ignored.
    retry_after = parse_count(value);
  }
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::success:
      return "success";
    case Outcome::not_modified:
      return "not_modified";
    case Outcome::primary_limit:
      return "primary_limit";
    case Outcome::secondary_limit:
      return "secondary_limit";
    case Outcome::unauthorized:
      return "unauthorized";
    case Outcome::forbidden:
      return "forbidden";
    case Outcome::gone:
      return "gone";
    case Outcome::validation:
      return "validation";
    case Outcome::client_error:
      return "client_error";
    case Outcome::server_error:
      return "server_error";
    case Outcome::network_error:
      return "network_error";
    case Outcome::malformed:
      return "malformed";
  }
  return "unknown";
}

Outcome classify_response(int http_status, const RateLimitHeaders& headers, std::string_view body) {
  if (http_status <= 0) return Outcome::network_error;
  if (http_status == 304) return Outcome::not_modified;
  if (http_status >= 200 && http_status < 300) return Outcome::success;
  if (http_status == 401) return Outcome::unauthorized;
  if (http_status == 403 || http_status == 429) {
    // The secondary message wins: GitHub may send it while the primary bucket still
    // has requests, and it pauses the whole user, not one bucket.
    if (icontains(body, "secondary rate limit")) return Outcome::secondary_limit;
    if (headers.remaining && *headers.remaining == 0) return Outcome::primary_limit;
    if (headers.retry_after) return Outcome::secondary_limit;
    if (icontains(body, "rate limit exceeded")) return Outcome::primary_limit;
    if (http_status == 429) return Outcome::secondary_limit;
    return Outcome::forbidden;
  }
  if (http_status == 404 || http_status == 410 || http_status == 451) return Outcome::gone;
  if (http_status == 422) return Outcome::validation;
  if (http_status >= 500) return Outcome::server_error;
  return Outcome::client_error;
}

bool is_transient(Outcome outcome) {
  switch (outcome) {
    case Outcome::primary_limit:
    case Outcome::secondary_limit:
    case Outcome::server_error:
    case Outcome::network_error:
    case Outcome::malformed:
      return true;
    default:
      return false;
  }
}

}  // namespace gh
