// The details of many repositories in one GraphQL query per 100 (graphql_query.h),
// paid in points from the graphql bucket, instead of up to three REST requests per
// repository. Fills the same fields as fetch_details (details_fetcher.h) and reports in
// the same terms, plus repo.watchers. A README whose name no alias of the query asked
// for is fetched over REST (GET /repos/{o}/{r}/readme), for that repository only.
#ifndef GH_INGEST_CORE_GRAPHQL_DETAILS_H_
#define GH_INGEST_CORE_GRAPHQL_DETAILS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/batch_sizer.h"
#include "core/details_fetcher.h"
#include "core/github_api.h"
#include "core/graphql_response.h"
#include "core/repository.h"

namespace gh {

struct GraphqlDetailsResult {
  // ok when every query was answered (and no stop or token loss came during the REST
  // README fallbacks); otherwise the first failure (failed, rejected, stopped,
  // no_token) and its one-line error. Each report says what became of its repository
  // either way.
  ApiStatus status = ApiStatus::ok;
  std::string error;
  std::vector<DetailReport> reports;  // one per repository, in the same order
  int requests = 0;          // everything sent: GraphQL queries (retries included) and REST
  int graphql_requests = 0;  // of which GraphQL queries
  std::int64_t points = 0;   // charged, as the answers' rateLimit.cost said
};

// Fills repo.languages / repo.readme / repo.community (health_percentage computed from
// the signals and repo.description) / repo.watchers of every repository in `repos`, for
// the details in `wanted`. A repository's report is ok (its fields filled, states
// fetched or absent; `requests` counts its REST fallback only), gone (NOT_FOUND: it no
// longer exists) or failed / rejected / stopped / no_token (no details kept). Repositories without
// node_id are looked up by owner/name.
//
// Queries carry at most `lease.size` repositories (no lease: sizer.size()), the lease
// released at the end; a query that fails is split in halves down to single
// repositories, so a failure is one repository's, never its batch's, and the sizer
// learns the size GitHub answers in time (batch_sizer.h).
GraphqlDetailsResult fetch_details_graphql(GitHubApi& api, GraphqlResponseParser& parser,
                                           const std::string& graphql_url,
                                           std::vector<Repository>& repos, const DetailSet& wanted,
                                           BatchSizer& sizer, BatchLease lease = {});

// The same, reading every column of each repository's row too (--refresh through
// GraphQL): each ok repository is replaced by GitHub's current view of it (node_id,
// full_name, stars, ..., open_issues counting open pull requests as REST does), plus the
// details in `wanted` (none: the columns alone, a light query). `repos` need id and
// node_id, or id, owner and name (rows stored without a node id).
GraphqlDetailsResult reread_repositories_graphql(GitHubApi& api, GraphqlResponseParser& parser,
                                                 const std::string& graphql_url,
                                                 std::vector<Repository>& repos,
                                                 const DetailSet& wanted, BatchSizer& sizer,
                                                 BatchLease lease = {});

// Where a repository's README is, from its answer (the contract's README rule).
struct ReadmeFinding {
  bool exists = false;                // the community profile's "readme" signal
  const std::string* text = nullptr;  // when an alias of the query brought it
  bool ask_rest = false;              // it exists, no alias brought it: GET .../readme
};
ReadmeFinding find_readme(const RepositoryAnswer& answer, const QueryParts& parts);

// round(100 * signals / 7), as GitHub's community profile computes it.
std::int64_t health_percentage(const CommunityProfile& profile, bool has_description);

}  // namespace gh

#endif  // GH_INGEST_CORE_GRAPHQL_DETAILS_H_
