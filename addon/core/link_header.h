// The Link header GitHub paginates with (RFC 8288):
//   <https://api.github.com/search/repositories?q=x&page=2>; rel="next",
//   <https://api.github.com/search/repositories?q=x&page=34>; rel="last"
#ifndef GH_INGEST_CORE_LINK_HEADER_H_
#define GH_INGEST_CORE_LINK_HEADER_H_

#include <string>
#include <string_view>

namespace gh {

// The URLs of the relations pagination uses; empty when the header has none.
struct PageLinks {
  std::string next;
  std::string last;
  std::string prev;
  std::string first;
};

// Parses one Link header value (several headers may be joined with ", ").
// URLs are taken between angle brackets, so commas and semicolons inside them are
// safe. Relation names match case-insensitively, a link may carry several
// (rel="next last"), parameters may be quoted or not and spaced freely; the first
// link of a relation wins. Malformed parts are skipped, never fatal.
PageLinks parse_link_header(std::string_view value);

}  // namespace gh

#endif  // GH_INGEST_CORE_LINK_HEADER_H_
