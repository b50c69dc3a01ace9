// How a token may be shown: as "Token #3" or as a mask such as "ghp_…k9Qz". Nothing
// outside the HTTP layer ever prints or stores a whole token.
#ifndef GH_INGEST_CORE_TOKEN_MASK_H_
#define GH_INGEST_CORE_TOKEN_MASK_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace gh {

// "ghp_…k9Qz": GitHub's type prefix (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_) when
// present, then the last four characters. Short tokens show less, never more than a
// quarter of their characters.
std::string mask_token(std::string_view token);

// "Token #N", 1-based, in the order the tokens were configured.
std::string token_label(std::size_t index);

}  // namespace gh

#endif  // GH_INGEST_CORE_TOKEN_MASK_H_
