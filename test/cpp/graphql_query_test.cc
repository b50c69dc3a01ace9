// The GraphQL details query: the endpoint, the POST body (query text and variables, both
// escaped right), only the parts asked for, and GitHub's cost of what was put in.
#include <simdjson.h>

#include <string>
#include <vector>

#include "catch.h"
#include "core/graphql_query.h"

using namespace gh;

namespace {

// The POST body, read back as GitHub would: the query text and the ids.
struct Body {
  std::string query;
  std::vector<std::string> ids;
  bool has_ids = false;
  bool valid = false;
};

Body decode(const std::string& json) {
  Body body;
  simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc)) return body;
  simdjson::ondemand::object root;
  if (doc.get_object().get(root)) return body;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return body;
    if (key == "query") {
      std::string_view text;
      if (field.value().get_string().get(text)) return body;
      body.query = std::string(text);
    } else if (key == "variables") {
      simdjson::ondemand::object variables;
      if (field.value().get_object().get(variables)) return body;
      for (auto variable : variables) {
        std::string_view name;
        if (variable.unescaped_key().get(name) || name != "ids") return body;
        body.has_ids = true;
        simdjson::ondemand::array ids;
        if (variable.value().get_array().get(ids)) return body;
        for (auto id : ids) {
          std::string_view text;
          if (id.get_string().get(text)) return body;
          body.ids.emplace_back(text);
        }
      }
    }
  }
  body.valid = true;
  return body;
}

Repository by_node(std::string node_id) {
  Repository repo;
  repo.node_id = std::move(node_id);
  return repo;
}

Repository by_name(std::string owner, std::string name) {
  Repository repo;
  repo.owner = std::move(owner);
  repo.name = std::move(name);
  return repo;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const DetailSet kAll{true, true, true};

}  // namespace

TEST_CASE("the GraphQL endpoint is derived from the REST base URL", "[graphql]") {
  CHECK(graphql_url("https://api.github.com") == "https://api.github.com/graphql");
  CHECK(graphql_url("https://api.github.com/") == "https://api.github.com/graphql");
  CHECK(graphql_url("https://ghe.example.com/api/v3") == "https://ghe.example.com/api/graphql");
  CHECK(graphql_url("https://ghe.example.com/api/v3//") == "https://ghe.example.com/api/graphql");
  CHECK(graphql_url("http://127.0.0.1:8123") == "http://127.0.0.1:8123/graphql");
  CHECK(graphql_url("http://127.0.0.1:8123/") == "http://127.0.0.1:8123/graphql");
}

TEST_CASE("a batch of node ids is asked with the ids variable, in order", "[graphql]") {
  const std::vector<Repository> repos = {by_node("R_kgDOA"), by_node("R_kgDOB"),
                                         by_node("MDEwOlJlcG9zaXRvcnkx")};
  const DetailsQuery query = build_details_query(repos, kAll);
  const Body body = decode(query.body);
  REQUIRE(body.valid);
  CHECK(body.has_ids);
  CHECK(body.ids == std::vector<std::string>{"R_kgDOA", "R_kgDOB", "MDEwOlJlcG9zaXRvcnkx"});
  CHECK(query.node_of == std::vector<std::size_t>{0, 1, 2});
  CHECK(query.aliased.empty());
  CHECK(has(body.query, "query Details($ids: [ID!]!) {"));
  CHECK(has(body.query, "rateLimit { cost remaining resetAt limit used }"));
  CHECK(
      has(body.query, "nodes(ids: $ids) { ... on Repository { databaseId watchers { totalCount }"));
  CHECK(has(body.query,
            "languages(first: 100, orderBy: {field: SIZE, direction: DESC}) "
            "{ edges { size node { name } } }"));
  CHECK(has(body.query,
            "codeOfConduct { key } contributingGuidelines { url } issueTemplates "
            "{ name } pullRequestTemplates { filename } licenseInfo { spdxId }"));
  CHECK(has(body.query,
            "root: object(expression: \"HEAD:\") { ... on Tree { entries { name "
            "type } } }"));
  for (const ReadmeAlias& alias : kReadmeAliases) {
    CHECK(has(body.query, std::string(alias.alias) + ": object(expression: \"HEAD:" +
                              std::string(alias.path) + "\") { ... on Blob { text } }"));
  }
  CHECK_FALSE(has(body.query, "repository("));
}

