// The GraphQL details query (docs/graphql.md, "Request"): the details of
// up to 100 repositories in one POST, and what GitHub will charge for it. The same query
// with the row's columns (QueryParts::row) re-reads stored repositories for --refresh. The query
// text is rendered from one small tree of fields, and the cost is computed from the
// same tree, so a change to the query keeps its cost right.
#ifndef GH_INGEST_CORE_GRAPHQL_QUERY_H_
#define GH_INGEST_CORE_GRAPHQL_QUERY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/details_fetcher.h"
#include "core/repository.h"

namespace gh {

// nodes(ids:) takes at most 100 ids; a query asks for no more repositories than that.
inline constexpr std::size_t kGraphqlMaxRepositories = 100;

// The GraphQL endpoint of a REST base URL: https://api.github.com → …/graphql, GitHub
// Enterprise https://host/api/v3 → https://host/api/graphql, anything else (the
// simulator) → base + "/graphql". Trailing slashes are ignored.
std::string graphql_url(std::string_view rest_base_url);

// The README files the query reads by name (`alias: object(expression: "HEAD:path")`).
struct ReadmeAlias {
  std::string_view alias;
  std::string_view path;
};
inline constexpr std::array<ReadmeAlias, 7> kReadmeAliases{{
    {"readme_md", "README.md"},
    {"readme_lower_md", "readme.md"},
    {"readme_plain", "README"},
    {"readme_rst", "README.rst"},
    {"readme_txt", "README.txt"},
    {"readme_docs", "docs/README.md"},
    {"readme_github", ".github/README.md"},
}};
// Whether an alias reads a file of the root tree (the others: .github/, docs/).
bool in_root(const ReadmeAlias& alias);

// The parts of the selection a DetailSet needs. databaseId and watchers always; the
// root tree and the README aliases for a README, and for the community profile (whose
// "readme" signal needs to know whether there is one: the root tree, and the .github/
// and docs/ lookups, since those count only when the root has none).
struct QueryParts {
  bool languages = false;
  bool community = false;
  bool root_tree = false;
  bool root_readmes = false;    // the README aliases of the root tree
  bool nested_readmes = false;  // .github/README.md, docs/README.md
  // Every column of the stored row, as the REST repository object gives it (--refresh
  // re-reads stored repositories this way, 100 per query, about a point).
  bool row = false;
};
QueryParts query_parts(const DetailSet& wanted, bool row = false);

struct DetailsQuery {
  std::string body;       // the POST body: {"query": "...", "variables": {...}}
  std::int64_t cost = 1;  // points GitHub charges for it (estimate_cost)
  QueryParts parts;
  // nodes[i] of the answer is repos[node_of[i]]; repositories without a node_id are
  // asked by alias, "r<index in repos>".
  std::vector<std::size_t> node_of;
  std::vector<std::size_t> aliased;
};

// The details query for `count` repositories from `repos` (at most
// kGraphqlMaxRepositories); indexes in the query are relative to `repos`.
DetailsQuery build_details_query(const Repository* repos, std::size_t count,
                                 const DetailSet& wanted, bool row = false);
inline DetailsQuery build_details_query(const std::vector<Repository>& repos,
                                        const DetailSet& wanted, bool row = false) {
  return build_details_query(repos.data(), repos.size(), wanted, row);
}

// GitHub's cost of the details query with `nodes` repositories asked by node id and
// `aliased` asked by repository(owner:, name:): the sum over every connection of the
// product of the first/last of its enclosing connections, / 100, rounded, at least 1.
std::int64_t estimate_cost(const DetailSet& wanted, std::size_t nodes, std::size_t aliased,
                           bool row = false);

// `text` as the body of a GraphQL string literal (no quotes): `"`, `\` and control
// characters escaped.
std::string graphql_escape(std::string_view text);
// `text` as the body of a JSON string (no quotes).
std::string json_escape(std::string_view text);

}  // namespace gh

#endif  // GH_INGEST_CORE_GRAPHQL_QUERY_H_
