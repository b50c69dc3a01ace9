#include "core/token_check.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/token_mask.h"

namespace gh {
namespace {

std::string join_url(std::string base, const char* path) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

// What GET /rate_limit says of one bucket, in the shape of a response's headers.
RateLimitHeaders as_headers(const std::string& resource, const RateLimitBucket& bucket) {
  RateLimitHeaders h;
  h.resource = resource;
  h.limit = bucket.limit;
  h.remaining = bucket.remaining;
  h.used = bucket.used;
  h.reset = bucket.reset;
  return h;
}

// GET /rate_limit with `token` (free): the token's buckets, told to the pool.
void read_rate_limit(std::size_t index, const std::string& token, TokenPool& pool,
                     const TokenCheckOptions& options, HttpClient& http, GitHubJson& json,
                     StopSignal& stop, TokenCheck& out) {
  HttpRequest limits;
  limits.url = join_url(options.base_url, "/rate_limit");
  limits.token = token;
  limits.stop = &stop.flag();
  HttpResponse response;
  http.perform(limits, response);
  if (response.ok() && json.rate_limit(response.body.padded(), out.buckets).ok()) {
    for (const auto& [resource, bucket] : out.buckets) {
      pool.observe(index, as_headers(resource, bucket), resource);
    }
  }
}

// One way of asking who a token is: GET /user (a core request), or GraphQL's viewer (a
// point of the GraphQL quota, a bucket of its own) for a token whose core quota is spent.
struct LoginQuestion {
  std::string resource;
  std::string what;  // for the error line: "GET /user", "GraphQL viewer"
  HttpRequest request;
  JsonStatus (GitHubJson::*parse)(GitHubJson::Input, GitHubUser&);
};

enum class Asked { answered, spent, done };

// Asks `question` until it is answered, refused for good, or the token's bucket for it is
// spent (`spent`: nothing sent on it). `done`: out's status is final.
Asked ask_login(std::size_t index, LoginQuestion& question, TokenPool& pool,
                const TokenCheckOptions& options, HttpClient& http, GitHubJson& json,
                RetryPolicy& retry, Clock& clock, StopSignal& stop, TokenCheck& out) {
  const std::string label = token_label(index);
  HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    if (stop.stopped()) {
      out.status = TokenCheck::Status::stopped;
      return Asked::done;
    }
    Acquisition acquired = pool.try_acquire_token(index, question.resource);
    if (acquired.status == AcquireStatus::stopped) {
      out.status = TokenCheck::Status::stopped;
      return Asked::done;
    }
    if (acquired.status != AcquireStatus::ok) {
      out.status = TokenCheck::Status::failed;
      if (!acquired.error.empty()) {
        out.error = acquired.error;
        return Asked::done;
      }
      return Asked::spent;
    }
    question.request.token = acquired.permit.secret();
    question.request.stop = &stop.flag();
    http.perform(question.request, response);
    out.http_status = response.status;

    Outcome outcome = response.outcome;
    GitHubUser user;
    if (outcome == Outcome::success) {
      JsonStatus parsed = (json.*question.parse)(response.body.padded(), user);
      if (!parsed.ok()) {
        outcome = Outcome::malformed;
        out.error = label + ": " + parsed.error;
      }
    }
    if (outcome == Outcome::success && out.buckets.empty()) {
      // The same token's buckets, while we hold it: GET /rate_limit costs nothing.
      read_rate_limit(index, question.request.token, pool, options, http, json, stop, out);
    }
    Feedback feedback;
    feedback.outcome = outcome;
    feedback.http_status = response.status;
    feedback.headers = response.rate;
    acquired.permit.report(feedback);

    if (outcome == Outcome::success) {
      out.status = TokenCheck::Status::ok;
      out.login = user.login;
      out.error.clear();
      pool.set_login(index, user.login);
      return Asked::answered;
    }
    if (outcome == Outcome::unauthorized) {
      out.status = TokenCheck::Status::rejected;
      out.error = label + " (" + mask_token(question.request.token) +
                  ") was rejected: 401 Bad credentials";
      return Asked::done;
    }
    if (out.error.empty() || outcome != Outcome::malformed) {
      out.error = label + ": " + question.what + " " +
                  (response.status ? "answered " + std::to_string(response.status)
                                   : std::string("failed: ") + to_string(response.error));
    }
    const RetryDecision decision = retry.decide(outcome, attempt, response.rate.retry_after);
    if (!decision.retry) {
      out.status = TokenCheck::Status::failed;
      return Asked::done;
    }
    if (!stop.sleep_until(clock, clock.now() + decision.delay)) {
      out.status = TokenCheck::Status::stopped;
      return Asked::done;
    }
  }
}

void check_one(std::size_t index, TokenPool& pool, const TokenCheckOptions& options,
               HttpClient& http, GitHubJson& json, RetryPolicy& retry, Clock& clock,
               StopSignal& stop, TokenCheck& out) {
  out.token = index;
  const std::string label = token_label(index);
  if (options.rate_limit_first && !stop.stopped()) {
    // A permit of no cost: the lane is this check's while /rate_limit is asked, and
    // nothing is reserved (the request is free); dropped unreported, it spends nothing.
    Acquisition probe = pool.try_acquire_token(index, "core", 0);
    if (probe.status == AcquireStatus::ok) {
      read_rate_limit(index, probe.permit.secret(), pool, options, http, json, stop, out);
    }
  }
  LoginQuestion rest{"core", "GET /user", {}, &GitHubJson::user};
  rest.request.url = join_url(options.base_url, "/user");
  Asked asked = ask_login(index, rest, pool, options, http, json, retry, clock, stop, out);
  std::string spent = "core quota is";
  if (asked == Asked::spent && !options.graphql_url.empty()) {
    // GraphQL's quota is a bucket of its own: one point tells who the token is now, not
    // after the core window's reset (up to an hour away).
    LoginQuestion graphql{"graphql", "GraphQL viewer", {}, &GitHubJson::viewer};
    graphql.request.method = "POST";
    graphql.request.url = options.graphql_url;
    graphql.request.body = R"({"query":"query Viewer { viewer { login } }"})";
    out.error.clear();
    asked = ask_login(index, graphql, pool, options, http, json, retry, clock, stop, out);
    spent = "core and GraphQL quotas are";
  }
  if (asked == Asked::spent) {
    out.status = TokenCheck::Status::failed;
    out.error = label + ": its " + spent + " spent";
    return;
  }
}

}  // namespace

const char* to_string(TokenCheck::Status status) {
  switch (status) {
    case TokenCheck::Status::ok:
      return "ok";
    case TokenCheck::Status::rejected:
      return "rejected";
    case TokenCheck::Status::failed:
      return "failed";
    case TokenCheck::Status::stopped:
      return "stopped";
  }
  return "unknown";
}

std::vector<TokenCheck> check_tokens(TokenPool& pool, const TokenCheckOptions& options,
                                     const std::shared_ptr<HttpShare>& share, Clock& clock,
                                     StopSignal& stop) {
  std::vector<TokenCheck> checks(pool.size());
  std::atomic<std::size_t> next{0};
  const std::size_t threads = std::max<std::size_t>(
      1,
      std::min<std::size_t>(static_cast<std::size_t>(std::max(options.threads, 1)), pool.size()));
  auto work = [&](std::uint64_t seed) {
    HttpClient http(options.http, share);
    GitHubJson json;
    RetryPolicy retry(options.retry, make_random_source(seed));
    for (std::size_t i = next++; i < checks.size(); i = next++) {
      check_one(i, pool, options, http, json, retry, clock, stop, checks[i]);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(work, t);
  work(0);
  for (std::thread& w : workers) w.join();
  return checks;
}

}  // namespace gh
