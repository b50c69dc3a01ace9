// versions(): the addon's version and the versions of the libraries it runs with, for
// `--version`, bug reports and the binding's stale-build check.
#ifndef GH_INGEST_NAPI_VERSIONS_BINDING_H_
#define GH_INGEST_NAPI_VERSIONS_BINDING_H_

#include <napi.h>

namespace gh::napi {

// versions() -> {addon, libcurl, ssl, simdjson, simdjsonImplementation, napi}, all strings.
Napi::Value Versions(const Napi::CallbackInfo& info);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_VERSIONS_BINDING_H_
