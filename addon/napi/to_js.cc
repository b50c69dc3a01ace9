#include "napi/to_js.h"

#include <optional>

namespace gh::napi {
namespace {

Napi::Value Str(Napi::Env env, const std::optional<std::string>& text) {
  return text ? Napi::String::New(env, *text) : env.Null();
}

Napi::Value Num(Napi::Env env, std::int64_t n) {
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value Num(Napi::Env env, const std::optional<std::int64_t>& n) {
  return n ? Num(env, *n) : env.Null();
}

Napi::Array Strings(Napi::Env env, const std::vector<std::string>& items) {
  Napi::Array array = Napi::Array::New(env, items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    array.Set(static_cast<uint32_t>(i), Napi::String::New(env, items[i]));
  }
  return array;
}

Napi::Array GroupNames(Napi::Env env, const std::vector<std::size_t>& indexes,
                       const std::vector<EngineGroup>& groups) {
  Napi::Array names = Napi::Array::New(env, indexes.size());
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    names.Set(static_cast<uint32_t>(i), groups.at(indexes[i]).name);
  }
  return names;
}

}  // namespace

Napi::Object ToJs(Napi::Env env, const Repository& repo, const DetailReport& details) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Num(env, repo.id));
  o.Set("node_id", repo.node_id);
  o.Set("full_name", repo.full_name);
  o.Set("owner", repo.owner);
  o.Set("name", repo.name);
  o.Set("description", Str(env, repo.description));
  o.Set("html_url", repo.html_url);
  o.Set("homepage", Str(env, repo.homepage));
  o.Set("language", Str(env, repo.language));
  if (repo.languages) {
    Napi::Object languages = Napi::Object::New(env);
    for (const auto& [name, bytes] : *repo.languages) languages.Set(name, Num(env, bytes));
    o.Set("languages", languages);
  } else {
    o.Set("languages", env.Null());
  }
  o.Set("topics", Strings(env, repo.topics));
  o.Set("license", Str(env, repo.license));
  o.Set("stars", Num(env, repo.stars));
  o.Set("forks", Num(env, repo.forks));
  o.Set("watchers", Num(env, repo.watchers));
  o.Set("open_issues", Num(env, repo.open_issues));
  o.Set("size_kb", Num(env, repo.size_kb));
  o.Set("default_branch", Str(env, repo.default_branch));
  o.Set("is_fork", Napi::Boolean::New(env, repo.is_fork));
  o.Set("is_archived", Napi::Boolean::New(env, repo.is_archived));
  o.Set("created_at", Str(env, repo.created_at));
  o.Set("pushed_at", Str(env, repo.pushed_at));
  o.Set("updated_at", Str(env, repo.updated_at));
  o.Set("readme", Str(env, repo.readme));
  if (repo.community) {
    const CommunityProfile& c = *repo.community;
    Napi::Object community = Napi::Object::New(env);
    community.Set("health_percentage", Num(env, c.health_percentage));
    community.Set("code_of_conduct", Napi::Boolean::New(env, c.code_of_conduct));
    community.Set("contributing", Napi::Boolean::New(env, c.contributing));
    community.Set("issue_template", Napi::Boolean::New(env, c.issue_template));
    community.Set("pull_request_template", Napi::Boolean::New(env, c.pull_request_template));
    community.Set("license", Napi::Boolean::New(env, c.license));
    community.Set("readme", Napi::Boolean::New(env, c.readme));
    o.Set("community", community);
  } else {
    o.Set("community", env.Null());
  }
  // What the details are (fetched, unchanged = 304, absent, not_requested) and their
  // ETags, for the next --refresh.
  Napi::Object states = Napi::Object::New(env);
  states.Set("languages", to_string(details.languages));
  states.Set("readme", to_string(details.readme));
  states.Set("community", to_string(details.community));
  o.Set("details", states);
  Napi::Object etags = Napi::Object::New(env);
  if (details.refreshed) {
    o.Set("refreshed", Napi::Boolean::New(env, true));
    etags.Set("repository", details.etags.repository);
  }
  etags.Set("languages", details.etags.languages);
  etags.Set("readme", details.etags.readme);
  etags.Set("community", details.etags.community);
  o.Set("etags", etags);
  return o;
}

Napi::Object ToJs(Napi::Env env, const Batch& batch, const std::vector<EngineGroup>& groups) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", Num(env, static_cast<std::int64_t>(batch.id)));
  o.Set("cluster", groups.at(batch.group).name);
  Napi::Array repos = Napi::Array::New(env, batch.repositories.size());
  for (std::size_t i = 0; i < batch.repositories.size(); ++i) {
    Napi::Object repo = ToJs(env, batch.repositories[i], batch.details[i]);
    if (i < batch.finders.size())
      repo.Set("clusters_found", GroupNames(env, batch.finders[i], groups));
    repos.Set(static_cast<uint32_t>(i), repo);
  }
  o.Set("repositories", repos);
  // Re-checked stored repositories: unchanged (304) and gone since (404/451).
  auto ids = [&](const std::vector<std::int64_t>& list) {
    Napi::Array a = Napi::Array::New(env, list.size());
    for (std::size_t i = 0; i < list.size(); ++i)
      a.Set(static_cast<uint32_t>(i), Num(env, list[i]));
    return a;
  };
  o.Set("unchanged", ids(batch.unchanged));
  o.Set("gone", ids(batch.gone));
  return o;
}

