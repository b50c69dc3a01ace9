#include "core/graphql_response.h"

#include <string_view>
#include <utility>

#include "core/ascii.h"

namespace gh {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

// Propagates a simdjson error code out of the enclosing function.
#define GH_GRAPHQL_TRY(expr)             \
  do {                                   \
    if (error_code gh_error_ = (expr)) { \
      return gh_error_;                  \
    }                                    \
  } while (false)

error_code is_null(od::value value, bool& null) { return value.is_null().get(null); }

error_code read_string(od::value value, std::string& out) {
  std::string_view text;
  GH_GRAPHQL_TRY(value.get_string().get(text));
  out.assign(text.data(), text.size());
  return SUCCESS;
}

error_code read_optional_string(od::value value, std::optional<std::string>& out) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  if (null) {
    out.reset();
    return SUCCESS;
  }
  std::string_view text;
  GH_GRAPHQL_TRY(value.get_string().get(text));
  out.emplace(text.data(), text.size());
  return SUCCESS;
}

error_code read_optional_int(od::value value, std::optional<std::int64_t>& out) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  if (null) {
    out.reset();
    return SUCCESS;
  }
  std::int64_t number = 0;
  GH_GRAPHQL_TRY(value.get_int64().get(number));
  out = number;
  return SUCCESS;
}

// Calls `on_field(key, value)` for every field of an object, in document order; values
// left unread are skipped. A null object has no fields.
template <typename OnField>
error_code for_each_field(od::value value, OnField on_field) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  if (null) return SUCCESS;
  od::object object;
  GH_GRAPHQL_TRY(value.get_object().get(object));
  for (auto field_result : object) {
    od::field field;
    GH_GRAPHQL_TRY(std::move(field_result).get(field));
    std::string_view key;
    GH_GRAPHQL_TRY(field.unescaped_key().get(key));
    GH_GRAPHQL_TRY(on_field(key, field.value()));
  }
  return SUCCESS;
}

// The same over a whole document, whose root must be an object.
template <typename OnField>
error_code for_each_root_field(od::document& doc, OnField on_field) {
  od::object object;
  GH_GRAPHQL_TRY(doc.get_object().get(object));
  for (auto field_result : object) {
    od::field field;
    GH_GRAPHQL_TRY(std::move(field_result).get(field));
    std::string_view key;
    GH_GRAPHQL_TRY(field.unescaped_key().get(key));
    GH_GRAPHQL_TRY(on_field(key, field.value()));
  }
  return SUCCESS;
}

// Calls `on_element(value)` for every element of an array; a null array has none.
template <typename OnElement>
error_code for_each_element(od::value value, OnElement on_element) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  if (null) return SUCCESS;
  od::array array;
  GH_GRAPHQL_TRY(value.get_array().get(array));
  for (auto element_result : array) {
    od::value element;
    GH_GRAPHQL_TRY(std::move(element_result).get(element));
    GH_GRAPHQL_TRY(on_element(element));
  }
  return SUCCESS;
}

// Whether a value is a non-null object (codeOfConduct, licenseInfo, ...); read whole.
error_code read_presence(od::value value, bool& present) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  present = !null;
  return SUCCESS;
}

// Whether a list (issueTemplates, ...) has at least one element.
error_code read_non_empty(od::value value, bool& non_empty) {
  non_empty = false;
  return for_each_element(value, [&](od::value) -> error_code {
    non_empty = true;
    return SUCCESS;
  });
}

error_code read_rate_limit(od::value value, GraphqlRateLimit& out) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  out.present = !null;
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key == "cost") return v.get_int64().get(out.cost);
    if (key == "remaining") return v.get_int64().get(out.remaining);
    if (key == "resetAt") return read_string(v, out.reset_at);
    if (key == "limit") return v.get_int64().get(out.limit);
    if (key == "used") return v.get_int64().get(out.used);
    return SUCCESS;
  });
}

