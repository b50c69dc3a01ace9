// GitHub's answers to the details query: every field read, in any key order, with nulls,
// unicode and escapes; the errors array classified (gone, rate limited, the batch
// failed); malformed and truncated bodies refused without a crash.
#include <simdjson.h>

#include <string>
#include <vector>

#include "catch.h"
#include "core/graphql_response.h"

using namespace gh;

namespace {

const DetailSet kAll{true, true, true};

std::vector<Repository> node_repos(std::size_t count) {
  std::vector<Repository> repos(count);
  for (std::size_t i = 0; i < count; ++i) repos[i].node_id = "R_" + std::to_string(i);
  return repos;
}

struct Parsed {
  JsonStatus status;
  DetailsAnswer answer;
  DetailsVerdict verdict;
};

Parsed parse(GraphqlResponseParser& parser, const std::string& json, const DetailsQuery& query) {
  Parsed parsed;
  const simdjson::padded_string padded(json);
  parsed.status = parser.details(padded, query, parsed.answer);
  if (parsed.status.ok()) parsed.verdict = classify(parsed.answer, query);
  return parsed;
}

std::size_t alias_index(std::string_view alias) {
  for (std::size_t i = 0; i < kReadmeAliases.size(); ++i) {
    if (kReadmeAliases[i].alias == alias) return i;
  }
  return kReadmeAliases.size();
}

const char* const kRateLimit =
    R"("rateLimit":{"cost":1,"remaining":4999,"resetAt":"2026-11-23T10:00:00Z","limit":5000,"used":1})";

// A full answer for three ids: everything, a gone repository, and one of nulls.
std::string full_answer() {
  return std::string(R"({"data":{)") + kRateLimit + R"(,"nodes":[
    {"databaseId":101,"watchers":{"totalCount":42},
     "languages":{"edges":[{"size":9000,"node":{"name":"Python"}},
                           {"node":{"name":"C++"},"size":700},
                           {"size":12,"node":{"name":"Jupyter Notebook"}}]},
     "codeOfConduct":{"key":"contributor_covenant"},
     "contributingGuidelines":{"url":"https://github.com/o/r/blob/main/CONTRIBUTING.md"},
     "issueTemplates":[{"name":"Bug report"}],
     "pullRequestTemplates":[],
     "licenseInfo":{"spdxId":"MIT"},
     "root":{"entries":[{"name":".github","type":"tree"},{"name":"README.md","type":"blob"},
                        {"name":"src","type":"tree"}]},
     "readme_md":{"text":"# caf\u00e9 \ud83d\ude80\n\"quoted\" back\\slash\ttab \u2028 \/"},
     "readme_lower_md":null,"readme_plain":null,"readme_rst":null,"readme_txt":null,
     "readme_docs":{},"readme_github":null},
    null,
    {"databaseId":103,"watchers":{"totalCount":0},"languages":{"edges":[]},
     "codeOfConduct":null,"contributingGuidelines":null,"issueTemplates":null,
     "pullRequestTemplates":null,"licenseInfo":null,"root":null,
     "readme_md":null,"readme_lower_md":null,"readme_plain":null,"readme_rst":null,
     "readme_txt":null,"readme_docs":null,"readme_github":null}
  ]},
  "errors":[{"type":"NOT_FOUND","path":["nodes",1],"locations":[{"line":3,"column":3}],
             "message":"Could not resolve to a node with the global id of 'R_1'"}]})";
}

}  // namespace

