// A stored `repositories` row handed to the engine (--refresh through GraphQL compares
// GitHub's answer with it): the schema's column names, timestamps as GitHub writes them
// ("2024-05-01T12:00:00Z"), no details.
#ifndef GH_INGEST_NAPI_STORED_ROW_H_
#define GH_INGEST_NAPI_STORED_ROW_H_

#include <napi.h>

#include <string>

#include "core/repository.h"

namespace gh::napi {

// False with a TypeError pending when a column has the wrong type; `where` names the
// row in that error ("options.refresh[3].row").
bool ReadStoredRow(Napi::Env env, const Napi::Object& row, const std::string& where,
                   Repository& out);

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_STORED_ROW_H_
