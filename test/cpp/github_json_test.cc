// Parsing GitHub's answers: real-shaped payloads (test/fixtures/github), nulls, unicode,
// escapes, long topic lists, and truncated or wrong bodies, which must fail cleanly.
#include <fstream>
#include <sstream>
#include <string>

#include "catch.h"
#include "core/github_json.h"
#include "core/padded_buffer.h"

using namespace gh;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GH_TEST_FIXTURES) + "/github/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

PaddedBuffer padded(const std::string& text) {
  PaddedBuffer buffer;
  buffer.assign(text);
  return buffer;
}

}  // namespace

TEST_CASE("a search page yields every item with the schema's fields", "[json]") {
  GitHubJson json;
  SearchPage page;
  PaddedBuffer body = padded(fixture("search_page.json"));
  const JsonStatus status = json.search_page(body.padded(), page);
  REQUIRE(status.ok());
  CHECK(page.total_count == 4321);
  CHECK_FALSE(page.incomplete_results);
  REQUIRE(page.items.size() == 3);

  const Repository& r = page.items[0];
  CHECK(r.id == 101);
  CHECK(r.node_id == "R_kgDO101");
  CHECK(r.full_name == "octo/llm-kit");
  CHECK(r.owner == "octo");
  CHECK(r.name == "llm-kit");
  CHECK(r.html_url == "https://github.com/octo/llm-kit");
  CHECK(r.description ==
        "Fast \"LLM\" toolkit \xE2\x80\x94 with \\backslashes\\ and emoji \xF0\x9F\x9A\x80 and "
        "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  CHECK(r.homepage == "https://llm-kit.dev");
  CHECK(r.language == "Python");
  CHECK(r.topics.size() == 20);
  CHECK(r.topics.front() == "machine-learning");
  CHECK(r.topics.back() == "chatbot");
  CHECK(r.license == "MIT");
  CHECK(r.stars == 48210);
  CHECK(r.forks == 4821);
  CHECK(r.open_issues == 17);
  CHECK_FALSE(r.watchers.has_value());  // watchers_count in search is the star count
  CHECK(r.size_kb == 48213);
  CHECK(r.default_branch == "main");
  CHECK_FALSE(r.is_fork);
  CHECK_FALSE(r.is_archived);
  CHECK(r.created_at == "2019-03-14T09:26:53Z");
  CHECK(r.pushed_at == "2024-05-01T10:00:00Z");
  CHECK(r.updated_at == "2024-06-01T00:00:01Z");
  CHECK_FALSE(r.languages.has_value());
}

TEST_CASE("nulls and empty values in a search item", "[json]") {
  GitHubJson json;
  SearchPage page;
  PaddedBuffer body = padded(fixture("search_page.json"));
  REQUIRE(json.search_page(body.padded(), page).ok());
  const Repository& plain = page.items[1];
  CHECK_FALSE(plain.description.has_value());
  CHECK_FALSE(plain.language.has_value());
  CHECK_FALSE(plain.license.has_value());
  CHECK_FALSE(plain.homepage.has_value());  // "" means none
  CHECK_FALSE(plain.pushed_at.has_value());
  CHECK(plain.topics.empty());
  CHECK(plain.is_fork);
  const Repository& legacy = page.items[2];
  CHECK(legacy.is_archived);
  CHECK(legacy.license == "NOASSERTION");
  CHECK_FALSE(legacy.homepage.has_value());
}

TEST_CASE("escaped unicode and surrogate pairs are decoded", "[json]") {
  GitHubJson json;
  SearchPage page;
  PaddedBuffer body = padded(
      R"({"total_count":1,"incomplete_results":true,"items":[{"id":7,"name":"x","full_name":"o/x",)"
      R"("owner":{"login":"o"},"html_url":"https://github.com/o/x",)"
      R"("description":"caf\u00e9 \ud83d\ude80 tab\tquote\" slash\/ nl\n",)"
      R"("topics":["a"],"stargazers_count":0,"forks_count":0,"open_issues_count":0,)"
      R"("fork":false,"archived":false,"license":{"spdx_id":null}}]})");
  REQUIRE(json.search_page(body.padded(), page).ok());
  CHECK(page.incomplete_results);
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].description == "caf\xC3\xA9 \xF0\x9F\x9A\x80 tab\tquote\" slash/ nl\n");
  CHECK_FALSE(page.items[0].license.has_value());
}

TEST_CASE("keys in any order and unknown keys are fine", "[json]") {
  GitHubJson json;
  SearchPage page;
  PaddedBuffer body = padded(
      R"({"items":[{"extra":{"deep":[1,2,{"x":null}]},"html_url":"h","owner":{"id":1,"login":"o"},)"
      R"("full_name":"o/n","name":"n","id":9}],"incomplete_results":false,"total_count":1})");
  REQUIRE(json.search_page(body.padded(), page).ok());
  CHECK(page.total_count == 1);
  CHECK(page.items[0].id == 9);
  CHECK(page.items[0].owner == "o");
}

TEST_CASE("every truncation of a search page is an error, never a crash", "[json]") {
  GitHubJson json;
  const std::string text = fixture("search_page.json");
  int failures = 0;
  // Every cut point in the first 2 KB and then every 97th byte: all must fail cleanly.
  for (std::size_t cut = 0; cut < text.size() - 1; cut += (cut < 2048 ? 1 : 97)) {
    SearchPage page;
    PaddedBuffer body = padded(text.substr(0, cut));
    const JsonStatus status = json.search_page(body.padded(), page);
    if (!status.ok()) ++failures;
    CHECK_FALSE(status.ok());
  }
  CHECK(failures > 2000);
  // And the parser is still good for the next document.
  SearchPage page;
  PaddedBuffer body = padded(text);
  CHECK(json.search_page(body.padded(), page).ok());
}

