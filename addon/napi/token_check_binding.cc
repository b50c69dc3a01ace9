#include "napi/token_check_binding.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/graphql_query.h"
#include "core/stop_signal.h"
#include "core/token_check.h"
#include "core/token_mask.h"
#include "core/token_pool.h"
#include "napi/arguments.h"

namespace gh::napi {
namespace {

// Runs the check on a libuv worker thread (which fans out to the check's own threads)
// and settles the promise on the JS thread. Everything it needs is copied in first.
class CheckTokensWorker final : public Napi::AsyncWorker {
 public:
  CheckTokensWorker(Napi::Env env, std::vector<std::string> tokens, TokenCheckOptions options)
      : Napi::AsyncWorker(env, "gh-ingest:checkTokens"),
        deferred_(Napi::Promise::Deferred::New(env)),
        tokens_(std::move(tokens)),
        options_(std::move(options)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    SystemClock clock;
    StopSignal stop;
    TokenPool pool(tokens_, PoolOptions{}, clock);
    auto share = std::make_shared<HttpShare>();
    checks_ = check_tokens(pool, options_, share, clock, stop);
    snapshot_ = pool.snapshot();
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array result = Napi::Array::New(env, checks_.size());
    for (std::size_t i = 0; i < checks_.size(); ++i) {
      const TokenCheck& check = checks_[i];
      Napi::Object item = Napi::Object::New(env);
      item.Set("id", token_label(i));
      item.Set("mask", mask_token(tokens_[i]));
      item.Set("status", to_string(check.status));
      item.Set("login", check.login.empty() ? env.Null() : Napi::String::New(env, check.login));
      item.Set("httpStatus", Napi::Number::New(env, check.http_status));
      item.Set("error", check.error.empty() ? env.Null() : Napi::String::New(env, check.error));
      // The pool's view after the check: /rate_limit's figures, the /user request
      // included, and each bucket shared by the tokens of one user.
      Napi::Object resources = Napi::Object::New(env);
      if (i < snapshot_.tokens.size()) {
        for (const auto& [name, bucket] : snapshot_.tokens[i].resources) {
          if (!bucket.known) continue;
          Napi::Object b = Napi::Object::New(env);
          b.Set("limit", Napi::Number::New(env, static_cast<double>(bucket.limit)));
          b.Set("remaining", Napi::Number::New(env, static_cast<double>(bucket.remaining)));
          b.Set("used", Napi::Number::New(env, static_cast<double>(bucket.used)));
          b.Set("reset", Napi::Number::New(env, static_cast<double>(bucket.reset)));
          resources.Set(name, b);
        }
      }
      item.Set("resources", resources);
      result.Set(static_cast<uint32_t>(i), item);
    }
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::string> tokens_;
  TokenCheckOptions options_;
  std::vector<TokenCheck> checks_;
  PoolSnapshot snapshot_;
};

std::optional<std::vector<std::string>> ReadTokens(Napi::Env env, const Napi::Value& value) {
  if (!value.IsArray() || value.As<Napi::Array>().Length() == 0) {
    ThrowInvalidArgument(env, "a non-empty array of token strings", "tokens", value);
    return std::nullopt;
  }
  Napi::Array array = value.As<Napi::Array>();
  std::vector<std::string> tokens;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (env.IsExceptionPending()) return std::nullopt;
    if (!item.IsString()) {
      // The value may be a token: it is not echoed back.
      ThrowInvalidArgument(env, "a string", "tokens[" + std::to_string(i) + "]", item);
      return std::nullopt;
    }
    tokens.push_back(item.As<Napi::String>().Utf8Value());
  }
  return tokens;
}

bool ReadOptions(Napi::Env env, const Napi::Value& value, TokenCheckOptions& options) {
  if (value.IsUndefined()) return true;
  if (!value.IsObject()) {
    ThrowInvalidArgument(env, "an object", "options", value);
    return false;
  }
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value api_url = object.Get("apiUrl");
  if (!api_url.IsUndefined()) {
    std::optional<std::string> text = RequireString(env, api_url, "options.apiUrl");
    if (!text) return false;
    options.base_url = *text;
  }
  Napi::Value graphql = object.Get("graphqlUrl");
  if (!graphql.IsUndefined()) {
    std::optional<std::string> text = RequireString(env, graphql, "options.graphqlUrl");
    if (!text) return false;
    options.graphql_url = *text;
  }
  Napi::Value ca_bundle = object.Get("caBundle");
  if (!ca_bundle.IsUndefined()) {
    std::optional<std::string> text = RequireString(env, ca_bundle, "options.caBundle");
    if (!text) return false;
    options.http.ca_bundle = *text;
  }
  Napi::Value threads = object.Get("threads");
  if (!threads.IsUndefined()) {
    if (!threads.IsNumber() || threads.As<Napi::Number>().Int32Value() < 1) {
      ThrowInvalidArgument(env, "a positive integer", "options.threads", threads);
      return false;
    }
    options.threads = threads.As<Napi::Number>().Int32Value();
  }
  Napi::Value attempts = object.Get("maxAttempts");
  if (!attempts.IsUndefined()) {
    if (!attempts.IsNumber() || attempts.As<Napi::Number>().Int32Value() < 1) {
      ThrowInvalidArgument(env, "a positive integer", "options.maxAttempts", attempts);
      return false;
    }
    options.retry.max_attempts = attempts.As<Napi::Number>().Int32Value();
  }
  // --coordinate: GET /rate_limit first, so a token whose core quota is spent costs no
  // request on an empty bucket.
  options.rate_limit_first = object.Get("rateLimitFirst").ToBoolean().Value();
  Napi::Value timeout = object.Get("timeoutMs");
  if (!timeout.IsUndefined()) {
    if (!timeout.IsNumber() || timeout.As<Napi::Number>().Int64Value() < 1) {
      ThrowInvalidArgument(env, "a positive number of milliseconds", "options.timeoutMs", timeout);
      return false;
    }
    options.http.timeout = Millis(timeout.As<Napi::Number>().Int64Value());
  }
  return !env.IsExceptionPending();
}

}  // namespace

Napi::Value CheckTokens(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::optional<std::vector<std::string>> tokens = ReadTokens(env, info[0]);
  if (!tokens) return env.Undefined();
  TokenCheckOptions options;
  if (!ReadOptions(env, info[1], options)) return env.Undefined();
  // A token whose core quota is spent is asked who it is through GraphQL's viewer.
  if (options.graphql_url.empty()) options.graphql_url = graphql_url(options.base_url);
  auto* worker = new CheckTokensWorker(env, std::move(*tokens), std::move(options));
  Napi::Promise promise = worker->Promise();
  worker->Queue();  // the worker deletes itself after OnOK/OnError
  return promise;
}

}  // namespace gh::napi
