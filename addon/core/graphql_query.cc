#include "core/graphql_query.h"

#include <cstdio>
#include <utility>

#include "core/ascii.h"

namespace gh {
namespace {

// The escapes GraphQL and JSON strings share: \" \\ \b \f \n \r \t and \u00XX for the
// other control characters. Everything else (UTF-8 included) passes as it is.
std::string escape_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04X", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out;
}

// One field of the query, with what GitHub's cost formula needs to know about it.
struct Field {
  std::string text;  // name with alias and arguments, or an inline fragment "... on Tree"
  bool connection = false;
  std::int64_t first = 1;  // a connection's first/last; 1 when it has none
  std::vector<Field> children;
};

Field leaf(std::string text) { return Field{std::move(text), false, 1, {}}; }

Field node(std::string text, std::vector<Field> children) {
  return Field{std::move(text), false, 1, std::move(children)};
}

Field connection(std::string text, std::int64_t first, std::vector<Field> children) {
  return Field{std::move(text), true, first, std::move(children)};
}

Field readme_object(const ReadmeAlias& alias) {
  return node(std::string(alias.alias) +
                  ": object(expression: \"HEAD:" + graphql_escape(alias.path) + "\")",
              {node("... on Blob", {leaf("text")})});
}

// The selection asked of every repository.
std::vector<Field> repository_selection(const QueryParts& parts) {
  std::vector<Field> fields;
  fields.push_back(leaf("databaseId"));
  fields.push_back(connection("watchers", 1, {leaf("totalCount")}));
  if (parts.languages) {
    fields.push_back(connection("languages(first: 100, orderBy: {field: SIZE, direction: DESC})",
                                100,
                                {node("edges", {leaf("size"), node("node", {leaf("name")})})}));
  }
  if (parts.row) {
    // The REST repository object's columns under their GraphQL names. open_issues_count
    // counts open pull requests too, hence both totals; topics are at most 20 a
    // repository.
    for (const char* name : {"id", "name", "nameWithOwner", "url", "description", "homepageUrl",
                             "stargazerCount", "forkCount", "diskUsage", "isFork", "isArchived",
                             "createdAt", "pushedAt", "updatedAt"}) {
      fields.push_back(leaf(name));
    }
    fields.push_back(node("owner", {leaf("login")}));
    fields.push_back(node("primaryLanguage", {leaf("name")}));
    fields.push_back(connection("repositoryTopics(first: 100)", 100,
                                {node("nodes", {node("topic", {leaf("name")})})}));
    fields.push_back(connection("issues(states: [OPEN])", 1, {leaf("totalCount")}));
    fields.push_back(connection("pullRequests(states: [OPEN])", 1, {leaf("totalCount")}));
    fields.push_back(node("defaultBranchRef", {leaf("name")}));
  }
  if (parts.community) {
    fields.push_back(node("codeOfConduct", {leaf("key")}));
    fields.push_back(node("contributingGuidelines", {leaf("url")}));
    fields.push_back(node("issueTemplates", {leaf("name")}));
    fields.push_back(node("pullRequestTemplates", {leaf("filename")}));
  }
  // The community profile's license signal and the row's SPDX id: one field for both.
  if (parts.community || parts.row) fields.push_back(node("licenseInfo", {leaf("spdxId")}));
  if (parts.root_tree) {
    fields.push_back(node("root: object(expression: \"HEAD:\")",
                          {node("... on Tree", {node("entries", {leaf("name"), leaf("type")})})}));
  }
  for (const ReadmeAlias& alias : kReadmeAliases) {
    if (in_root(alias) ? parts.root_readmes : parts.nested_readmes) {
      fields.push_back(readme_object(alias));
    }
  }
  return fields;
}

struct Lookup {
  std::size_t index;  // in the batch: the alias is "r<index>"
  std::string owner;
  std::string name;
};

// The whole query below `query Details(...)`.
std::vector<Field> query_fields(const QueryParts& parts, bool by_node,
                                const std::vector<Lookup>& lookups) {
  std::vector<Field> fields;
  fields.push_back(node("rateLimit", {leaf("cost"), leaf("remaining"), leaf("resetAt"),
                                      leaf("limit"), leaf("used")}));
  const std::vector<Field> selection = repository_selection(parts);
  if (by_node) {
    fields.push_back(node("nodes(ids: $ids)", {node("... on Repository", selection)}));
  }
  for (const Lookup& lookup : lookups) {
    fields.push_back(node("r" + std::to_string(lookup.index) + ": repository(owner: \"" +
                              graphql_escape(lookup.owner) + "\", name: \"" +
                              graphql_escape(lookup.name) + "\")",
                          selection));
  }
  return fields;
}

void render(const Field& field, std::string& out) {
  out += field.text;
  if (field.children.empty()) return;
  out += " {";
  for (const Field& child : field.children) {
    out += ' ';
    render(child, out);
  }
  out += " }";
}

std::string render_query(const std::vector<Field>& fields, bool by_node, bool row) {
  // Named for what it does, so GitHub's and the simulator's logs tell them apart.
  std::string text = row ? "query Refresh" : "query Details";
  text += by_node ? "($ids: [ID!]!) {" : " {";
  for (const Field& field : fields) {
    text += "\n  ";
    render(field, text);
  }
  text += "\n}\n";
  return text;
}

// GitHub's formula, before the division: every connection needs one request per
// element its enclosing connections may return.
std::int64_t requests_of(const Field& field, std::int64_t enclosing) {
  std::int64_t total = 0;
  if (field.connection) {
    total += enclosing;
    enclosing *= field.first;
  }
  for (const Field& child : field.children) total += requests_of(child, enclosing);
  return total;
}

std::int64_t cost_of(const std::vector<Field>& fields) {
  std::int64_t requests = 0;
  for (const Field& field : fields) requests += requests_of(field, 1);
  // Rounded to the nearest point (half up), at least 1.
  const std::int64_t points = (requests + 50) / 100;
  return points < 1 ? 1 : points;
}

}  // namespace

