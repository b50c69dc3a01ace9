// The addon's entry point: what JS sees in the .node. Each function lives in its own
// *_binding file; binding/index.js is the only module that loads this.
#include <napi.h>

#include "napi/run_binding.h"
#include "napi/token_check_binding.h"
#include "napi/tokens_binding.h"
#include "napi/versions_binding.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New(env, gh::napi::Versions, "versions"));
  exports.Set("maskToken", Napi::Function::New(env, gh::napi::MaskToken, "maskToken"));
  exports.Set("loadTokens", Napi::Function::New(env, gh::napi::LoadTokens, "loadTokens"));
  exports.Set("checkTokens", Napi::Function::New(env, gh::napi::CheckTokens, "checkTokens"));
  exports.Set("Run", gh::napi::Run::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(gh_ingest, Init)