Napi::Object ToJs(Napi::Env env, const EngineEvent& event, const std::vector<EngineGroup>& groups) {
  static constexpr const char* kKinds[] = {"progress", "pool", "warning", "error"};
  static constexpr const char* kPoolKinds[] = {"waiting", "exhausted", "paused", "retired",
                                               "resumed"};
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", kKinds[static_cast<int>(event.kind)]);
  o.Set("cluster", event.group ? Napi::Value(Napi::String::New(env, groups.at(*event.group).name))
                               : env.Null());
  o.Set("message", event.message);
  if (event.pool_event) {
    const PoolEvent& p = *event.pool_event;
    o.Set("pool", kPoolKinds[static_cast<int>(p.kind)]);
    o.Set("token", "Token #" + std::to_string(p.token + 1));
    o.Set("resource", p.resource);
    o.Set("until", Num(env, to_epoch_seconds(p.until)));
  }
  return o;
}

Napi::Object ToJs(Napi::Env env, const EngineResult& result,
                  const std::vector<EngineGroup>& groups) {
  Napi::Object o = Napi::Object::New(env);
  // [{id, clusters}]: every cluster that found a repository whose stored row lists fewer.
  Napi::Array late = Napi::Array::New(env, result.late_finders.size());
  for (std::size_t i = 0; i < result.late_finders.size(); ++i) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("id", Num(env, result.late_finders[i].first));
    entry.Set("clusters", GroupNames(env, result.late_finders[i].second, groups));
    late.Set(static_cast<uint32_t>(i), entry);
  }
  o.Set("lateFinders", late);
  o.Set("ok", Napi::Boolean::New(env, result.ok));
  o.Set("stopped", Napi::Boolean::New(env, result.stopped));
  o.Set("error", result.error.empty() ? env.Null() : Napi::String::New(env, result.error));
  o.Set("batches", Num(env, static_cast<std::int64_t>(result.batches)));
  o.Set("retried", Num(env, static_cast<std::int64_t>(result.retried)));
  o.Set("graphqlQueries", Num(env, static_cast<std::int64_t>(result.graphql_queries)));
  o.Set("graphqlPoints", Num(env, result.graphql_points));
  Napi::Object refresh = Napi::Object::New(env);
  refresh.Set("changed", Num(env, result.refresh.changed));
  refresh.Set("unchanged", Num(env, result.refresh.unchanged));
  refresh.Set("gone", Num(env, result.refresh.gone));
  refresh.Set("failed", Num(env, result.refresh.failed));
  o.Set("refresh", refresh);
  Napi::Object clusters = Napi::Object::New(env);
  for (const GroupResult& g : result.groups) {
    Napi::Object c = Napi::Object::New(env);
    c.Set("limit", Num(env, g.limit));
    c.Set("delivered", Num(env, g.delivered));
    c.Set("full", Napi::Boolean::New(env, g.full));
    c.Set("exhausted", Napi::Boolean::New(env, g.exhausted));
    c.Set("unreachable", Num(env, g.unreachable));
    c.Set("lost", Num(env, g.lost));
    c.Set("failedSearches", Num(env, g.failed_searches));
    clusters.Set(g.name, c);
  }
  o.Set("clusters", clusters);
  // [{id, nodeId, fullName, cluster, clusters, error, attempts}]: claimed, not fetched.
  Napi::Array pending = Napi::Array::New(env, result.pending.size());
  for (std::size_t i = 0; i < result.pending.size(); ++i) {
    const PendingRepository& p = result.pending[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("id", Num(env, p.id));
    entry.Set("nodeId", p.node_id.empty() ? env.Null() : Napi::String::New(env, p.node_id));
    entry.Set("fullName", p.full_name.empty() ? env.Null() : Napi::String::New(env, p.full_name));
    entry.Set("cluster", groups[p.group].name);
    entry.Set("clusters", GroupNames(env, p.finders, groups));
    entry.Set("error", p.error);
    entry.Set("attempts", Num(env, p.attempts));
    pending.Set(static_cast<uint32_t>(i), entry);
  }
  o.Set("pending", pending);
  // [{cluster, query, range, error}]: search ranges whose requests failed after retries.
  Napi::Array searches = Napi::Array::New(env, result.failed_searches.size());
  for (std::size_t i = 0; i < result.failed_searches.size(); ++i) {
    const FailedSearch& f = result.failed_searches[i];
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("cluster", groups[f.group].name);
    entry.Set("query", f.query);
    entry.Set("range", f.range_query);
    entry.Set("error", f.error);
    searches.Set(static_cast<uint32_t>(i), entry);
  }
  o.Set("pendingSearches", searches);
  o.Set("owedGone", Num(env, result.owed_gone));
  // --coordinate: repositories left to the host that claimed them first, and queries
  // another host ran.
  o.Set("claimedElsewhere", Num(env, result.claimed_elsewhere));
  o.Set("queriesElsewhere", Num(env, result.queries_elsewhere));
  o.Set("offered", Num(env, result.offered));
  o.Set("adoptedOffered", Num(env, result.adopted_offered));
  o.Set("searchRechecks", Num(env, result.search_rechecks));
  o.Set("searchRecheckFound", Num(env, result.search_recheck_found));
  o.Set("searchShort", Num(env, result.search_short));
  Napi::Object batches = Napi::Object::New(env);
  batches.Set("size", Num(env, static_cast<std::int64_t>(result.graphql_batches.size)));
  batches.Set("smallest", Num(env, static_cast<std::int64_t>(result.graphql_batches.smallest)));
  batches.Set("timeouts", Num(env, result.graphql_batches.timeouts));
  batches.Set("shrinks", Num(env, result.graphql_batches.shrinks));
  batches.Set("grows", Num(env, result.graphql_batches.grows));
  o.Set("graphqlBatches", batches);
  Napi::Array checks = Napi::Array::New(env, result.token_checks.size());
  for (std::size_t i = 0; i < result.token_checks.size(); ++i) {
    const TokenCheck& t = result.token_checks[i];
    Napi::Object c = Napi::Object::New(env);
    c.Set("id", "Token #" + std::to_string(t.token + 1));
    c.Set("status", to_string(t.status));
    c.Set("login", t.login.empty() ? env.Null() : Napi::String::New(env, t.login));
    c.Set("error", t.error.empty() ? env.Null() : Napi::String::New(env, t.error));
    checks.Set(static_cast<uint32_t>(i), c);
  }
  o.Set("tokenChecks", checks);
  return o;
}

