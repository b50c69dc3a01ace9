// Whether a stored repository changed on GitHub, judged from its row's columns: what a
// --refresh through GraphQL re-reads (100 repositories a query) before it spends a
// details query on a repository. REST refreshes judge by ETag instead (a 304).
#ifndef GH_INGEST_CORE_ROW_CHANGE_H_
#define GH_INGEST_CORE_ROW_CHANGE_H_

#include "core/repository.h"

namespace gh {

// True when any column of the row differs between `stored` (as the database has it) and
// `fresh` (as GitHub answers now): names, counts, flags, timestamps, topics (in any
// order: GitHub's REST and GraphQL list them in different orders), license, node id (a
// row stored without one is written again to gain it). Details (languages, README,
// community profile) are not compared: a change to them bumps pushed_at or updated_at.
bool row_changed(const Repository& stored, const Repository& fresh);

}  // namespace gh

#endif  // GH_INGEST_CORE_ROW_CHANGE_H_
