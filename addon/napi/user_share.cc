#include "napi/user_share.h"

#include <cstdint>
#include <string>
#include <vector>

#include "napi/arguments.h"

namespace gh::napi {
namespace {

// An optional integer field; false with a TypeError pending when present and not a number.
bool ReadInteger(Napi::Env env, const Napi::Object& o, const char* key, const std::string& where,
                 std::int64_t& out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsNumber()) {
    ThrowInvalidArgument(env, "a number", where + "." + key, v);
    return false;
  }
  out = v.As<Napi::Number>().Int64Value();
  return true;
}

bool ReadTimes(Napi::Env env, const Napi::Object& o, const char* key, const std::string& where,
               std::vector<std::int64_t>& out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsArray()) {
    ThrowInvalidArgument(env, "an array of epoch milliseconds", where + "." + key, v);
    return false;
  }
  Napi::Array times = v.As<Napi::Array>();
  out.reserve(times.Length());
  for (uint32_t i = 0; i < times.Length(); ++i) {
    Napi::Value t = times.Get(i);
    if (!t.IsNumber()) {
      ThrowInvalidArgument(env, "a number", where + "." + key + "[" + std::to_string(i) + "]", t);
      return false;
    }
    out.push_back(t.As<Napi::Number>().Int64Value());
  }
  return true;
}

Napi::Array Times(Napi::Env env, const std::vector<std::int64_t>& times) {
  Napi::Array out = Napi::Array::New(env, times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(times[i])));
  }
  return out;
}

}  // namespace

bool ReadUserShare(Napi::Env env, const Napi::Value& value, UserShare& out) {
  const std::string where = "share";
  if (!value.IsObject()) {
    ThrowInvalidArgument(env, "an object {login, buckets, ...}", where, value);
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  std::optional<std::string> login = RequireString(env, o.Get("login"), where + ".login");
  if (!login) return false;
  out.login = *login;
  Napi::Value buckets = o.Get("buckets");
  if (buckets.IsArray()) {
    Napi::Array list = buckets.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      const std::string at = where + ".buckets[" + std::to_string(i) + "]";
      Napi::Value entry = list.Get(i);
      if (!entry.IsObject()) {
        ThrowInvalidArgument(env, "an object {resource, limit, remaining, reset}", at, entry);
        return false;
      }
      Napi::Object b = entry.As<Napi::Object>();
      UserShare::Bucket bucket;
      std::optional<std::string> resource = RequireString(env, b.Get("resource"), at + ".resource");
      if (!resource) return false;
      bucket.resource = *resource;
      if (!ReadInteger(env, b, "limit", at, bucket.limit) ||
          !ReadInteger(env, b, "remaining", at, bucket.remaining) ||
          !ReadInteger(env, b, "reset", at, bucket.reset)) {
        return false;
      }
      bucket.estimated = b.Get("estimated").ToBoolean().Value();
      out.buckets.push_back(std::move(bucket));
    }
  } else if (!buckets.IsUndefined() && !buckets.IsNull()) {
    ThrowInvalidArgument(env, "an array", where + ".buckets", buckets);
    return false;
  }
  std::int64_t strikes = 0;
  std::int64_t width = 0;
  if (!ReadInteger(env, o, "pausedUntilMs", where, out.paused_until_ms) ||
      !ReadInteger(env, o, "strikes", where, strikes) ||
      !ReadInteger(env, o, "narrowedWidth", where, width) ||
      !ReadTimes(env, o, "restMinuteMs", where, out.rest_minute_ms) ||
      !ReadTimes(env, o, "graphqlMinuteMs", where, out.graphql_minute_ms)) {
    return false;
  }
  out.strikes = static_cast<int>(strikes);
  out.narrowed_width = static_cast<int>(width);
  return true;
}

Napi::Object ToJs(Napi::Env env, const UserStatus& status) {
  const UserShare& share = status.share;
  Napi::Array buckets = Napi::Array::New(env, share.buckets.size());
  for (std::size_t i = 0; i < share.buckets.size(); ++i) {
    const UserShare::Bucket& bucket = share.buckets[i];
    Napi::Object b = Napi::Object::New(env);
    b.Set("resource", bucket.resource);
    b.Set("limit", Napi::Number::New(env, static_cast<double>(bucket.limit)));
    b.Set("remaining", Napi::Number::New(env, static_cast<double>(bucket.remaining)));
    b.Set("reset", Napi::Number::New(env, static_cast<double>(bucket.reset)));
    if (bucket.estimated) b.Set("estimated", true);
    buckets.Set(static_cast<uint32_t>(i), b);
  }
  Napi::Object s = Napi::Object::New(env);
  s.Set("buckets", buckets);
  s.Set("pausedUntilMs", Napi::Number::New(env, static_cast<double>(share.paused_until_ms)));
  s.Set("strikes", share.strikes);
  s.Set("narrowedWidth", share.narrowed_width);
  s.Set("restMinuteMs", Times(env, share.rest_minute_ms));
  s.Set("graphqlMinuteMs", Times(env, share.graphql_minute_ms));

  Napi::Object o = Napi::Object::New(env);
  o.Set("login", share.login);
  o.Set("held", status.held);
  o.Set("inFlight", status.in_flight);
  o.Set("requests", Napi::Number::New(env, static_cast<double>(status.requests)));
  o.Set("share", s);
  return o;
}

}  // namespace gh::napi