error_code read_languages(od::value value, LanguageBytes& out) {
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key != "edges") return SUCCESS;
    return for_each_element(v, [&](od::value edge) -> error_code {
      std::string name;
      std::int64_t size = 0;
      GH_GRAPHQL_TRY(for_each_field(edge, [&](std::string_view k, od::value e) -> error_code {
        if (k == "size") return e.get_int64().get(size);
        if (k == "node") {
          return for_each_field(e, [&](std::string_view n, od::value name_value) -> error_code {
            return n == "name" ? read_string(name_value, name) : SUCCESS;
          });
        }
        return SUCCESS;
      }));
      if (!name.empty()) out.emplace_back(std::move(name), size);
      return SUCCESS;
    });
  });
}

error_code read_root(od::value value, RepositoryAnswer& repo) {
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  repo.has_root = !null;
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key != "entries") return SUCCESS;
    return for_each_element(v, [&](od::value element) -> error_code {
      TreeEntry& entry = repo.root_entries.emplace_back();
      return for_each_field(element, [&](std::string_view k, od::value e) -> error_code {
        if (k == "name") return read_string(e, entry.name);
        if (k == "type") return read_string(e, entry.type);
        return SUCCESS;
      });
    });
  });
}

// `alias: object(expression: ...) { ... on Blob { text } }`: null when the path does
// not exist, {} when it is not a Blob, {"text": null} for a binary Blob.
error_code read_readme(od::value value, bool& blob, std::optional<std::string>& text) {
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key != "text") return SUCCESS;
    blob = true;
    return read_optional_string(v, text);
  });
}

// `{ totalCount }` of a connection.
error_code read_total(od::value value, std::int64_t& out) {
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    return key == "totalCount" ? v.get_int64().get(out) : SUCCESS;
  });
}

// `{ name }` of an object that may be null (primaryLanguage, defaultBranchRef), or
// `{ login }` of the owner.
error_code read_named(od::value value, std::string_view field, std::optional<std::string>& out) {
  out.reset();
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    return key == field ? read_optional_string(v, out) : SUCCESS;
  });
}

error_code read_topics(od::value value, std::vector<std::string>& out) {
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key != "nodes") return SUCCESS;
    return for_each_element(v, [&](od::value topic_node) -> error_code {
      return for_each_field(topic_node, [&](std::string_view k, od::value topic) -> error_code {
        if (k != "topic") return SUCCESS;
        std::optional<std::string> name;
        GH_GRAPHQL_TRY(read_named(topic, "name", name));
        if (name) out.push_back(std::move(*name));
        return SUCCESS;
      });
    });
  });
}

// The row's columns; false when `key` is not one of them.
bool read_row_field(std::string_view key, od::value v, RepositoryAnswer& repo, error_code& error) {
  Repository& row = repo.row;
  std::optional<std::string> text;
  auto into = [&](std::string& out) {
    error = read_optional_string(v, text);
    if (!error) out = text.value_or("");
  };
  if (key == "id") {
    into(row.node_id);
  } else if (key == "name") {
    into(row.name);
  } else if (key == "nameWithOwner") {
    into(row.full_name);
  } else if (key == "url") {
    into(row.html_url);
  } else if (key == "owner") {
    error = read_named(v, "login", text);
    row.owner = text.value_or("");
  } else if (key == "description") {
    error = read_optional_string(v, row.description);
  } else if (key == "homepageUrl") {
    error = read_optional_string(v, row.homepage);
    // GitHub sends "" for a homepage that was cleared: that is no homepage (as on REST).
    if (!error && row.homepage && row.homepage->empty()) row.homepage.reset();
  } else if (key == "primaryLanguage") {
    error = read_named(v, "name", row.language);
  } else if (key == "repositoryTopics") {
    error = read_topics(v, row.topics);
  } else if (key == "stargazerCount") {
    error = v.get_int64().get(row.stars);
  } else if (key == "forkCount") {
    error = v.get_int64().get(row.forks);
  } else if (key == "issues") {
    error = read_total(v, row.open_issues);
  } else if (key == "pullRequests") {
    error = read_total(v, repo.open_pull_requests);
  } else if (key == "diskUsage") {
    error = read_optional_int(v, row.size_kb);
  } else if (key == "defaultBranchRef") {
    error = read_named(v, "name", row.default_branch);
  } else if (key == "isFork") {
    error = v.get_bool().get(row.is_fork);
  } else if (key == "isArchived") {
    error = v.get_bool().get(row.is_archived);
  } else if (key == "createdAt") {
    error = read_optional_string(v, row.created_at);
  } else if (key == "pushedAt") {
    error = read_optional_string(v, row.pushed_at);
  } else if (key == "updatedAt") {
    error = read_optional_string(v, row.updated_at);
  } else {
    return false;
  }
  return true;
}

