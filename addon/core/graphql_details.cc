#include "core/graphql_details.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "core/http_client.h"

namespace gh {
namespace {

// /^readme(\..*)?$/i
bool is_readme_name(std::string_view name) {
  constexpr std::string_view kReadme = "readme";
  if (name.size() < kReadme.size() || !ascii::iequals(name.substr(0, kReadme.size()), kReadme)) {
    return false;
  }
  return name.size() == kReadme.size() || name[kReadme.size()] == '.';
}

std::size_t alias_of(std::string_view path) {
  for (std::size_t i = 0; i < kReadmeAliases.size(); ++i) {
    if (kReadmeAliases[i].path == path) return i;
  }
  return kReadmeAliases.size();
}

// Every report of repos [first, end) that is still ok ends with `status`.
void fail_all(GraphqlDetailsResult& result, std::size_t first, std::size_t end, ApiStatus status,
              const std::string& error) {
  for (std::size_t i = first; i < end; ++i) {
    DetailReport& report = result.reports[i];
    if (report.status != ApiStatus::ok) continue;
    report = DetailReport{};
    report.status = status;
    report.error = error;
  }
  if (result.status == ApiStatus::ok) {
    result.status = status;
    result.error = error;
  }
}

// A repository whose details could not all be fetched: none of them are kept.
void drop_details(Repository& repo, DetailReport& report, ApiStatus status,
                  const std::string& error) {
  repo.languages.reset();
  repo.readme.reset();
  repo.community.reset();
  const int requests = report.requests;
  report = DetailReport{};
  report.status = status;
  report.error = error;
  report.requests = requests;
}

// Fills one answered repository; false when the answer is about another repository.
bool fill(Repository& repo, const RepositoryAnswer& answer, const QueryParts& parts,
          const DetailSet& wanted, DetailReport& report, ReadmeFinding& readme) {
  if (answer.database_id) {
    if (repo.id == 0) repo.id = *answer.database_id;
    if (repo.id != *answer.database_id) {
      report.status = ApiStatus::failed;
      report.error = "GraphQL answered for repository id " + std::to_string(*answer.database_id) +
                     ", not " + std::to_string(repo.id);
      return false;
    }
  }
  if (parts.row) {
    // Every column again, as GitHub has it now; the details below are added to it.
    Repository fresh = answer.row;
    fresh.id = repo.id;
    fresh.open_issues += answer.open_pull_requests;  // REST's open_issues_count
    if (std::string missing = missing_repository_field(fresh); !missing.empty()) {
      report.status = ApiStatus::failed;
      report.error = "GraphQL answered repository " + std::to_string(repo.id) + " without its " +
                     missing;
      return false;
    }
    repo = std::move(fresh);
  }
  if (answer.watchers) repo.watchers = answer.watchers;
  if (wanted.languages) {
    repo.languages = answer.languages;
    report.languages = DetailState::fetched;
  }
  readme = find_readme(answer, parts);
  if (wanted.community) {
    CommunityProfile profile;
    profile.code_of_conduct = answer.code_of_conduct;
    profile.contributing = answer.contributing;
    profile.issue_template = answer.issue_template;
    profile.pull_request_template = answer.pull_request_template;
    profile.license = answer.license;
    profile.readme = readme.exists;
    profile.health_percentage =
        health_percentage(profile, repo.description && !repo.description->empty());
    repo.community = profile;
    report.community = DetailState::fetched;
  }
  if (wanted.readme) {
    if (readme.text) {
      repo.readme = *readme.text;
      report.readme = DetailState::fetched;
    } else if (!readme.ask_rest) {
      report.readme = DetailState::absent;
    }
    // ask_rest: decided by the REST fallback, after the whole batch is filled.
  }
  return true;
}

// Whether a failed query failed the way GitHub's 10-second limit ends one: a 502/504
// from its gateway (HTML or JSON), "Something went wrong while executing your query.
// This may be the result of a timeout" (also seen with HTTP 200 and no data), or an
// answer that never came or stopped halfway.
bool looks_like_timeout(const ApiResult& sent) {
  if (sent.http_status == 502 || sent.http_status == 504) return true;
  switch (sent.transport) {
    case TransportError::timeout:
    case TransportError::connection_lost:
    case TransportError::truncated:
      return true;
    default:
      break;
  }
  return ascii::icontains(sent.body_error, "something went wrong while executing your query") ||
         ascii::icontains(sent.body_error, "timeout");
}

// One details fetch: the repositories, what is wanted, and where the answers go.
struct Fetch {
  GitHubApi& api;
  GraphqlResponseParser& parser;
  const std::string& url;
  std::vector<Repository>& repos;
  const DetailSet& wanted;
  BatchSizer& sizer;
  bool row;  // re-read every column too (--refresh)
  GraphqlDetailsResult& result;
  std::vector<std::size_t> rest_readmes;
  bool over = false;  // stopped, or no token left: nothing more is sent
};

// One query for repos [first, first + count): true when it was answered (each
// repository's own verdict is in its report), false with `sent` saying why not.
bool send_query(Fetch& f, std::size_t first, std::size_t count, int max_failures,
                ApiResult& sent) {
  DetailsQuery query = build_details_query(f.repos.data() + first, count, f.wanted, f.row);
  ApiCall call;
  call.resource = "graphql";
  call.url = f.url;
  call.method = "POST";
  call.body = std::move(query.body);
  call.cost = query.cost;
  call.max_failures = max_failures;

  DetailsAnswer answer;
  DetailsVerdict verdict;
  sent = f.api.send_checked(call, [&](const HttpResponse& response) {
    const JsonStatus parsed = f.parser.details(response.body.padded(), query, answer);
    if (!parsed.ok()) return BodyVerdict{Outcome::malformed, parsed.error};
    verdict = classify(answer, query);
    return BodyVerdict{verdict.outcome, verdict.error};
  });
  f.result.requests += sent.attempts;
  f.result.graphql_requests += sent.attempts;
  if (sent.status != ApiStatus::ok) return false;
  f.result.points += answer.rate_limit.cost;

  for (std::size_t i = 0; i < count; ++i) {
    DetailReport& report = f.result.reports[first + i];
    const RepositoryVerdict& repo_verdict = verdict.repos[i];
    if (repo_verdict.status != ApiStatus::ok) {
      report.status = repo_verdict.status;
      report.error = "GraphQL " + repo_verdict.error;
      continue;
    }
    ReadmeFinding readme;
    if (fill(f.repos[first + i], answer.repos[i], query.parts, f.wanted, report, readme) &&
        f.wanted.readme && readme.ask_rest) {
      f.rest_readmes.push_back(first + i);
    }
  }
  return true;
}

// repos [first, first + count) in one query. A query that fails is split in halves, each sent on its own, down to single repositories: a
// timeout is usually the size of the query, and one repository that GitHub cannot
// serve must not take its batch-mates with it. Only when both halves of a failed query
// are answered in full was the failure the size: then the sizer learns it (a broken
// repository in a batch teaches it nothing). True when every repository was answered.
bool fetch_range(Fetch& f, std::size_t first, std::size_t count) {
  if (f.over || count == 0) return true;
  ApiResult sent;
  // Many repositories: a timeout or a server error splits the query at once (the same
  // heavy query sent again would only time out again). One repository: a couple of
  // tries, then the caller's other API. Other failures (an answer that does not parse)
  // get the usual retries first.
  if (send_query(f, first, count, count > 1 ? 1 : 2, sent)) {
    f.sizer.succeeded(count);
    return true;
  }
  auto splittable = [&] {
    return sent.status == ApiStatus::failed &&
           (looks_like_timeout(sent) || sent.last_outcome == Outcome::server_error);
  };
  if (sent.status == ApiStatus::failed && !splittable() && send_query(f, first, count, 0, sent)) {
    f.sizer.succeeded(count);
    return true;
  }
  const bool timeout = looks_like_timeout(sent);
  if (sent.status == ApiStatus::stopped || sent.status == ApiStatus::no_token) {
    f.over = true;
    fail_all(f.result, first, f.repos.size(), sent.status, sent.error);
    return false;
  }
  if (count == 1 || !splittable()) {
    // A lone repository GitHub cannot serve here, or a failure every part of the query
    // would meet again (the query refused as asked, answers that never parse): each
    // repository's report says so, and the caller may try another way.
    fail_all(f.result, first, first + count, sent.status,
             timeout ? sent.error + " (GitHub's 10-second limit, it seems)" : sent.error);
    return false;
  }
  const std::size_t half = count / 2;
  const bool lower = fetch_range(f, first, half);
  const bool upper = fetch_range(f, first + half, count - half);
  if (lower && upper && timeout) f.sizer.timed_out(count);
  return lower && upper;
}

}  // namespace

ReadmeFinding find_readme(const RepositoryAnswer& answer, const QueryParts& parts) {
  ReadmeFinding finding;
  if (!answer.has_root) return finding;  // an empty repository: no files at all
  // In the root: the first README whose text an alias brought, in the aliases' order.
  bool in_root = false;
  std::size_t best = kReadmeAliases.size();
  for (const TreeEntry& entry : answer.root_entries) {
    if (entry.type != "blob" || !is_readme_name(entry.name)) continue;
    in_root = true;
    const std::size_t alias = alias_of(entry.name);
    if (alias < best && answer.readme_text[alias]) best = alias;
  }
  if (in_root) {
    finding.exists = true;
    if (best < kReadmeAliases.size()) {
      finding.text = &*answer.readme_text[best];
    } else {
      finding.ask_rest = parts.root_readmes;
    }
    return finding;
  }
  // Else .github/README.md, then docs/README.md: GitHub's order of precedence.
  for (std::string_view path : {".github/README.md", "docs/README.md"}) {
    const std::size_t alias = alias_of(path);
    if (!answer.readme_blob[alias]) continue;
    finding.exists = true;
    if (answer.readme_text[alias]) finding.text = &*answer.readme_text[alias];
    return finding;
  }
  return finding;
}

std::int64_t health_percentage(const CommunityProfile& profile, bool has_description) {
  const int signals = int{has_description} + int{profile.readme} + int{profile.code_of_conduct} +
                      int{profile.contributing} + int{profile.license} +
                      int{profile.issue_template} + int{profile.pull_request_template};
  return (200 * signals + 7) / 14;  // round(100 * signals / 7); never exactly half
}

namespace {

GraphqlDetailsResult fetch_graphql(GitHubApi& api, GraphqlResponseParser& parser,
                                   const std::string& graphql_url, std::vector<Repository>& repos,
                                   const DetailSet& wanted, bool row, BatchSizer& sizer,
                                   BatchLease lease) {
  GraphqlDetailsResult result;
  result.reports.resize(repos.size());
  if (!wanted.any() && !row) {
    sizer.release(lease);
    return result;
  }
  if (lease.size == 0) lease = {sizer.size(), false};
  // A trial size is tried by one full query of it; fewer repositories say nothing.
  if (lease.trial && repos.size() < lease.size) {
    sizer.release(lease);
    lease = {sizer.size(), false};
  }

  Fetch fetch{api, parser, graphql_url, repos, wanted, sizer, row, result, {}, false};
  for (std::size_t first = 0; first < repos.size() && !fetch.over; first += lease.size) {
    fetch_range(fetch, first, std::min(lease.size, repos.size() - first));
  }
  // Settled by the query's answer, unless its outcome said nothing about the size.
  sizer.release(lease);
  std::vector<std::size_t>& rest_readmes = fetch.rest_readmes;
  if (fetch.over) {
    for (std::size_t i : rest_readmes) {
      drop_details(repos[i], result.reports[i], result.status, result.error);
    }
    return result;
  }

  for (std::size_t n = 0; n < rest_readmes.size(); ++n) {
    const std::size_t i = rest_readmes[n];
    DetailReport& report = result.reports[i];
    const int before = report.requests;
    report.readme = fetch_readme(api, repos[i], report);
    result.requests += report.requests - before;
    if (report.status == ApiStatus::ok) continue;
    // The README failed: the repository's other details are dropped with it, as
    // fetch_details does, so the caller treats it as one failed repository. Only a
    // stop or the loss of every token ends the others' fallbacks too.
    const ApiStatus status = report.status;
    const std::string error = report.error;
    drop_details(repos[i], report, status, error);
    if (status == ApiStatus::stopped || status == ApiStatus::no_token) {
      for (std::size_t rest = n + 1; rest < rest_readmes.size(); ++rest) {
        drop_details(repos[rest_readmes[rest]], result.reports[rest_readmes[rest]], status, error);
      }
      if (result.status == ApiStatus::ok) {
        result.status = status;
        result.error = error;
      }
      break;
    }
  }
  return result;
}

}  // namespace

GraphqlDetailsResult fetch_details_graphql(GitHubApi& api, GraphqlResponseParser& parser,
                                           const std::string& graphql_url,
                                           std::vector<Repository>& repos, const DetailSet& wanted,
                                           BatchSizer& sizer, BatchLease lease) {
  return fetch_graphql(api, parser, graphql_url, repos, wanted, false, sizer, lease);
}

GraphqlDetailsResult reread_repositories_graphql(GitHubApi& api, GraphqlResponseParser& parser,
                                                 const std::string& graphql_url,
                                                 std::vector<Repository>& repos,
                                                 const DetailSet& wanted, BatchSizer& sizer,
                                                 BatchLease lease) {
  return fetch_graphql(api, parser, graphql_url, repos, wanted, true, sizer, lease);
}

}  // namespace gh
