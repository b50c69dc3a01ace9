#include "core/github_json.h"

#include <array>

namespace gh {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Propagates a simdjson error code out of the enclosing function.
#define GH_JSON_TRY(expr)                \
  do {                                   \
    if (error_code gh_error_ = (expr)) { \
      return gh_error_;                  \
    }                                    \
  } while (false)

error_code read_string(od::value value, std::string& out) {
  std::string_view text;
  GH_JSON_TRY(value.get_string().get(text));
  out.assign(text.data(), text.size());
  return SUCCESS;
}

error_code read_optional_string(od::value value, std::optional<std::string>& out) {
  bool is_null = false;
  GH_JSON_TRY(value.is_null().get(is_null));
  if (is_null) {
    out.reset();
    return SUCCESS;
  }
  std::string_view text;
  GH_JSON_TRY(value.get_string().get(text));
  out.emplace(text.data(), text.size());
  return SUCCESS;
}

error_code read_int(od::value value, std::int64_t& out) { return value.get_int64().get(out); }

error_code read_optional_int(od::value value, std::optional<std::int64_t>& out) {
  bool is_null = false;
  GH_JSON_TRY(value.is_null().get(is_null));
  if (is_null) {
    out.reset();
    return SUCCESS;
  }
  std::int64_t number = 0;
  GH_JSON_TRY(value.get_int64().get(number));
  out = number;
  return SUCCESS;
}

error_code read_bool(od::value value, bool& out) { return value.get_bool().get(out); }

// Calls `on_field(key, value)` for every field of an object, in document order: one
// forward pass whatever order GitHub sends the keys in. Unread values are skipped.
template <typename OnField>
error_code for_each_field(od::value value, OnField on_field) {
  od::object object;
  GH_JSON_TRY(value.get_object().get(object));
  for (auto field_result : object) {
    od::field field;
    GH_JSON_TRY(std::move(field_result).get(field));
    std::string_view key;
    GH_JSON_TRY(field.unescaped_key().get(key));
    GH_JSON_TRY(on_field(key, field.value()));
  }
  return SUCCESS;
}

// The same over a whole document, whose root must be an object.
template <typename OnField>
error_code for_each_root_field(od::document& doc, OnField on_field) {
  od::value root;
  GH_JSON_TRY(doc.get_value().get(root));
  return for_each_field(root, on_field);
}

error_code read_owner_login(od::value value, std::string& login) {
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key == "login") return read_string(v, login);
    return SUCCESS;
  });
}

error_code read_license(od::value value, std::optional<std::string>& spdx) {
  bool is_null = false;
  GH_JSON_TRY(value.is_null().get(is_null));
  spdx.reset();
  if (is_null) return SUCCESS;
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key == "spdx_id") return read_optional_string(v, spdx);
    return SUCCESS;
  });
}

error_code read_topics(od::value value, std::vector<std::string>& topics) {
  topics.clear();
  od::array array;
  GH_JSON_TRY(value.get_array().get(array));
  for (auto element : array) {
    std::string_view topic;
    GH_JSON_TRY(element.get_string().get(topic));
    topics.emplace_back(topic.data(), topic.size());
  }
  return SUCCESS;
}

// A repository object: a search item or GET /repos/{owner}/{repo}.
error_code read_repository(od::value value, Repository& repo) {
  GH_JSON_TRY(for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    // Ordered as GitHub sends them, most frequent first.
    if (key == "id") return read_int(v, repo.id);
    if (key == "node_id") return read_string(v, repo.node_id);
    if (key == "name") return read_string(v, repo.name);
    if (key == "full_name") return read_string(v, repo.full_name);
    if (key == "owner") return read_owner_login(v, repo.owner);
    if (key == "html_url") return read_string(v, repo.html_url);
    if (key == "description") return read_optional_string(v, repo.description);
    if (key == "fork") return read_bool(v, repo.is_fork);
    if (key == "created_at") return read_optional_string(v, repo.created_at);
    if (key == "updated_at") return read_optional_string(v, repo.updated_at);
    if (key == "pushed_at") return read_optional_string(v, repo.pushed_at);
    if (key == "homepage") return read_optional_string(v, repo.homepage);
    if (key == "size") return read_optional_int(v, repo.size_kb);
    if (key == "stargazers_count") return read_int(v, repo.stars);
    if (key == "language") return read_optional_string(v, repo.language);
    if (key == "forks_count") return read_int(v, repo.forks);
    if (key == "archived") return read_bool(v, repo.is_archived);
    if (key == "open_issues_count") return read_int(v, repo.open_issues);
    if (key == "license") return read_license(v, repo.license);
    if (key == "topics") return read_topics(v, repo.topics);
    if (key == "default_branch") return read_optional_string(v, repo.default_branch);
    if (key == "subscribers_count") return read_optional_int(v, repo.watchers);
    return SUCCESS;
  }));
  // GitHub sends "" for a homepage that was cleared: that is no homepage.
  if (repo.homepage && repo.homepage->empty()) repo.homepage.reset();
  return SUCCESS;
}

