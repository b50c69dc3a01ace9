#include "core/github_api.h"

#include <utility>

namespace gh {
namespace {

// Rate limits and retired tokens send a request again at once (the pool waits, or
// picks another token). This bound only stops a GitHub that never stops refusing from
// holding a worker forever.
constexpr int kMaxSends = 64;

}  // namespace

const char* to_string(ApiStatus status) {
  switch (status) {
    case ApiStatus::ok:
      return "ok";
    case ApiStatus::not_modified:
      return "not_modified";
    case ApiStatus::gone:
      return "gone";
    case ApiStatus::rejected:
      return "rejected";
    case ApiStatus::failed:
      return "failed";
    case ApiStatus::stopped:
      return "stopped";
    case ApiStatus::no_token:
      return "no_token";
  }
  return "unknown";
}

GitHubApi::GitHubApi(std::size_t worker, std::string base_url, TokenPool& pool, HttpClient& http,
                     Clock& clock, StopSignal& stop, RetryPolicy retry)
    : worker_(worker),
      base_url_(std::move(base_url)),
      pool_(pool),
      http_(http),
      clock_(clock),
      stop_(stop),
      retry_(std::move(retry)) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
}

std::string GitHubApi::url_for(const std::string& path_or_url) const {
  if (path_or_url.rfind("http://", 0) == 0 || path_or_url.rfind("https://", 0) == 0) {
    return path_or_url;
  }
  if (!path_or_url.empty() && path_or_url.front() != '/') return base_url_ + "/" + path_or_url;
  return base_url_ + path_or_url;
}

ApiResult GitHubApi::send(const ApiCall& call, const Parse& parse) {
  if (!parse) return send_checked(call, nullptr);
  return send_checked(call, [&parse](const HttpResponse& response) {
    JsonStatus parsed = parse(response);
    return parsed.ok() ? BodyVerdict{} : BodyVerdict{Outcome::malformed, std::move(parsed.error)};
  });
}

ApiResult GitHubApi::send_checked(const ApiCall& call, const Check& check) {
  ApiResult result;
  const std::string url = url_for(call.url);
  const std::string what = call.method + " " + url;
  int transient_failures = 0;
  std::string last_problem;

  for (;;) {
    if (stop_.stopped()) {
      result.status = ApiStatus::stopped;
      return result;
    }
    if (result.attempts >= kMaxSends) {
      result.status = ApiStatus::failed;
      result.error = what + ": gave up after " + std::to_string(result.attempts) + " requests (" +
                     last_problem + ")";
      return result;
    }
    Acquisition acquired = pool_.acquire(worker_, call.resource, call.cost);
    if (acquired.status == AcquireStatus::stopped) {
      result.status = ApiStatus::stopped;
      return result;
    }
    if (acquired.status != AcquireStatus::ok) {
      result.status = ApiStatus::no_token;
      result.error = acquired.error;
      return result;
    }

    HttpRequest request;
    request.method = call.method;
    request.url = url;
    request.token = acquired.permit.secret();
    request.accept = call.accept;
    request.if_none_match = call.etag;
    request.body = call.body;
    request.stop = &stop_.flag();
    http_.perform(request, response_);
    ++result.attempts;
    ++counters_.requests;
    if (result.attempts > 1) ++counters_.retried;
    result.http_status = response_.status;

    Outcome outcome = response_.outcome;
    std::string body_error;
    if (outcome == Outcome::success && check) {
      BodyVerdict verdict = check(response_);
      outcome = verdict.outcome;
      body_error = std::move(verdict.error);
    }
    Feedback feedback;
    feedback.outcome = outcome;
    feedback.http_status = response_.status;
    feedback.headers = response_.rate;
    acquired.permit.report(feedback);
    ++counters_.outcomes[static_cast<std::size_t>(outcome)];
    result.last_outcome = outcome;
    result.transport = response_.error;
    result.body_error = body_error;

    if (response_.error == TransportError::cancelled && stop_.stopped()) {
      result.status = ApiStatus::stopped;
      return result;
    }

    switch (outcome) {
      case Outcome::success:
        result.status = ApiStatus::ok;
        return result;
      case Outcome::not_modified:
        result.status = ApiStatus::not_modified;
        return result;
      case Outcome::gone:
        result.status = ApiStatus::gone;
        result.error = what + ": GitHub answered " + std::to_string(response_.status);
        return result;
      case Outcome::validation:
      case Outcome::client_error:
      case Outcome::forbidden: {
        result.status = ApiStatus::rejected;
        if (response_.status == 0) {
          // Refused before or after sending (too large, a malformed request): no HTTP
          // status to quote, the transfer's own words instead.
          result.error = what + ": " + response_.error_message;
          return result;
        }
        const std::string message =
            body_error.empty() ? json_.error_message(response_.body.padded()) : body_error;
        result.error = what + ": GitHub answered " + std::to_string(response_.status) +
                       (message.empty() ? "" : " (" + message + ")");
        return result;
      }
      case Outcome::unauthorized:
      case Outcome::primary_limit:
      case Outcome::secondary_limit:
        // The pool has retired the token, or will hold the next acquire() until a
        // token can serve: send again.
        last_problem = std::string(to_string(outcome)) + ", HTTP " +
                       std::to_string(response_.status) +
                       (body_error.empty() ? "" : " (" + body_error + ")");
        continue;
      case Outcome::server_error:
      case Outcome::network_error:
      case Outcome::malformed: {
        ++transient_failures;
        last_problem =
            outcome == Outcome::malformed ? body_error
            : response_.status == 0
                ? std::string(to_string(response_.error)) +
                      (response_.error_message.empty() ? "" : ": " + response_.error_message)
                : "GitHub answered " + std::to_string(response_.status);
        const RetryDecision decision =
            retry_.decide(outcome, transient_failures, response_.rate.retry_after);
        if (!decision.retry || (call.max_failures > 0 && transient_failures >= call.max_failures)) {
          result.status = ApiStatus::failed;
          result.error = what + ": failed " +
                         (transient_failures == 1 ? std::string("once")
                                                  : std::to_string(transient_failures) + " times") +
                         ", last: " + last_problem;
          return result;
        }
        if (!stop_.sleep_until(clock_, clock_.now() + decision.delay)) {
          result.status = ApiStatus::stopped;
          return result;
        }
        continue;
      }
    }
  }
}

}  // namespace gh
