// GitHub's JSON answers, parsed with simdjson On-Demand in one forward pass each.
// One GitHubJson per worker: it owns a reused parser (one document open at a time).
// Errors are returned, never thrown; a malformed or truncated body is an error the
// caller retries (Outcome::malformed), never a crash.
#ifndef GH_INGEST_CORE_GITHUB_JSON_H_
#define GH_INGEST_CORE_GITHUB_JSON_H_

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/repository.h"

namespace gh {

struct JsonStatus {
  std::string error;  // empty when the parse succeeded; one line otherwise
  bool ok() const { return error.empty(); }
};

struct GitHubUser {
  std::string login;
  std::int64_t id = 0;
  std::string type;  // "User", "Bot", "Organization"
};

struct RateLimitBucket {
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t used = 0;
  std::int64_t reset = 0;  // epoch seconds
};

class GitHubJson {
 public:
  // Every input must be padded (SIMDJSON_PADDING readable bytes past its end):
  // PaddedBuffer::padded() or simdjson::padded_string.
  using Input = simdjson::padded_string_view;

  // GET /search/repositories
  JsonStatus search_page(Input json, SearchPage& out);
  // GET /repos/{owner}/{repo}
  JsonStatus repository(Input json, Repository& out);
  // GET /repos/{owner}/{repo}/languages
  JsonStatus languages(Input json, LanguageBytes& out);
  // GET /repos/{owner}/{repo}/readme with the JSON media type (base64 content).
  // With the raw media type the body is the text itself and needs no parsing.
  JsonStatus readme(Input json, std::string& text);
  // GET /repos/{owner}/{repo}/community/profile
  JsonStatus community_profile(Input json, CommunityProfile& out);
  // GET /user
  JsonStatus user(Input json, GitHubUser& out);
  // POST /graphql `query { viewer { login } }`: data.viewer.login, or the first of the
  // answer's errors when it has none.
  JsonStatus viewer(Input json, GitHubUser& out);
  // GET /rate_limit: "resources" by name (core, search, graphql, ...).
  JsonStatus rate_limit(Input json, std::map<std::string, RateLimitBucket>& out);
  // An error body's "message" (empty when there is none or it cannot be read).
  std::string error_message(Input json);

 private:
  simdjson::ondemand::parser parser_;
};

// The first field a repository must have for a row to be written and lacks ("id",
// "full_name", ...); empty when none is missing. Its absence means the body was not what
// the endpoint returns.
std::string missing_repository_field(const Repository& repo);

// Decodes base64, skipping the line breaks GitHub puts in `content`. False on bad input.
bool decode_base64(std::string_view encoded, std::string& out);

}  // namespace gh

#endif  // GH_INGEST_CORE_GITHUB_JSON_H_
