// The per-repository details the caller asked for, from the core bucket: languages
// (bytes per language), the README (raw text) and the community profile. A stored ETag
// makes an unchanged answer a free 304. A repository that disappeared since the search
// (404/451 on its languages) is reported gone; a repository without a README or a
// community profile simply has none.
#ifndef GH_INGEST_CORE_DETAILS_FETCHER_H_
#define GH_INGEST_CORE_DETAILS_FETCHER_H_

#include <string>

#include "core/github_api.h"
#include "core/github_json.h"
#include "core/repository.h"

namespace gh {

struct DetailSet {
  bool languages = false;
  bool readme = false;
  bool community = false;
  bool any() const { return languages || readme || community; }
};

// ETags by endpoint: known ones are sent (If-None-Match), new ones returned.
struct DetailEtags {
  std::string repository;  // GET /repositories/{id}, for --refresh
  std::string languages;
  std::string readme;
  std::string community;
};

enum class DetailState {
  not_requested,
  fetched,    // the field on the Repository holds GitHub's answer
  unchanged,  // 304: what the caller stored is still right (the field stays empty)
  absent,     // the repository has none (no README, no community profile)
};
const char* to_string(DetailState state);

struct DetailReport {
  ApiStatus status = ApiStatus::ok;  // ok, gone, failed, rejected, stopped, no_token
  std::string error;                 // one line when status is not ok
  DetailState languages = DetailState::not_requested;
  DetailState readme = DetailState::not_requested;
  DetailState community = DetailState::not_requested;
  DetailEtags etags;  // the ETags of this run's answers (the known one after a 304)
  int requests = 0;
  bool refreshed = false;  // a stored repository re-checked (counts for no limit)
};

// GET /repos/{o}/{r}/readme with the raw media type: fills repo.readme with its bytes.
// A 404 is `absent`. Adds its requests to `report`, sets report.etags.readme, and on a
// failure sets report.status / report.error (the state is then not_requested).
DetailState fetch_readme(GitHubApi& api, Repository& repo, DetailReport& report,
                         const std::string& known_etag = {});

// GET /repositories/{id} (by id: it follows renames and transfers) with the stored ETag:
// ok fills `repo` and `etag`; not_modified (free) means nothing in the repository changed,
// its details included, since any push changes pushed_at; gone is 404/451.
ApiStatus fetch_repository_by_id(GitHubApi& api, GitHubJson& json, std::int64_t id,
                                 const std::string& known_etag, Repository& repo, std::string& etag,
                                 std::string& error);

// Fills repo.languages / repo.readme / repo.community for the details in `wanted`.
DetailReport fetch_details(GitHubApi& api, GitHubJson& json, Repository& repo,
                           const DetailSet& wanted, const DetailEtags& known = {});

}  // namespace gh

#endif  // GH_INGEST_CORE_DETAILS_FETCHER_H_
