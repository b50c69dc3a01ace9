#include "core/details_fetcher.h"

#include <utility>

#include "core/search_runner.h"

namespace gh {
namespace {

std::string repo_path(const Repository& repo, const char* endpoint) {
  return "/repos/" + percent_encode(repo.owner) + "/" + percent_encode(repo.name) + endpoint;
}

ApiCall core_call(std::string path, const std::string& etag, const char* accept = kAcceptJson) {
  ApiCall call;
  call.resource = "core";
  call.url = std::move(path);
  call.etag = etag;
  call.accept = accept;
  return call;
}

// One endpoint: its state, or the failure that ends the whole fetch (set in `report`).
DetailState fetch_one(GitHubApi& api, const ApiCall& call, const GitHubApi::Parse& parse,
                      bool gone_means_absent, std::string& etag_out, DetailReport& report) {
  const ApiResult sent = api.send(call, parse);
  report.requests += sent.attempts;
  switch (sent.status) {
    case ApiStatus::ok:
      etag_out = api.response().etag;
      return DetailState::fetched;
    case ApiStatus::not_modified:
      etag_out = call.etag;
      return DetailState::unchanged;
    case ApiStatus::gone:
      if (gone_means_absent) return DetailState::absent;
      [[fallthrough]];
    default:
      report.status = sent.status;
      report.error = sent.error;
      return DetailState::not_requested;
  }
}

}  // namespace

const char* to_string(DetailState state) {
  switch (state) {
    case DetailState::not_requested:
      return "not_requested";
    case DetailState::fetched:
      return "fetched";
    case DetailState::unchanged:
      return "unchanged";
    case DetailState::absent:
      return "absent";
  }
  return "unknown";
}

DetailState fetch_readme(GitHubApi& api, Repository& repo, DetailReport& report,
                         const std::string& known_etag) {
  // The raw media type: the README's bytes, no base64 JSON around them.
  const DetailState state =
      fetch_one(api, core_call(repo_path(repo, "/readme"), known_etag, kAcceptRaw), nullptr, true,
                report.etags.readme, report);
  if (state == DetailState::fetched) repo.readme = std::string(api.response().body.view());
  return state;
}

ApiStatus fetch_repository_by_id(GitHubApi& api, GitHubJson& json, std::int64_t id,
                                 const std::string& known_etag, Repository& repo, std::string& etag,
                                 std::string& error) {
  const ApiResult sent =
      api.send(core_call("/repositories/" + std::to_string(id), known_etag),
               [&](const HttpResponse& r) { return json.repository(r.body.padded(), repo); });
  if (sent.status == ApiStatus::ok) etag = api.response().etag;
  if (sent.status == ApiStatus::not_modified) etag = known_etag;
  error = sent.error;
  return sent.status;
}

DetailReport fetch_details(GitHubApi& api, GitHubJson& json, Repository& repo,
                           const DetailSet& wanted, const DetailEtags& known) {
  DetailReport report;
  // Languages first: the cheapest answer, and a 404 there means the repository is gone.
  if (wanted.languages) {
    LanguageBytes languages;
    report.languages = fetch_one(
        api, core_call(repo_path(repo, "/languages"), known.languages),
        [&](const HttpResponse& r) { return json.languages(r.body.padded(), languages); }, false,
        report.etags.languages, report);
    if (report.status != ApiStatus::ok) return report;
    if (report.languages == DetailState::fetched) repo.languages = std::move(languages);
  }
  if (wanted.readme) {
    report.readme = fetch_readme(api, repo, report, known.readme);
    if (report.status != ApiStatus::ok) return report;
  }
  if (wanted.community) {
    CommunityProfile profile;
    report.community = fetch_one(
        api, core_call(repo_path(repo, "/community/profile"), known.community),
        [&](const HttpResponse& r) { return json.community_profile(r.body.padded(), profile); },
        true, report.etags.community, report);
    if (report.status != ApiStatus::ok) return report;
    if (report.community == DetailState::fetched) repo.community = profile;
  }
  return report;
}

}  // namespace gh
