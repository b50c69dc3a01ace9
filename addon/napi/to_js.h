// The engine's results as plain JS values, with the schema's field names
// (js/storage/schema.sql).
// Called on the JS thread only.
#ifndef GH_INGEST_NAPI_TO_JS_H_
#define GH_INGEST_NAPI_TO_JS_H_

#include <napi.h>

#include <string>
#include <vector>

#include "core/engine.h"
#include "core/token_pool.h"

namespace gh::napi {

Napi::Object ToJs(Napi::Env env, const Repository& repo, const DetailReport& details);
Napi::Object ToJs(Napi::Env env, const Batch& batch, const std::vector<EngineGroup>& groups);
Napi::Object ToJs(Napi::Env env, const EngineEvent& event, const std::vector<EngineGroup>& groups);
Napi::Object ToJs(Napi::Env env, const EngineResult& result,
                  const std::vector<EngineGroup>& groups);
Napi::Object ToJs(Napi::Env env, const PoolSnapshot& snapshot);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_TO_JS_H_