TEST_CASE("wrong shapes are reported in one line", "[json]") {
  GitHubJson json;
  SearchPage page;
  PaddedBuffer not_json = padded("<html>502 Bad Gateway</html>");
  JsonStatus status = json.search_page(not_json.padded(), page);
  CHECK_FALSE(status.ok());
  CHECK(status.error.find("search page") != std::string::npos);
  CHECK(status.error.find('\n') == std::string::npos);

  PaddedBuffer no_items = padded(R"({"total_count":3,"incomplete_results":false})");
  CHECK(json.search_page(no_items.padded(), page).error == "search page without \"items\"");

  PaddedBuffer no_id = padded(R"({"total_count":1,"items":[{"name":"x"}]})");
  CHECK(json.search_page(no_id.padded(), page).error == "search page: item 1 has no id");

  PaddedBuffer wrong_type = padded(R"({"total_count":"many","items":[]})");
  CHECK_FALSE(json.search_page(wrong_type.padded(), page).ok());

  PaddedBuffer empty = padded("");
  CHECK_FALSE(json.search_page(empty.padded(), page).ok());
}

TEST_CASE("repository details add the real watchers count", "[json]") {
  GitHubJson json;
  Repository repo;
  PaddedBuffer body = padded(fixture("repository.json"));
  REQUIRE(json.repository(body.padded(), repo).ok());
  CHECK(repo.full_name == "octo/llm-kit");
  CHECK(repo.watchers == 311);
  CHECK(repo.stars == 48210);
  PaddedBuffer not_found = padded(R"({"message":"Not Found","documentation_url":"x"})");
  Repository missing;
  CHECK(json.repository(not_found.padded(), missing).error == "repository without id");
}

TEST_CASE("languages keep GitHub's order and byte counts", "[json]") {
  GitHubJson json;
  LanguageBytes languages;
  PaddedBuffer body = padded(fixture("languages.json"));
  REQUIRE(json.languages(body.padded(), languages).ok());
  REQUIRE(languages.size() == 4);
  CHECK(languages[0] == std::make_pair(std::string("Python"), std::int64_t{912345}));
  CHECK(languages[3].first == "Dockerfile");
  PaddedBuffer empty = padded("{}");
  REQUIRE(json.languages(empty.padded(), languages).ok());
  CHECK(languages.empty());
}

TEST_CASE("a README in base64 JSON decodes to the raw text", "[json]") {
  GitHubJson json;
  std::string text;
  PaddedBuffer body = padded(fixture("readme.json"));
  REQUIRE(json.readme(body.padded(), text).ok());
  CHECK(text == fixture("readme.md"));
  PaddedBuffer broken = padded(R"({"content":"@@@@","encoding":"base64"})");
  CHECK(json.readme(broken.padded(), text).error == "readme content is not valid base64");
}

TEST_CASE("base64 decoding", "[json]") {
  std::string out;
  CHECK(decode_base64("aGVsbG8=", out));
  CHECK(out == "hello");
  CHECK(decode_base64("aGVs\nbG8h\n", out));
  CHECK(out == "hello!");
  CHECK(decode_base64("", out));
  CHECK(out.empty());
  CHECK_FALSE(decode_base64("aGVsbG8=x", out));
  CHECK_FALSE(decode_base64("a*b=", out));
}

TEST_CASE("the community profile's signals", "[json]") {
  GitHubJson json;
  CommunityProfile profile;
  PaddedBuffer body = padded(fixture("community_profile.json"));
  REQUIRE(json.community_profile(body.padded(), profile).ok());
  CHECK(profile.health_percentage == 71);
  CHECK(profile.code_of_conduct);  // from code_of_conduct_file
  CHECK(profile.contributing);
  CHECK_FALSE(profile.issue_template);
  CHECK(profile.pull_request_template);
  CHECK(profile.license);
  CHECK(profile.readme);
}

TEST_CASE("GET /user and GET /rate_limit", "[json]") {
  GitHubJson json;
  GitHubUser user;
  PaddedBuffer user_body = padded(fixture("user.json"));
  REQUIRE(json.user(user_body.padded(), user).ok());
  CHECK(user.login == "octo");
  CHECK(user.id == 707);
  CHECK(user.type == "User");

  std::map<std::string, RateLimitBucket> buckets;
  PaddedBuffer rl_body = padded(fixture("rate_limit.json"));
  REQUIRE(json.rate_limit(rl_body.padded(), buckets).ok());
  CHECK(buckets.size() == 4);
  CHECK(buckets.at("search").remaining == 18);
  CHECK(buckets.at("search").reset == 1700000060);
  CHECK(buckets.at("core").limit == 5000);
}

TEST_CASE("an error body's message", "[json]") {
  GitHubJson json;
  PaddedBuffer body =
      padded(R"({"message":"You have exceeded a secondary rate limit.","documentation_url":"d"})");
  CHECK(json.error_message(body.padded()) == "You have exceeded a secondary rate limit.");
  PaddedBuffer junk = padded("not json");
  CHECK(json.error_message(junk.padded()).empty());
}
