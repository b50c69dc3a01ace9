// checkTokens(tokens, options) -> Promise<TokenCheck[]>: the core's token check
// (GET /user and GET /rate_limit per token) run off the JS thread.
#ifndef GH_INGEST_NAPI_TOKEN_CHECK_BINDING_H_
#define GH_INGEST_NAPI_TOKEN_CHECK_BINDING_H_

#include <napi.h>

namespace gh::napi {

// checkTokens(tokens: string[], options?: {apiUrl?: string, threads?: number,
// timeoutMs?: number, maxAttempts?: number, caBundle?: string}) -> Promise<Array<{id, mask, status,
// login, httpStatus, error, resources: {[name]: {limit, remaining, used, reset}}}>>
Napi::Value CheckTokens(const Napi::CallbackInfo& info);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_TOKEN_CHECK_BINDING_H_