JsonStatus failed(std::string_view what, error_code error) {
  return {"malformed JSON in " + std::string(what) + ": " + simdjson::error_message(error)};
}

bool has_file(od::value v, error_code& error) {
  bool is_null = false;
  error = v.is_null().get(is_null);
  return !error && !is_null;
}

}  // namespace

std::string missing_repository_field(const Repository& repo) {
  if (repo.id <= 0) return "id";
  if (repo.full_name.empty()) return "full_name";
  if (repo.name.empty()) return "name";
  if (repo.owner.empty()) return "owner.login";
  if (repo.html_url.empty()) return "html_url";
  return {};
}

JsonStatus GitHubJson::search_page(Input json, SearchPage& out) {
  out.total_count = 0;
  out.incomplete_results = false;
  out.items.clear();
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("search page", error);
  bool saw_items = false;
  std::string bad_item;
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "total_count") return read_int(v, out.total_count);
    if (key == "incomplete_results") return read_bool(v, out.incomplete_results);
    if (key == "items") {
      saw_items = true;
      od::array array;
      GH_JSON_TRY(v.get_array().get(array));
      for (auto element : array) {
        od::value item;
        GH_JSON_TRY(std::move(element).get(item));
        Repository& repo = out.items.emplace_back();
        GH_JSON_TRY(read_repository(item, repo));
        if (bad_item.empty()) {
          if (std::string field = missing_repository_field(repo); !field.empty()) {
            bad_item = "item " + std::to_string(out.items.size()) + " has no " + field;
          }
        }
      }
    }
    return SUCCESS;
  });
  if (error) return failed("search page", error);
  if (!saw_items) return {"search page without \"items\""};
  if (!bad_item.empty()) return {"search page: " + bad_item};
  return {};
}

JsonStatus GitHubJson::repository(Input json, Repository& out) {
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("repository", error);
  od::value root;
  if (auto error = doc.get_value().get(root)) return failed("repository", error);
  if (auto error = read_repository(root, out)) return failed("repository", error);
  if (std::string field = missing_repository_field(out); !field.empty()) {
    return {"repository without " + field};
  }
  return {};
}

JsonStatus GitHubJson::languages(Input json, LanguageBytes& out) {
  out.clear();
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("languages", error);
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    std::int64_t bytes = 0;
    GH_JSON_TRY(read_int(v, bytes));
    out.emplace_back(std::string(key), bytes);
    return SUCCESS;
  });
  if (error) return failed("languages", error);
  return {};
}

JsonStatus GitHubJson::readme(Input json, std::string& text) {
  text.clear();
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("readme", error);
  std::string content;
  std::string encoding;
  bool saw_content = false;
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "content") {
      saw_content = true;
      return read_string(v, content);
    }
    if (key == "encoding") return read_string(v, encoding);
    return SUCCESS;
  });
  if (error) return failed("readme", error);
  if (!saw_content) return {"readme without \"content\""};
  if (encoding == "base64") {
    if (!decode_base64(content, text)) return {"readme content is not valid base64"};
  } else {
    text = std::move(content);
  }
  return {};
}

