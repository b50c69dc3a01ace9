// Argument checks shared by every binding, so that all of them report a bad argument in
// one wording: "Expected X for name but received V of type T". C++ exceptions are off:
// a failed check leaves a pending JS TypeError and the caller returns at once.
#ifndef GH_INGEST_NAPI_ARGUMENTS_H_
#define GH_INGEST_NAPI_ARGUMENTS_H_

#include <napi.h>

#include <optional>
#include <string>

namespace gh::napi {

// Throws (as a pending exception) the shared TypeError and returns undefined.
Napi::Value ThrowInvalidArgument(Napi::Env env, const std::string& expected,
                                 const std::string& name, const Napi::Value& actual);

// The string in `value`, or nullopt with the TypeError pending.
std::optional<std::string> RequireString(Napi::Env env, const Napi::Value& value,
                                         const std::string& name);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_ARGUMENTS_H_
