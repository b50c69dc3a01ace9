#include "core/token_mask.h"

#include <array>

namespace gh {

std::string mask_token(std::string_view token) {
  static constexpr std::array<std::string_view, 6> kPrefixes = {"github_pat_", "ghp_", "gho_",
                                                                "ghu_",        "ghs_", "ghr_"};
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

  std::string_view prefix;
  for (std::string_view p : kPrefixes) {
    if (token.substr(0, p.size()) == p) {
      prefix = p;
      break;
    }
  }
  const std::size_t secret_length = token.size() - prefix.size();
  // Show at most 4 characters and at most a quarter of the secret part.
  std::size_t shown = secret_length / 4;
  if (shown > 4) shown = 4;
  std::string masked(prefix);
  masked += kEllipsis;
  masked += token.substr(token.size() - shown);
  return masked;
}

std::string token_label(std::size_t index) { return "Token #" + std::to_string(index + 1); }

}  // namespace gh
