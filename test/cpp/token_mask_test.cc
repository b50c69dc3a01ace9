#include <string>

#include "catch.h"
#include "core/token_mask.h"

using namespace gh;

TEST_CASE("masks keep GitHub's type prefix and the last four characters", "[mask]") {
  CHECK(mask_token("ghp_abcdefghijklmnopqrstuvwxyz0123k9Qz") == "ghp_\xE2\x80\xA6k9Qz");
  CHECK(mask_token("github_pat_11ABCDEFG0123456789_abcdefghijk9Qz") ==
        "github_pat_\xE2\x80\xA6k9Qz");
  CHECK(mask_token("0123456789abcdef0123456789abcdef0123k9Qz") == "\xE2\x80\xA6k9Qz");
}

TEST_CASE("short tokens reveal at most a quarter of themselves", "[mask]") {
  CHECK(mask_token("abc") == "\xE2\x80\xA6");
  CHECK(mask_token("abcdefgh") == "\xE2\x80\xA6gh");
  CHECK(mask_token("ghp_") == "ghp_\xE2\x80\xA6");
  CHECK(mask_token("") == "\xE2\x80\xA6");
}

TEST_CASE("a mask never contains the secret part of the token", "[mask]") {
  const std::string token = "ghp_SECRETSECRETSECRETSECRETSECRETwxyz";
  const std::string masked = mask_token(token);
  CHECK(masked.find("SECRET") == std::string::npos);
  CHECK(masked.size() < 12);
}

TEST_CASE("labels count from one", "[mask]") {
  CHECK(token_label(0) == "Token #1");
  CHECK(token_label(9) == "Token #10");
}