JsonStatus GitHubJson::community_profile(Input json, CommunityProfile& out) {
  out = CommunityProfile{};
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("community profile", error);
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "health_percentage") return read_optional_int(v, out.health_percentage);
    if (key != "files") return SUCCESS;
    return for_each_field(v, [&](std::string_view file, od::value f) -> error_code {
      error_code e = SUCCESS;
      const bool present = has_file(f, e);
      if (e) return e;
      if (file == "code_of_conduct" || file == "code_of_conduct_file") {
        out.code_of_conduct = out.code_of_conduct || present;
      } else if (file == "contributing") {
        out.contributing = present;
      } else if (file == "issue_template") {
        out.issue_template = present;
      } else if (file == "pull_request_template") {
        out.pull_request_template = present;
      } else if (file == "license") {
        out.license = present;
      } else if (file == "readme") {
        out.readme = present;
      }
      return SUCCESS;
    });
  });
  if (error) return failed("community profile", error);
  return {};
}

JsonStatus GitHubJson::user(Input json, GitHubUser& out) {
  out = GitHubUser{};
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("user", error);
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "login") return read_string(v, out.login);
    if (key == "id") return read_int(v, out.id);
    if (key == "type") return read_string(v, out.type);
    return SUCCESS;
  });
  if (error) return failed("user", error);
  if (out.login.empty()) return {"user without \"login\""};
  return {};
}

JsonStatus GitHubJson::viewer(Input json, GitHubUser& out) {
  out = GitHubUser{};
  std::string first_error;
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("viewer", error);
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "data") {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return e;
      if (is_null) return SUCCESS;
      return for_each_field(v, [&](std::string_view field, od::value viewer) -> error_code {
        if (field != "viewer") return SUCCESS;
        return for_each_field(viewer, [&](std::string_view name, od::value n) -> error_code {
          return name == "login" ? read_string(n, out.login) : SUCCESS;
        });
      });
    }
    if (key == "errors") {
      od::array errors;
      if (auto e = v.get_array().get(errors)) return e;
      for (auto element : errors) {
        od::value item;
        if (auto e = element.get(item)) return e;
        if (!first_error.empty()) continue;
        if (auto e = for_each_field(item, [&](std::string_view name, od::value m) -> error_code {
              return name == "message" ? read_string(m, first_error) : SUCCESS;
            })) {
          return e;
        }
      }
    }
    return SUCCESS;
  });
  if (error) return failed("viewer", error);
  if (!out.login.empty()) return {};
  return {first_error.empty() ? std::string("viewer without \"login\"") : "GraphQL: " + first_error};
}

JsonStatus GitHubJson::rate_limit(Input json, std::map<std::string, RateLimitBucket>& out) {
  out.clear();
  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return failed("rate limit", error);
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key != "resources") return SUCCESS;
    return for_each_field(v, [&](std::string_view name, od::value r) -> error_code {
      RateLimitBucket& bucket = out[std::string(name)];
      return for_each_field(r, [&](std::string_view field, od::value n) -> error_code {
        if (field == "limit") return read_int(n, bucket.limit);
        if (field == "remaining") return read_int(n, bucket.remaining);
        if (field == "used") return read_int(n, bucket.used);
        if (field == "reset") return read_int(n, bucket.reset);
        return SUCCESS;
      });
    });
  });
  if (error) return failed("rate limit", error);
  if (out.empty()) return {"rate limit without \"resources\""};
  return {};
}

std::string GitHubJson::error_message(Input json) {
  od::document doc;
  if (parser_.iterate(json).get(doc)) return {};
  std::string message;
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "message") return read_string(v, message);
    return SUCCESS;
  });
  return error ? std::string() : message;
}

bool decode_base64(std::string_view encoded, std::string& out) {
  static constexpr std::array<signed char, 256> kTable = [] {
    std::array<signed char, 256> table{};
    for (auto& entry : table) entry = -1;
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) {
      table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    }
    return table;
  }();
  out.clear();
  out.reserve(encoded.size() / 4 * 3);
  std::uint32_t accumulator = 0;
  int bits = 0;
  int padding = 0;
  for (char c : encoded) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const signed char value = kTable[static_cast<unsigned char>(c)];
    if (value < 0 || padding > 0) return false;  // a bad character, or data after '='
    accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFFu));
    }
  }
  return padding <= 2 && bits < 6;
}

}  // namespace gh