error_code read_repository(od::value value, RepositoryAnswer& repo) {
  repo = RepositoryAnswer{};
  repo.answered = true;
  bool null = false;
  GH_GRAPHQL_TRY(is_null(value, null));
  repo.present = !null;
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key == "databaseId") return read_optional_int(v, repo.database_id);
    if (key == "watchers") {
      return for_each_field(v, [&](std::string_view k, od::value count) -> error_code {
        return k == "totalCount" ? read_optional_int(count, repo.watchers) : SUCCESS;
      });
    }
    if (key == "languages") return read_languages(v, repo.languages);
    if (key == "codeOfConduct") return read_presence(v, repo.code_of_conduct);
    if (key == "contributingGuidelines") return read_presence(v, repo.contributing);
    if (key == "issueTemplates") return read_non_empty(v, repo.issue_template);
    if (key == "pullRequestTemplates") return read_non_empty(v, repo.pull_request_template);
    if (key == "licenseInfo") {
      // Present for the community signal; its SPDX id (null for some licenses) for the row.
      bool none = false;
      GH_GRAPHQL_TRY(is_null(v, none));
      repo.license = !none;
      return read_named(v, "spdxId", repo.row.license);
    }
    if (key == "root") return read_root(v, repo);
    error_code row_error = SUCCESS;
    if (read_row_field(key, v, repo, row_error)) return row_error;
    for (std::size_t i = 0; i < kReadmeAliases.size(); ++i) {
      if (key == kReadmeAliases[i].alias) {
        return read_readme(v, repo.readme_blob[i], repo.readme_text[i]);
      }
    }
    return SUCCESS;
  });
}

error_code read_error(od::value value, GraphqlError& error) {
  return for_each_field(value, [&](std::string_view key, od::value v) -> error_code {
    if (key == "type") return read_string(v, error.type);
    if (key == "message") return read_string(v, error.message);
    if (key == "extensions") {
      return for_each_field(v, [&](std::string_view k, od::value e) -> error_code {
        if (k != "code") return SUCCESS;
        od::json_type type;
        GH_GRAPHQL_TRY(e.type().get(type));
        return type == od::json_type::string ? read_string(e, error.code) : SUCCESS;
      });
    }
    if (key == "path") {
      int position = 0;
      return for_each_element(v, [&](od::value element) -> error_code {
        const int at = position++;
        if (at > 1) return SUCCESS;
        od::json_type type;
        GH_GRAPHQL_TRY(element.type().get(type));
        if (at == 0 && type == od::json_type::string) return read_string(element, error.path_head);
        if (at == 1 && type == od::json_type::number) {
          std::int64_t index = 0;
          GH_GRAPHQL_TRY(element.get_int64().get(index));
          error.path_index = index;
        }
        return SUCCESS;
      });
    }
    return SUCCESS;
  });
}