TEST_CASE("a full answer: rate limit, every field, a gone node, nulls", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(3), kAll);
  const Parsed p = parse(parser, full_answer(), query);
  REQUIRE(p.status.ok());
  const DetailsAnswer& a = p.answer;
  CHECK(a.has_data);
  CHECK(a.rate_limit.present);
  CHECK(a.rate_limit.cost == 1);
  CHECK(a.rate_limit.remaining == 4999);
  CHECK(a.rate_limit.limit == 5000);
  CHECK(a.rate_limit.used == 1);
  CHECK(a.rate_limit.reset_at == "2026-11-23T10:00:00Z");
  REQUIRE(a.repos.size() == 3);

  const RepositoryAnswer& full = a.repos[0];
  CHECK(full.present);
  CHECK(full.database_id == 101);
  CHECK(full.watchers == 42);
  CHECK(full.languages == LanguageBytes{{"Python", 9000}, {"C++", 700}, {"Jupyter Notebook", 12}});
  CHECK(full.code_of_conduct);
  CHECK(full.contributing);
  CHECK(full.issue_template);
  CHECK_FALSE(full.pull_request_template);
  CHECK(full.license);
  CHECK(full.has_root);
  REQUIRE(full.root_entries.size() == 3);
  CHECK(full.root_entries[1].name == "README.md");
  CHECK(full.root_entries[1].type == "blob");
  const std::size_t md = alias_index("readme_md");
  CHECK(full.readme_blob[md]);
  CHECK(full.readme_text[md] ==
        "# caf\xC3\xA9 \xF0\x9F\x9A\x80\n\"quoted\" back\\slash\ttab \xE2\x80\xA8 /");
  // docs/README.md is there but not a Blob ({}): no text, not a README.
  CHECK_FALSE(full.readme_blob[alias_index("readme_docs")]);
  CHECK_FALSE(full.readme_text[alias_index("readme_lower_md")]);

  CHECK(a.repos[1].answered);
  CHECK_FALSE(a.repos[1].present);

  const RepositoryAnswer& bare = a.repos[2];
  CHECK(bare.present);
  CHECK(bare.languages.empty());
  CHECK_FALSE(bare.code_of_conduct);
  CHECK_FALSE(bare.issue_template);
  CHECK_FALSE(bare.has_root);

  REQUIRE(a.errors.size() == 1);
  CHECK(a.errors[0].type == "NOT_FOUND");
  CHECK(a.errors[0].path_head == "nodes");
  CHECK(a.errors[0].path_index == 1);
  CHECK(a.errors[0].message.find("R_1") != std::string::npos);

  CHECK(p.verdict.outcome == Outcome::success);
  REQUIRE(p.verdict.repos.size() == 3);
  CHECK(p.verdict.repos[0].status == ApiStatus::ok);
  CHECK(p.verdict.repos[1].status == ApiStatus::gone);
  CHECK(p.verdict.repos[1].error.find("NOT_FOUND") != std::string::npos);
  CHECK(p.verdict.repos[2].status == ApiStatus::ok);
}

TEST_CASE("keys in any order, errors first, unknown fields skipped", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(1), kAll);
  const Parsed p = parse(parser,
                         R"({"extensions":{"warnings":[1,2]},"errors":[],"data":{"nodes":[
        {"licenseInfo":null,"extra":{"deep":[{"x":null}]},"watchers":{"totalCount":7},
         "databaseId":5}],)" +
                             std::string(kRateLimit) + "}}",
                         query);
  REQUIRE(p.status.ok());
  CHECK(p.answer.rate_limit.cost == 1);
  CHECK(p.answer.repos[0].database_id == 5);
  CHECK(p.answer.repos[0].watchers == 7);
  CHECK(p.verdict.outcome == Outcome::success);
}