TEST_CASE("repositories without node_id are aliased lookups, escaped for GraphQL and JSON",
          "[graphql]") {
  const std::vector<Repository> repos = {by_node("R_1"), by_name("we\"ird\\name", "tab\there"),
                                         by_node("R_2"), by_name("octo", "caf\xC3\xA9\x01")};
  const DetailsQuery query = build_details_query(repos, kAll);
  const Body body = decode(query.body);
  REQUIRE(body.valid);
  CHECK(body.ids == std::vector<std::string>{"R_1", "R_2"});
  CHECK(query.node_of == std::vector<std::size_t>{0, 2});
  CHECK(query.aliased == std::vector<std::size_t>{1, 3});
  // The query text (JSON-decoded) holds GraphQL string literals with their own escapes.
  CHECK(has(body.query,
            "r1: repository(owner: \"we\\\"ird\\\\name\", name: \"tab\\there\") { "
            "databaseId"));
  CHECK(has(body.query, "r3: repository(owner: \"octo\", name: \"caf\xC3\xA9\\u0001\")"));
  // Each lookup carries the same selection as the nodes.
  const auto first = body.query.find("readme_github");
  CHECK(body.query.find("readme_github", first + 1) != std::string::npos);
}

TEST_CASE("without node ids there is no ids variable", "[graphql]") {
  const DetailsQuery query = build_details_query({by_name("o", "n")}, kAll);
  const Body body = decode(query.body);
  REQUIRE(body.valid);
  CHECK_FALSE(body.has_ids);
  CHECK(has(body.query, "query Details {"));
  CHECK_FALSE(has(body.query, "$ids"));
  CHECK(has(query.body, "\"variables\":{}"));
}

TEST_CASE("only the parts of the requested details are asked for", "[graphql]") {
  const std::vector<Repository> repos = {by_node("R_1")};
  SECTION("languages") {
    const Body body = decode(build_details_query(repos, {true, false, false}).body);
    CHECK(has(body.query, "databaseId"));
    CHECK(has(body.query, "watchers { totalCount }"));
    CHECK(has(body.query, "languages(first: 100"));
    CHECK_FALSE(has(body.query, "codeOfConduct"));
    CHECK_FALSE(has(body.query, "root:"));
    CHECK_FALSE(has(body.query, "readme_"));
  }
  SECTION("readme") {
    const Body body = decode(build_details_query(repos, {false, true, false}).body);
    CHECK_FALSE(has(body.query, "languages"));
    CHECK_FALSE(has(body.query, "licenseInfo"));
    CHECK(has(body.query, "root: object"));
    CHECK(has(body.query, "readme_md:"));
    CHECK(has(body.query, "readme_docs:"));
  }
  SECTION("community: the signals, and where a README could be, not the root's texts") {
    const Body body = decode(build_details_query(repos, {false, false, true}).body);
    CHECK_FALSE(has(body.query, "languages"));
    CHECK(has(body.query, "licenseInfo { spdxId }"));
    CHECK(has(body.query, "root: object"));
    CHECK_FALSE(has(body.query, "readme_md:"));
    CHECK_FALSE(has(body.query, "readme_txt:"));
    CHECK(has(body.query, "readme_docs:"));
    CHECK(has(body.query, "readme_github:"));
  }
}

