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

void check_one(std::size_t index, TokenPool& pool, const TokenCheckOptions& options,
               HttpClient& http, GitHubJson& json, RetryPolicy& retry, Clock& clock,
               StopSignal& stop, TokenCheck& out) {
  out.token = index;
  const std::string label = token_label(index);
  HttpResponse response;
  if (options.rate_limit_first && !stop.stopped()) {
    // A permit of no cost: the lane is this check's while /rate_limit is asked, and
    // nothing is reserved (the request is free); dropped unreported, it spends nothing.
    Acquisition probe = pool.try_acquire_token(index, "core", 0);
    if (probe.status == AcquireStatus::ok) {
      HttpRequest limits;
      limits.url = join_url(options.base_url, "/rate_limit");
      limits.token = probe.permit.secret();
      limits.stop = &stop.flag();
      HttpResponse limits_response;
      http.perform(limits, limits_response);
      if (limits_response.ok() && json.rate_limit(limits_response.body.padded(), out.buckets).ok()) {
        for (const auto& [resource, bucket] : out.buckets) {
          pool.observe(index, as_headers(resource, bucket), resource);
        }
      }
    }
  }
  for (int attempt = 1;; ++attempt) {
    if (stop.stopped()) {
      out.status = TokenCheck::Status::stopped;
      return;
    }
    Acquisition acquired = pool.try_acquire_token(index, "core");
    if (acquired.status != AcquireStatus::ok) {
      out.status = acquired.status == AcquireStatus::stopped ? TokenCheck::Status::stopped
                                                             : TokenCheck::Status::failed;
      out.error = acquired.error.empty() ? label + ": its core quota is spent" : acquired.error;
      return;
    }
    HttpRequest request;
    request.url = join_url(options.base_url, "/user");
    request.token = acquired.permit.secret();
    request.stop = &stop.flag();
    http.perform(request, response);
    out.http_status = response.status;

    Outcome outcome = response.outcome;
    GitHubUser user;
    if (outcome == Outcome::success) {
      JsonStatus parsed = json.user(response.body.padded(), user);
      if (!parsed.ok()) {
        outcome = Outcome::malformed;
        out.error = label + ": " + parsed.error;
      }
    }
    if (outcome == Outcome::success && out.buckets.empty()) {
      // The same token's buckets, while we hold it: GET /rate_limit costs nothing.
      HttpRequest limits;
      limits.url = join_url(options.base_url, "/rate_limit");
      limits.token = request.token;
      limits.stop = &stop.flag();
      HttpResponse limits_response;
      http.perform(limits, limits_response);
      if (limits_response.ok() &&
          json.rate_limit(limits_response.body.padded(), out.buckets).ok()) {
        for (const auto& [resource, bucket] : out.buckets) {
          pool.observe(index, as_headers(resource, bucket), resource);
        }
      }
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
      return;
    }
    if (outcome == Outcome::unauthorized) {
      out.status = TokenCheck::Status::rejected;
      out.error = label + " (" + mask_token(request.token) + ") was rejected: 401 Bad credentials";
      return;
    }
    if (out.error.empty() || outcome != Outcome::malformed) {
      out.error = label + ": GET /user " +
                  (response.status ? "answered " + std::to_string(response.status)
                                   : std::string("failed: ") + to_string(response.error));
    }
    const RetryDecision decision = retry.decide(outcome, attempt, response.rate.retry_after);
    if (!decision.retry) {
      out.status = TokenCheck::Status::failed;
      return;
    }
    if (!stop.sleep_until(clock, clock.now() + decision.delay)) {
      out.status = TokenCheck::Status::stopped;
      return;
    }
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