TEST_CASE("long lists: 100 nodes of 100 languages and a root of 2000 entries", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(100), kAll);
  std::string json = std::string(R"({"data":{)") + kRateLimit + R"(,"nodes":[)";
  for (int n = 0; n < 100; ++n) {
    if (n > 0) json += ',';
    json += R"({"databaseId":)" + std::to_string(n + 1) + R"(,"languages":{"edges":[)";
    for (int l = 0; l < 100; ++l) {
      if (l > 0) json += ',';
      json += R"({"size":)" + std::to_string(100 - l) + R"(,"node":{"name":"L)" +
              std::to_string(l) + "\"}}";
    }
    json += R"(]},"root":{"entries":[)";
    const int entries = n == 99 ? 2000 : 1;
    for (int e = 0; e < entries; ++e) {
      if (e > 0) json += ',';
      json += R"({"name":"f)" + std::to_string(e) + R"(","type":"blob"})";
    }
    json += "]}}";
  }
  json += "]}}";
  const Parsed p = parse(parser, json, query);
  REQUIRE(p.status.ok());
  CHECK(p.verdict.outcome == Outcome::success);
  CHECK(p.answer.repos[99].database_id == 100);
  CHECK(p.answer.repos[42].languages.size() == 100);
  CHECK(p.answer.repos[42].languages[99] == std::make_pair(std::string("L99"), std::int64_t{1}));
  CHECK(p.answer.repos[99].root_entries.size() == 2000);
  // The parser is reused: a second, smaller answer starts from nothing.
  const Parsed again = parse(parser, full_answer(), build_details_query(node_repos(3), kAll));
  REQUIRE(again.status.ok());
  CHECK(again.answer.repos.size() == 3);
}

TEST_CASE("aliased lookups are read by alias, and NOT_FOUND at an alias is gone", "[graphql]") {
  GraphqlResponseParser parser;
  std::vector<Repository> repos = node_repos(3);
  repos[1].node_id.clear();
  repos[1].owner = "o";
  repos[1].name = "gone";
  repos[2].node_id.clear();
  repos[2].owner = "o";
  repos[2].name = "here";
  const DetailsQuery query = build_details_query(repos, kAll);
  const Parsed p = parse(parser,
                         std::string(R"({"data":{)") + kRateLimit +
                             R"(,"nodes":[{"databaseId":1}],"r1":null,)"
                             R"("r2":{"databaseId":3,"watchers":{"totalCount":2}}},)"
                             R"("errors":[{"type":"NOT_FOUND","path":["r1"],)"
                             R"("message":"Could not resolve to a Repository with )"
                             R"(the name 'o/gone'."}]})",
                         query);
  REQUIRE(p.status.ok());
  CHECK(p.answer.repos[0].database_id == 1);
  CHECK(p.answer.repos[2].database_id == 3);
  CHECK(p.answer.repos[2].watchers == 2);
  CHECK(p.verdict.outcome == Outcome::success);
  CHECK(p.verdict.repos[1].status == ApiStatus::gone);
  CHECK(p.verdict.repos[1].error.find("o/gone") != std::string::npos);
  CHECK(p.verdict.repos[2].status == ApiStatus::ok);
}

TEST_CASE("RATE_LIMITED is the primary rate limit, whatever else is there", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(2), kAll);
  const Parsed p = parse(parser,
                         R"({"data":null,"errors":[{"type":"RATE_LIMITED",)"
                         R"("message":"API rate limit exceeded for user ID 123."}]})",
                         query);
  REQUIRE(p.status.ok());
  CHECK_FALSE(p.answer.has_data);
  CHECK(p.verdict.outcome == Outcome::primary_limit);
  CHECK(p.verdict.error.find("rate limit exceeded") != std::string::npos);

  const Parsed secondary = parse(parser,
                                 R"({"errors":[{"type":"RATE_LIMITED","message":"You have )"
                                 R"(exceeded a secondary rate limit."}]})",
                                 query);
  REQUIRE(secondary.status.ok());
  CHECK(secondary.verdict.outcome == Outcome::secondary_limit);
}

