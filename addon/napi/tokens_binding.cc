#include "napi/tokens_binding.h"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/token_mask.h"
#include "core/token_source.h"
#include "napi/arguments.h"

namespace gh::napi {
namespace {

constexpr std::array<const char*, 3> kTokenVariables = {"GITHUB_TOKENS", "GITHUB_TOKEN",
                                                        "GITHUB_TOKENS_FILE"};

Napi::Array ToArray(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array array = Napi::Array::New(env, items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), Napi::String::New(env, items[i]));
  }
  return array;
}

// Copies the token variables out of the JS object first, so that the core runs on
// plain strings and a throwing getter or a wrong type is reported before any work.
bool ReadTokenVariables(Napi::Env env, const Napi::Object& object,
                        std::map<std::string, std::string, std::less<>>* variables) {
  for (const char* name : kTokenVariables) {
    Napi::Value value = object.Get(name);
    if (env.IsExceptionPending()) return false;
    if (value.IsUndefined() || value.IsNull()) continue;
    if (!value.IsString()) {
      ThrowInvalidArgument(env, "a string or undefined", std::string("env.") + name, value);
      return false;
    }
    variables->emplace(name, value.As<Napi::String>().Utf8Value());
  }
  return true;
}

}  // namespace

Napi::Value MaskToken(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::optional<std::string> token = RequireString(env, info[0], "token");
  if (!token) return env.Undefined();
  return Napi::String::New(env, gh::mask_token(*token));
}

Napi::Value LoadTokens(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) {
    return ThrowInvalidArgument(env, "an object of environment variables", "env", info[0]);
  }
  std::map<std::string, std::string, std::less<>> variables;
  if (!ReadTokenVariables(env, info[0].As<Napi::Object>(), &variables)) {
    return env.Undefined();
  }

  const gh::TokenList list = gh::load_tokens(
      [&variables](std::string_view name) -> std::optional<std::string> {
        auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
      },
      gh::read_whole_file);

  if (!list.ok()) {
    Napi::Error error = Napi::Error::New(env, list.error);
    error.Set("code", "E_NO_TOKEN");
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("tokens", ToArray(env, list.tokens));
  result.Set("warnings", ToArray(env, list.warnings));
  result.Set("source", list.source);
  if (env.IsExceptionPending()) return env.Undefined();
  return result;
}

}  // namespace gh::napi