std::string graphql_url(std::string_view base) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  constexpr std::string_view kEnterpriseRest = "/api/v3";
  if (base.size() >= kEnterpriseRest.size() &&
      ascii::iequals(base.substr(base.size() - kEnterpriseRest.size()), kEnterpriseRest)) {
    base.remove_suffix(std::string_view("/v3").size());
  }
  return std::string(base) + "/graphql";
}

bool in_root(const ReadmeAlias& alias) { return alias.path.find('/') == std::string_view::npos; }

QueryParts query_parts(const DetailSet& wanted, bool row) {
  QueryParts parts;
  parts.row = row;
  parts.languages = wanted.languages;
  parts.community = wanted.community;
  parts.root_tree = wanted.readme || wanted.community;
  parts.root_readmes = wanted.readme;
  parts.nested_readmes = wanted.readme || wanted.community;
  return parts;
}

DetailsQuery build_details_query(const Repository* repos, std::size_t count,
                                 const DetailSet& wanted, bool row) {
  DetailsQuery query;
  query.parts = query_parts(wanted, row);
  std::vector<Lookup> lookups;
  for (std::size_t i = 0; i < count; ++i) {
    if (!repos[i].node_id.empty()) {
      query.node_of.push_back(i);
    } else {
      query.aliased.push_back(i);
      lookups.push_back({i, repos[i].owner, repos[i].name});
    }
  }
  const bool by_node = !query.node_of.empty();
  const std::vector<Field> fields = query_fields(query.parts, by_node, lookups);
  query.cost = cost_of(fields);

  std::string& body = query.body;
  body = "{\"query\":\"";
  body += json_escape(render_query(fields, by_node, row));
  body += "\",\"variables\":{";
  if (by_node) {
    body += "\"ids\":[";
    for (std::size_t i = 0; i < query.node_of.size(); ++i) {
      if (i > 0) body += ',';
      body += '"';
      body += json_escape(repos[query.node_of[i]].node_id);
      body += '"';
    }
    body += ']';
  }
  body += "}}";
  return query;
}

std::int64_t estimate_cost(const DetailSet& wanted, std::size_t nodes, std::size_t aliased,
                           bool row) {
  std::vector<Lookup> lookups;
  for (std::size_t i = 0; i < aliased; ++i) lookups.push_back({i, "o", "n"});
  return cost_of(query_fields(query_parts(wanted, row), nodes > 0, lookups));
}

std::string graphql_escape(std::string_view text) { return escape_string(text); }

std::string json_escape(std::string_view text) { return escape_string(text); }

}  // namespace gh