// "r12" -> 12; nullopt for any other key.
std::optional<std::size_t> alias_index(std::string_view key) {
  if (key.size() < 2 || key.size() > 5 || key[0] != 'r') return std::nullopt;
  std::size_t index = 0;
  for (char c : key.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

bool is_aliased(const DetailsQuery& query, std::size_t index) {
  for (std::size_t i : query.aliased) {
    if (i == index) return true;
  }
  return false;
}

// The batch index of the repository an error is about, if it is about one.
std::optional<std::size_t> repository_of(const GraphqlError& error, const DetailsQuery& query) {
  if (error.path_head == "nodes") {
    if (!error.path_index || *error.path_index < 0) return std::nullopt;
    const auto node = static_cast<std::size_t>(*error.path_index);
    if (node >= query.node_of.size()) return std::nullopt;
    return query.node_of[node];
  }
  if (auto index = alias_index(error.path_head); index && is_aliased(query, *index)) {
    return index;
  }
  return std::nullopt;
}

std::string describe(const GraphqlError& error) {
  std::string text = error.type.empty() ? error.code : error.type;
  if (!error.message.empty()) text += (text.empty() ? "" : ": ") + error.message;
  return text.empty() ? "an error without a message" : text;
}

}  // namespace

JsonStatus GraphqlResponseParser::details(Input json, const DetailsQuery& query,
                                          DetailsAnswer& out) {
  out = DetailsAnswer{};
  out.repos.resize(query.node_of.size() + query.aliased.size());
  std::string shape_error;
  auto fail = [](error_code error) {
    return JsonStatus{"malformed JSON in GraphQL answer: " +
                      std::string(simdjson::error_message(error))};
  };

  od::document doc;
  if (auto error = parser_.iterate(json).get(doc)) return fail(error);
  auto error = for_each_root_field(doc, [&](std::string_view key, od::value v) -> error_code {
    if (key == "errors") {
      return for_each_element(v, [&](od::value element) -> error_code {
        return read_error(element, out.errors.emplace_back());
      });
    }
    if (key != "data") return SUCCESS;
    bool null = false;
    GH_GRAPHQL_TRY(is_null(v, null));
    out.has_data = !null;
    return for_each_field(v, [&](std::string_view field, od::value d) -> error_code {
      if (field == "rateLimit") return read_rate_limit(d, out.rate_limit);
      if (field == "nodes") {
        std::size_t node = 0;
        return for_each_element(d, [&](od::value element) -> error_code {
          const std::size_t at = node++;
          if (at >= query.node_of.size()) {
            if (shape_error.empty()) shape_error = "more nodes than ids were asked for";
            return SUCCESS;
          }
          return read_repository(element, out.repos[query.node_of[at]]);
        });
      }
      if (auto index = alias_index(field); index && is_aliased(query, *index)) {
        return read_repository(d, out.repos[*index]);
      }
      return SUCCESS;
    });
  });
  if (error) return fail(error);
  if (!shape_error.empty()) return {"GraphQL answer: " + shape_error};
  return {};
}

DetailsVerdict classify(const DetailsAnswer& answer, const DetailsQuery& query) {
  DetailsVerdict verdict;
  // A spent bucket: GitHub answers HTTP 200 with RATE_LIMITED and no data.
  for (const GraphqlError& error : answer.errors) {
    if (error.type == "RATE_LIMITED") {
      verdict.outcome = ascii::icontains(error.message, "secondary rate limit")
                            ? Outcome::secondary_limit
                            : Outcome::primary_limit;
      verdict.error = describe(error);
      return verdict;
    }
  }
  if (!answer.has_data) {
    verdict.outcome = Outcome::malformed;
    verdict.error = answer.errors.empty() ? "GraphQL answer without data or errors"
                                          : "GraphQL error: " + describe(answer.errors.front());
    return verdict;
  }

  verdict.repos.resize(answer.repos.size());
  for (const GraphqlError& error : answer.errors) {
    const std::optional<std::size_t> index = repository_of(error, query);
    if (!index) {
      // About the query itself, not one repository: nothing here can be trusted.
      verdict.outcome = Outcome::malformed;
      verdict.error = "GraphQL error: " + describe(error);
      verdict.repos.clear();
      return verdict;
    }
    RepositoryVerdict& repo = verdict.repos[*index];
    if (repo.status != ApiStatus::ok) continue;  // the first error about it says why
    const bool gone = error.type == "NOT_FOUND" && !answer.repos[*index].present;
    repo.status = gone ? ApiStatus::gone : ApiStatus::failed;
    repo.error = describe(error);
  }
  for (std::size_t i = 0; i < answer.repos.size(); ++i) {
    const RepositoryAnswer& repo = answer.repos[i];
    if (verdict.repos[i].status != ApiStatus::ok) continue;
    if (!repo.answered || !repo.present) {
      // Missing, or null without an error saying why: the answer is not what was asked.
      verdict.outcome = Outcome::malformed;
      verdict.error = std::string("GraphQL answer: repository ") + std::to_string(i) +
                      (repo.answered ? " is null without an error" : " is missing");
      verdict.repos.clear();
      return verdict;
    }
  }
  return verdict;
}

}  // namespace gh
