// Token configuration for JS: maskToken() and loadTokens(env). The precedence rules and
// the masks live in the core (token_source, token_mask); this file only converts.
#ifndef GH_INGEST_NAPI_TOKENS_BINDING_H_
#define GH_INGEST_NAPI_TOKENS_BINDING_H_

#include <napi.h>

namespace gh::napi {

// maskToken(token: string) -> string, e.g. "ghp_…k9Qz".
Napi::Value MaskToken(const Napi::CallbackInfo& info);

// loadTokens(env: object) -> {tokens, warnings, source}. `env` is a plain object of
// environment variables (GITHUB_TOKENS, GITHUB_TOKEN, GITHUB_TOKENS_FILE). When no
// token can be loaded, throws an Error with code 'E_NO_TOKEN' and a one-line message.
Napi::Value LoadTokens(const Napi::CallbackInfo& info);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_TOKENS_BINDING_H_
