#include "core/token_source.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "core/token_mask.h"

namespace gh {
namespace {

bool is_separator(char c) { return c == ',' || std::isspace(static_cast<unsigned char>(c)); }

// GitHub tokens are made of letters, digits and underscores. Anything else (a quote
// left from a .env line, a stray semicolon) means the value was pasted wrong.
bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

bool is_blank(const std::optional<std::string>& value) {
  if (!value) return true;
  for (char c : *value) {
    if (!is_separator(c)) return false;
  }
  return true;
}

}  // namespace

TokenList parse_tokens(std::string_view text, bool comments, std::string origin) {
  TokenList list;
  list.source = std::move(origin);
  std::set<std::string, std::less<>> seen;
  std::size_t i = 0;
  while (i < text.size()) {
    if (comments && text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (is_separator(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !is_separator(text[end]) && !(comments && text[end] == '#')) {
      ++end;
    }
    std::string token(text.substr(i, end - i));
    i = end;
    for (char c : token) {
      if (!is_token_char(c)) {
        list.error = list.source + ": token " + std::to_string(list.tokens.size() + 1) + " (" +
                     mask_token(token) + ") contains '" + std::string(1, c) +
                     "', which no GitHub token has; remove quotes and separators other "
                     "than commas, spaces or new lines";
        list.tokens.clear();
        return list;
      }
    }
    if (seen.count(token)) {
      list.warnings.push_back(list.source + ": " + mask_token(token) +
                              " is listed more than once; the duplicate is ignored");
      continue;
    }
    seen.insert(token);
    list.tokens.push_back(std::move(token));
  }
  if (list.tokens.empty()) list.error = list.source + " holds no token";
  return list;
}

TokenList load_tokens(const EnvLookup& env, const FileReader& read_file) {
  if (auto value = env("GITHUB_TOKENS"); !is_blank(value)) {
    return parse_tokens(*value, false, "GITHUB_TOKENS");
  }
  if (auto value = env("GITHUB_TOKEN"); !is_blank(value)) {
    return parse_tokens(*value, false, "GITHUB_TOKEN");
  }
  if (auto path = env("GITHUB_TOKENS_FILE"); !is_blank(path)) {
    std::string reason;
    auto text = read_file(*path, &reason);
    if (!text) {
      TokenList list;
      list.source = "GITHUB_TOKENS_FILE";
      list.error = "cannot read GITHUB_TOKENS_FILE=" + *path + ": " + reason;
      return list;
    }
    return parse_tokens(*text, true, "GITHUB_TOKENS_FILE (" + *path + ")");
  }
  TokenList list;
  list.error =
      "no GitHub token: set GITHUB_TOKENS (comma-separated), GITHUB_TOKEN or "
      "GITHUB_TOKENS_FILE, in the environment or in .env (to try the tool without a "
      "token, run `npm run demo`)";
  return list;
}

std::optional<std::string> read_whole_file(const std::string& path, std::string* reason) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (reason) *reason = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    if (reason) *reason = "read error";
    return std::nullopt;
  }
  return text.str();
}

TokenList load_tokens_from_environment() {
  return load_tokens(
      [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (!value) return std::nullopt;
        return std::string(value);
      },
      read_whole_file);
}

}  // namespace gh