TEST_CASE("the cost follows GitHub's formula for the connections in the query", "[graphql]") {
  // By node: languages and watchers are one request each, whatever the number of ids.
  CHECK(estimate_cost(kAll, 100, 0) == 1);
  CHECK(estimate_cost(kAll, 1, 0) == 1);
  // By alias, each lookup has its own two connections: 2 per repository, / 100, rounded.
  CHECK(estimate_cost(kAll, 0, 24) == 1);  // 48 requests: 0.48 rounds to 0, minimum 1
  CHECK(estimate_cost(kAll, 0, 75) == 2);  // 150: 1.5 rounds up
  CHECK(estimate_cost(kAll, 0, 100) == 2);
  CHECK(estimate_cost(kAll, 10, 100) == 2);
  // Without languages a lookup has one connection (watchers).
  CHECK(estimate_cost({false, true, true}, 0, 100) == 1);
  CHECK(estimate_cost({false, true, true}, 0, 150) == 2);
}

TEST_CASE("a built query carries the cost estimate_cost gives", "[graphql]") {
  std::vector<Repository> repos;
  for (int i = 0; i < 100; ++i) repos.push_back(by_name("o", "n" + std::to_string(i)));
  CHECK(build_details_query(repos, kAll).cost == estimate_cost(kAll, 0, 100));
  CHECK(build_details_query(repos, kAll).cost == 2);
  for (Repository& repo : repos) repo.node_id = "R_" + repo.name;
  CHECK(build_details_query(repos, kAll).cost == 1);
}

TEST_CASE("GraphQL and JSON string escaping", "[graphql]") {
  CHECK(graphql_escape("plain caf\xC3\xA9") == "plain caf\xC3\xA9");
  CHECK(graphql_escape("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(graphql_escape("\n\r\t\b\f") == "\\n\\r\\t\\b\\f");
  CHECK(graphql_escape(std::string("\x00\x1F", 2)) == "\\u0000\\u001F");
  CHECK(json_escape("say \"hi\"\n") == "say \\\"hi\\\"\\n");
}

TEST_CASE("the refresh query re-reads every column of the row, by node id and by name",
          "[graphql]") {
  const std::vector<Repository> repos = {by_node("R_kgDOA"), by_name("octo", "old-row")};
  const DetailsQuery query = build_details_query(repos, DetailSet{}, true);
  const Body body = decode(query.body);
  REQUIRE(body.valid);
  CHECK(has(body.query, "query Refresh($ids: [ID!]!) {"));
  CHECK(query.parts.row);
  for (const char* field :
       {"id", "name", "nameWithOwner", "url", "description", "homepageUrl", "stargazerCount",
        "forkCount", "diskUsage", "isFork", "isArchived", "createdAt", "pushedAt", "updatedAt",
        "owner { login }", "primaryLanguage { name }",
        "repositoryTopics(first: 100) { nodes { topic { name } } }",
        "issues(states: [OPEN]) { totalCount }", "pullRequests(states: [OPEN]) { totalCount }",
        "defaultBranchRef { name }", "licenseInfo { spdxId }", "watchers { totalCount }"}) {
    CHECK(has(body.query, field));
  }
  CHECK(has(body.query, "r1: repository(owner: \"octo\", name: \"old-row\")"));
  // No details asked: neither languages nor files.
  CHECK_FALSE(has(body.query, "languages("));
  CHECK_FALSE(has(body.query, "object("));
  // Connections under nodes(ids:) count once: a point for 100 repositories.
  CHECK(estimate_cost(DetailSet{}, 100, 0, true) == 1);
  CHECK(query.cost == estimate_cost(DetailSet{}, 1, 1, true));
}

TEST_CASE("licenseInfo is asked once when the row and the community profile both need it",
          "[graphql]") {
  const DetailsQuery query = build_details_query({by_node("R_1")}, kAll, true);
  const std::string text = decode(query.body).query;
  const auto first = text.find("licenseInfo");
  REQUIRE(first != std::string::npos);
  CHECK(text.find("licenseInfo", first + 1) == std::string::npos);
  // The details query alone is unchanged by the row's fields.
  CHECK_FALSE(has(decode(build_details_query({by_node("R_1")}, kAll).body).query, "nameWithOwner"));
}