TEST_CASE("errors about the query fail the whole batch", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(2), kAll);
  SECTION("an unknown field") {
    const Parsed p = parse(parser,
                           R"({"errors":[{"path":["query Details","nodes","x"],)"
                           R"("extensions":{"code":"undefinedField","typeName":"Repository",)"
                           R"("fieldName":"x"},"locations":[{"line":4,"column":5}],)"
                           R"("message":"Field 'x' doesn't exist on type 'Repository'"}]})",
                           query);
    REQUIRE(p.status.ok());
    CHECK(p.answer.errors.at(0).code == "undefinedField");
    CHECK(p.verdict.outcome == Outcome::malformed);
    CHECK(p.verdict.error.find("undefinedField: Field 'x' doesn't exist") != std::string::npos);
  }
  SECTION("a syntax error") {
    const Parsed p = parse(parser,
                           R"({"errors":[{"message":"Parse error on \"}\" (RCURLY) at [3, 5]",)"
                           R"("locations":[{"line":3,"column":5}]}]})",
                           query);
    REQUIRE(p.status.ok());
    CHECK(p.verdict.outcome == Outcome::malformed);
    CHECK(p.verdict.error.find("Parse error on \"}\"") != std::string::npos);
  }
  SECTION("an error without a path, next to data") {
    const Parsed p = parse(
        parser,
        std::string(R"({"data":{)") + kRateLimit +
            R"(,"nodes":[{"databaseId":1},{"databaseId":2}]},"errors":[{"message":"timeout"}]})",
        query);
    REQUIRE(p.status.ok());
    CHECK(p.verdict.outcome == Outcome::malformed);
  }
  SECTION("neither data nor errors") {
    const Parsed p = parse(parser, "{}", query);
    REQUIRE(p.status.ok());
    CHECK(p.verdict.outcome == Outcome::malformed);
  }
  SECTION("a node missing, or null without an error") {
    const std::string head = std::string(R"({"data":{)") + kRateLimit + R"(,"nodes":[)";
    CHECK(parse(parser, head + R"({"databaseId":1}]}})", query).verdict.outcome ==
          Outcome::malformed);
    CHECK(parse(parser, head + R"({"databaseId":1},null]}})", query).verdict.outcome ==
          Outcome::malformed);
  }
}

TEST_CASE("another error at one node fails that repository only", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(3), kAll);
  const Parsed p =
      parse(parser,
            std::string(R"({"data":{)") + kRateLimit +
                R"(,"nodes":[{"databaseId":1},null,{"databaseId":3}]},)"
                R"("errors":[{"type":"FORBIDDEN","path":["nodes",1],)"
                R"("message":"Resource protected by organization SAML enforcement."}]})",
            query);
  REQUIRE(p.status.ok());
  CHECK(p.verdict.outcome == Outcome::success);
  CHECK(p.verdict.repos[0].status == ApiStatus::ok);
  CHECK(p.verdict.repos[1].status == ApiStatus::failed);
  CHECK(p.verdict.repos[1].error.find("SAML") != std::string::npos);
  CHECK(p.verdict.repos[2].status == ApiStatus::ok);
}

TEST_CASE("bodies that are not the expected JSON are refused, never a crash", "[graphql]") {
  GraphqlResponseParser parser;
  const DetailsQuery query = build_details_query(node_repos(3), kAll);
  SECTION("every truncation of a full answer") {
    const std::string json = full_answer();
    for (std::size_t length = 0; length < json.size(); ++length) {
      const Parsed p = parse(parser, json.substr(0, length), query);
      INFO("cut at " << length);
      CHECK_FALSE(p.status.ok());
    }
    CHECK(parse(parser, json, query).status.ok());  // the parser is still usable
  }
  SECTION("wrong types, more nodes than ids, not JSON at all") {
    const std::string head = std::string(R"({"data":{)") + kRateLimit + R"(,"nodes":[)";
    CHECK_FALSE(parse(parser, head + R"({"databaseId":"x"},null,null]}})", query).status.ok());
    CHECK_FALSE(
        parse(parser, head + R"({"languages":{"edges":[{"size":"big"}]}},null,null]}})", query)
            .status.ok());
    CHECK_FALSE(parse(parser, head + R"(null,null,null,null]}})", query).status.ok());
    CHECK_FALSE(parse(parser, "<html>502 Bad Gateway</html>", query).status.ok());
    CHECK_FALSE(parse(parser, "[]", query).status.ok());
    CHECK_FALSE(parse(parser, "", query).status.ok());
  }
}

