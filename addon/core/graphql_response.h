// GitHub's answer to the details query (graphql_query.h), parsed with simdjson On-Demand
// in one forward pass, and what it means: the rate limit it reports, each repository's
// fields, and the errors array classified (the whole batch rate limited or failed, a
// repository gone). One GraphqlResponseParser per worker: it owns a reused parser. Errors
// are returned, never thrown; a malformed or truncated body is an error, never a crash.
#ifndef GH_INGEST_CORE_GRAPHQL_RESPONSE_H_
#define GH_INGEST_CORE_GRAPHQL_RESPONSE_H_

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/github_api.h"
#include "core/github_json.h"
#include "core/graphql_query.h"
#include "core/rate_limit.h"
#include "core/repository.h"

namespace gh {

// data.rateLimit: what the query cost and what is left, in points.
struct GraphqlRateLimit {
  bool present = false;
  std::int64_t cost = 0;
  std::int64_t remaining = 0;
  std::int64_t limit = 0;
  std::int64_t used = 0;
  std::string reset_at;  // ISO 8601, as GitHub sends it
};

// One entry of "errors".
struct GraphqlError {
  std::string type;  // "NOT_FOUND", "RATE_LIMITED", ...; empty when absent
  std::string code;  // extensions.code ("undefinedField", ...); empty when absent
  std::string message;
  std::string path_head;                   // path[0]: "nodes", "r3"; empty without a path
  std::optional<std::int64_t> path_index;  // path[1] when it is a number (the node)
};

struct TreeEntry {
  std::string name;
  std::string type;  // "blob", "tree", "commit"
};

// One repository of the answer, as GitHub sent it.
struct RepositoryAnswer {
  bool answered = false;  // its node (or alias) is in the answer, null or not
  bool present = false;   // ... and is not null
  std::optional<std::int64_t> database_id;
  std::optional<std::int64_t> watchers;
  LanguageBytes languages;  // in GitHub's order (largest first)
  bool code_of_conduct = false;
  bool contributing = false;
  bool issue_template = false;
  bool pull_request_template = false;
  bool license = false;
  bool has_root = false;  // the root tree came back (null: an empty repository)
  std::vector<TreeEntry> root_entries;
  // Per kReadmeAliases entry: the path is a Blob, and its text (null for binary files).
  std::array<bool, kReadmeAliases.size()> readme_blob{};
  std::array<std::optional<std::string>, kReadmeAliases.size()> readme_text;
  // The row's columns (QueryParts::row), in the REST object's terms: row.id is
  // databaseId, row.license the SPDX id, row.open_issues the open issues alone.
  Repository row;
  std::int64_t open_pull_requests = 0;  // open_issues_count on REST counts them too
};

struct DetailsAnswer {
  bool has_data = false;  // "data" is an object (null or absent after a rate limit)
  GraphqlRateLimit rate_limit;
  std::vector<RepositoryAnswer> repos;  // by index in the batch the query was built for
  std::vector<GraphqlError> errors;
};

// What the answer means for one repository: ok, gone (NOT_FOUND), or failed (another
// error names it: it is left out of this batch, the others are kept).
struct RepositoryVerdict {
  ApiStatus status = ApiStatus::ok;
  std::string error;
};

// What the answer means as a whole: `outcome` is success (the repositories' verdicts
// apply), primary_limit / secondary_limit (RATE_LIMITED: the bucket is spent, send
// again when a token can serve), or malformed (no data, an error about the query
// itself, a repository missing from the answer: the batch is sent again, a bounded
// number of times).
struct DetailsVerdict {
  Outcome outcome = Outcome::success;
  std::string error;  // one line when the outcome is not success
  std::vector<RepositoryVerdict> repos;
};

class GraphqlResponseParser {
 public:
  // Padded input: PaddedBuffer::padded() or simdjson::padded_string.
  using Input = simdjson::padded_string_view;

  // Parses an answer to `query`. Fails only when the body is not JSON of the expected
  // shape; GraphQL errors are data (classify them).
  JsonStatus details(Input json, const DetailsQuery& query, DetailsAnswer& out);

 private:
  simdjson::ondemand::parser parser_;
};

DetailsVerdict classify(const DetailsAnswer& answer, const DetailsQuery& query);

}  // namespace gh

#endif  // GH_INGEST_CORE_GRAPHQL_RESPONSE_H_
