#include "napi/versions_binding.h"

#include <string>

#include "core/versions.h"

namespace gh::napi {

Napi::Value Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const gh::Versions versions = gh::library_versions();
  Napi::Object result = Napi::Object::New(env);
  result.Set("addon", versions.addon);
  result.Set("libcurl", versions.libcurl);
  result.Set("ssl", versions.ssl);
  result.Set("simdjson", versions.simdjson);
  result.Set("simdjsonImplementation", versions.simdjson_implementation);
  // The Node-API version the addon was compiled against (its minimum), not the
  // runtime's: that is what decides which Node versions can load it.
  result.Set("napi", std::to_string(NAPI_VERSION));
  if (env.IsExceptionPending()) return env.Undefined();
  return result;
}

}  // namespace gh::napi
