// Who each token belongs to and how much quota it has, asked once at the start of a run
// (and by test-tokens.js): GET /user (one core request) and GET /rate_limit (free) per
// token, a few tokens at a time, or GraphQL's viewer for a token whose core quota is
// spent. The answers go to the pool: tokens of one login become one quota, every bucket
// is known before the first real request, and rejected tokens are retired before any
// work is given to them.
#ifndef GH_INGEST_CORE_TOKEN_CHECK_H_
#define GH_INGEST_CORE_TOKEN_CHECK_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/github_json.h"
#include "core/http_client.h"
#include "core/retry_policy.h"
#include "core/stop_signal.h"
#include "core/token_pool.h"

namespace gh {

struct TokenCheck {
  enum class Status {
    ok,        // valid; login and buckets known
    rejected,  // 401: retired for the run
    failed,    // no answer after retries, or an answer that made no sense
    stopped,   // the run stopped first
  };
  std::size_t token = 0;
  Status status = Status::failed;
  int http_status = 0;
  std::string login;
  std::string error;                               // one line, masked
  std::map<std::string, RateLimitBucket> buckets;  // from GET /rate_limit
};
const char* to_string(TokenCheck::Status status);

struct TokenCheckOptions {
  std::string base_url = "https://api.github.com";
  HttpOptions http;
  RetryOptions retry;
  // Tokens checked at once. One: a token's login is unknown until GET /user answers, so
  // two tokens checked together may be one user's two concurrent requests, which GitHub
  // asks clients not to send (one lane per user, token_pool.h). More only for tokens
  // known to belong to different users.
  int threads = 1;
  // Ask GET /rate_limit (free) before GET /user: a token whose core quota is spent is
  // then reported as such (failed, its buckets known) without spending a request on an
  // empty bucket. --coordinate checks a joining host's tokens while other hosts may have
  // just spent them.
  bool rate_limit_first = false;
  // Where a token whose core quota is spent is asked who it is instead: GraphQL's
  // `viewer { login }`, one point of the GraphQL quota (a bucket of its own), so the
  // token is known now rather than after the core window's reset. Empty: not asked.
  std::string graphql_url;
};

std::vector<TokenCheck> check_tokens(TokenPool& pool, const TokenCheckOptions& options,
                                     const std::shared_ptr<HttpShare>& share, Clock& clock,
                                     StopSignal& stop);

}  // namespace gh

#endif  // GH_INGEST_CORE_TOKEN_CHECK_H_