TEST_CASE("the refresh query's answer fills every column of the row", "[graphql]") {
  std::vector<Repository> repos = node_repos(2);
  const DetailsQuery query = build_details_query(repos, DetailSet{}, true);
  const std::string json = std::string(R"({"data":{)") + kRateLimit + R"(,"nodes":[
    {"updatedAt":"2026-11-02T08:00:00Z","id":"R_0","databaseId":101,"name":"r\u00e9po",
     "nameWithOwner":"octo/r\u00e9po","owner":{"login":"octo"},"url":"https://github.com/octo/r%C3%A9po",
     "description":"A \"quoted\" line","homepageUrl":"https://example.com","stargazerCount":1234,
     "forkCount":56,"diskUsage":789,"isFork":false,"isArchived":true,
     "createdAt":"2020-01-02T03:04:05Z","pushedAt":"2026-11-01T00:00:00Z",
     "primaryLanguage":{"name":"C++"},
     "repositoryTopics":{"nodes":[{"topic":{"name":"graphql"}},{"topic":{"name":"cpp"}}]},
     "issues":{"totalCount":7},"pullRequests":{"totalCount":3},
     "defaultBranchRef":{"name":"main"},"licenseInfo":{"spdxId":"Apache-2.0"},
     "watchers":{"totalCount":12}},
    {"id":"R_1","databaseId":102,"name":"empty","nameWithOwner":"octo/empty",
     "owner":{"login":"octo"},"url":"https://github.com/octo/empty","description":null,
     "homepageUrl":"","stargazerCount":0,"forkCount":0,"diskUsage":null,"isFork":true,
     "isArchived":false,"createdAt":"2021-01-01T00:00:00Z","pushedAt":null,
     "updatedAt":"2021-01-01T00:00:00Z","primaryLanguage":null,"repositoryTopics":{"nodes":[]},
     "issues":{"totalCount":0},"pullRequests":{"totalCount":0},"defaultBranchRef":null,
     "licenseInfo":null,"watchers":{"totalCount":0}}]}})";
  GraphqlResponseParser parser;
  const Parsed parsed = parse(parser, json, query);
  REQUIRE(parsed.status.ok());
  REQUIRE(parsed.verdict.outcome == Outcome::success);
  const RepositoryAnswer& full = parsed.answer.repos[0];
  CHECK(full.row.node_id == "R_0");
  CHECK(full.row.full_name == "octo/r\xc3\xa9po");
  CHECK(full.row.name == "r\xc3\xa9po");
  CHECK(full.row.owner == "octo");
  CHECK(full.row.description == std::optional<std::string>("A \"quoted\" line"));
  CHECK(full.row.homepage == std::optional<std::string>("https://example.com"));
  CHECK(full.row.stars == 1234);
  CHECK(full.row.forks == 56);
  CHECK(full.row.size_kb == std::optional<std::int64_t>(789));
  CHECK(full.row.is_archived);
  CHECK_FALSE(full.row.is_fork);
  CHECK(full.row.language == std::optional<std::string>("C++"));
  CHECK(full.row.topics == std::vector<std::string>{"graphql", "cpp"});
  CHECK(full.row.open_issues == 7);
  CHECK(full.open_pull_requests == 3);
  CHECK(full.row.default_branch == std::optional<std::string>("main"));
  CHECK(full.row.license == std::optional<std::string>("Apache-2.0"));
  CHECK(full.license);
  CHECK(full.row.updated_at == std::optional<std::string>("2026-11-02T08:00:00Z"));
  CHECK(full.watchers == std::optional<std::int64_t>(12));

  const RepositoryAnswer& empty = parsed.answer.repos[1];
  CHECK_FALSE(empty.row.description);
  CHECK_FALSE(empty.row.homepage);  // "" is no homepage, as on REST
  CHECK_FALSE(empty.row.size_kb);
  CHECK_FALSE(empty.row.pushed_at);
  CHECK_FALSE(empty.row.language);
  CHECK_FALSE(empty.row.default_branch);
  CHECK_FALSE(empty.row.license);
  CHECK_FALSE(empty.license);
  CHECK(empty.row.topics.empty());
  CHECK(empty.row.is_fork);
}
