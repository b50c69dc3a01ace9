// Reads the tokens of the configuration contract: GITHUB_TOKENS (comma- or
// whitespace-separated), else GITHUB_TOKEN, else GITHUB_TOKENS_FILE (one or more per
// line, '#' starts a comment). Blanks are stripped and duplicates dropped with a warning.
#ifndef GH_INGEST_CORE_TOKEN_SOURCE_H_
#define GH_INGEST_CORE_TOKEN_SOURCE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh {

struct TokenList {
  std::vector<std::string> tokens;    // whole tokens, in configured order, no duplicates
  std::vector<std::string> warnings;  // masked: safe to print
  std::string source;                 // which variable they came from
  std::string error;                  // one line, masked; empty when tokens were found

  bool ok() const { return error.empty(); }
};

// Looks up one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads a whole file; nullopt (and a reason) when it cannot.
using FileReader =
    std::function<std::optional<std::string>(const std::string& path, std::string* reason)>;

// Splits `text` into tokens. With `comments`, '#' to the end of a line is ignored.
// `origin` names the source in warnings and errors.
TokenList parse_tokens(std::string_view text, bool comments, std::string origin);

// Applies the precedence of the contract to the given environment.
TokenList load_tokens(const EnvLookup& env, const FileReader& read_file);

// The process environment and the file system.
TokenList load_tokens_from_environment();
std::optional<std::string> read_whole_file(const std::string& path, std::string* reason);

}  // namespace gh

#endif  // GH_INGEST_CORE_TOKEN_SOURCE_H_
