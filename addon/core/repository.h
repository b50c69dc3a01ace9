// A repository as the engine hands it on: exactly what the schema and the enrichment
// need, copied out of the parser's buffers (a string_view dies at the next parse).
#ifndef GH_INGEST_CORE_REPOSITORY_H_
#define GH_INGEST_CORE_REPOSITORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gh {

// GET /repos/{owner}/{repo}/community/profile, reduced to its signals.
struct CommunityProfile {
  std::optional<std::int64_t> health_percentage;
  bool code_of_conduct = false;
  bool contributing = false;
  bool issue_template = false;
  bool pull_request_template = false;
  bool license = false;
  bool readme = false;
};

// Language name and bytes of code, in GitHub's order (largest first).
using LanguageBytes = std::vector<std::pair<std::string, std::int64_t>>;

struct Repository {
  std::int64_t id = 0;
  std::string node_id;  // for GraphQL nodes(ids:)
  std::string full_name;
  std::string owner;
  std::string name;
  std::optional<std::string> description;
  std::string html_url;
  std::optional<std::string> homepage;  // null or empty on GitHub both mean none
  std::optional<std::string> language;
  std::vector<std::string> topics;
  std::optional<std::string> license;  // SPDX id
  std::int64_t stars = 0;
  std::int64_t forks = 0;
  std::int64_t open_issues = 0;
  // Watchers proper (subscribers_count) come only with the repository's own endpoint;
  // search results repeat the star count as watchers_count, which is not kept.
  std::optional<std::int64_t> watchers;
  std::optional<std::int64_t> size_kb;
  std::optional<std::string> default_branch;
  bool is_fork = false;
  bool is_archived = false;
  std::optional<std::string> created_at;  // ISO 8601, as GitHub sends them
  std::optional<std::string> pushed_at;
  std::optional<std::string> updated_at;

  // Details, present only when fetched.
  std::optional<LanguageBytes> languages;
  std::optional<std::string> readme;
  std::optional<CommunityProfile> community;
};

struct SearchPage {
  std::int64_t total_count = 0;
  bool incomplete_results = false;
  std::vector<Repository> items;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_REPOSITORY_H_
