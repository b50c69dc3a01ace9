#include <map>
#include <string>

#include "catch.h"
#include "core/token_source.h"

using namespace gh;

namespace {

struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;

  TokenList load() const {
    return load_tokens(
        [this](std::string_view name) -> std::optional<std::string> {
          auto it = vars.find(std::string(name));
          if (it == vars.end()) return std::nullopt;
          return it->second;
        },
        [this](const std::string& path, std::string* reason) -> std::optional<std::string> {
          auto it = files.find(path);
          if (it == files.end()) {
            *reason = "No such file or directory";
            return std::nullopt;
          }
          return it->second;
        });
  }
};

const std::string kA = "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "ghp_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kC = "ghp_cccccccccccccccccccccccccccccccccccc";

}  // namespace

TEST_CASE("GITHUB_TOKENS splits on commas and any whitespace", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS"] = " " + kA + ", " + kB + "\n\t" + kC + ",,";
  const TokenList list = env.load();
  REQUIRE(list.ok());
  CHECK(list.source == "GITHUB_TOKENS");
  CHECK(list.tokens == std::vector<std::string>{kA, kB, kC});
  CHECK(list.warnings.empty());
}

TEST_CASE("duplicates are dropped with a masked warning", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS"] = kA + "," + kB + "," + kA;
  const TokenList list = env.load();
  REQUIRE(list.ok());
  CHECK(list.tokens == std::vector<std::string>{kA, kB});
  REQUIRE(list.warnings.size() == 1);
  CHECK(list.warnings[0].find(kA) == std::string::npos);
  CHECK(list.warnings[0].find("more than once") != std::string::npos);
}

TEST_CASE("precedence: GITHUB_TOKENS, then GITHUB_TOKEN, then GITHUB_TOKENS_FILE", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS_FILE"] = "/tokens.txt";
  env.files["/tokens.txt"] = kC;
  env.vars["GITHUB_TOKEN"] = kB;
  env.vars["GITHUB_TOKENS"] = kA;
  CHECK(env.load().tokens == std::vector<std::string>{kA});
  env.vars["GITHUB_TOKENS"] = "  ";  // blank counts as unset
  CHECK(env.load().tokens == std::vector<std::string>{kB});
  env.vars.erase("GITHUB_TOKEN");
  const TokenList from_file = env.load();
  CHECK(from_file.tokens == std::vector<std::string>{kC});
  CHECK(from_file.source.find("GITHUB_TOKENS_FILE") == 0);
}

TEST_CASE("a tokens file allows comments and blank lines", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS_FILE"] = "/t";
  env.files["/t"] = "# team tokens\n\n" + kA + "  # alice\r\n   \n#" + kB + "\n" + kC + "\n";
  const TokenList list = env.load();
  REQUIRE(list.ok());
  CHECK(list.tokens == std::vector<std::string>{kA, kC});
}

TEST_CASE("no token at all is a clear error pointing to the demo", "[tokens]") {
  FakeEnvironment env;
  const TokenList list = env.load();
  CHECK_FALSE(list.ok());
  CHECK(list.tokens.empty());
  CHECK(list.error.find("GITHUB_TOKENS") != std::string::npos);
  CHECK(list.error.find("npm run demo") != std::string::npos);
}

TEST_CASE("a file of comments only holds no token", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS_FILE"] = "/t";
  env.files["/t"] = "# nothing yet\n";
  const TokenList list = env.load();
  CHECK_FALSE(list.ok());
  CHECK(list.error.find("holds no token") != std::string::npos);
}

TEST_CASE("an unreadable tokens file names the file and the reason", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS_FILE"] = "/missing.txt";
  const TokenList list = env.load();
  CHECK_FALSE(list.ok());
  CHECK(list.error.find("/missing.txt") != std::string::npos);
  CHECK(list.error.find("No such file") != std::string::npos);
}

TEST_CASE("a token with a quote is rejected without showing it", "[tokens]") {
  FakeEnvironment env;
  env.vars["GITHUB_TOKENS"] = "\"" + kA + "\"";
  const TokenList list = env.load();
  CHECK_FALSE(list.ok());
  CHECK(list.tokens.empty());
  CHECK(list.error.find("aaaaaaaaaaaa") == std::string::npos);
  CHECK(list.error.find("'\"'") != std::string::npos);
}
