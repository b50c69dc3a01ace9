// A GitHub user's shared state (--coordinate) between the pool and JS, which keeps it in
// the job's database: {login, buckets: [{resource, limit, remaining, reset, estimated}],
// pausedUntilMs, strikes, narrowedWidth, restMinuteMs, graphqlMinuteMs}.
#ifndef GH_INGEST_NAPI_USER_SHARE_H_
#define GH_INGEST_NAPI_USER_SHARE_H_

#include <napi.h>

#include "core/token_pool.h"

namespace gh::napi {

// False with a TypeError pending when `value` is not such an object; missing fields are
// the UserShare defaults (a user never seen: nothing known, nothing to wait for).
bool ReadUserShare(Napi::Env env, const Napi::Value& value, UserShare& out);

// {login, held, inFlight, requests, share}.
Napi::Object ToJs(Napi::Env env, const UserStatus& status);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_USER_SHARE_H_