Napi::Object ToJs(Napi::Env env, const PoolSnapshot& snapshot) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("totalRequests", Num(env, static_cast<std::int64_t>(snapshot.total_requests)));
  o.Set("waiting", Num(env, snapshot.waiting));
  o.Set("quotaGroups", Num(env, snapshot.quota_groups));
  Napi::Object outcomes = Napi::Object::New(env);
  for (int i = 0; i < kOutcomeCount; ++i) {
    outcomes.Set(
        to_string(static_cast<Outcome>(i)),
        Num(env, static_cast<std::int64_t>(snapshot.outcomes[static_cast<std::size_t>(i)])));
  }
  o.Set("outcomes", outcomes);
  Napi::Object by_resource = Napi::Object::New(env);
  for (const auto& [name, count] : snapshot.requests_by_resource) {
    by_resource.Set(name, Num(env, static_cast<std::int64_t>(count)));
  }
  o.Set("requestsByResource", by_resource);
  Napi::Object resources = Napi::Object::New(env);
  for (const auto& [name, summary] : snapshot.resources) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("available", Num(env, summary.available));
    r.Set("exhausted", Num(env, summary.exhausted));
    resources.Set(name, r);
  }
  o.Set("resources", resources);
  Napi::Array tokens = Napi::Array::New(env, snapshot.tokens.size());
  for (std::size_t i = 0; i < snapshot.tokens.size(); ++i) {
    const TokenSnapshot& t = snapshot.tokens[i];
    Napi::Object token = Napi::Object::New(env);
    token.Set("id", t.id);
    token.Set("mask", t.mask);
    token.Set("login", t.login.empty() ? env.Null() : Napi::String::New(env, t.login));
    token.Set("state", to_string(t.state));
    token.Set("lent", Napi::Boolean::New(env, t.lent));
    token.Set("requests", Num(env, static_cast<std::int64_t>(t.requests)));
    token.Set("errors", Num(env, static_cast<std::int64_t>(t.errors)));
    token.Set("lastStatus", Num(env, t.last_status));
    Napi::Object buckets = Napi::Object::New(env);
    for (const auto& [name, b] : t.resources) {
      Napi::Object bucket = Napi::Object::New(env);
      bucket.Set("limit", Num(env, b.limit));
      bucket.Set("remaining", Num(env, b.remaining));
      bucket.Set("reset", Num(env, b.reset));
      bucket.Set("inFlight", Num(env, b.in_flight));
      bucket.Set("known", Napi::Boolean::New(env, b.known));
      buckets.Set(name, bucket);
    }
    token.Set("resources", buckets);
    tokens.Set(static_cast<uint32_t>(i), token);
  }
  o.Set("tokens", tokens);
  return o;
}

}  // namespace gh::napi
