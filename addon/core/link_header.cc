#include "core/link_header.h"

#include "core/ascii.h"

namespace gh {
namespace {

using ascii::iequals;
using ascii::is_space;
using ascii::trim;

void assign_relation(PageLinks& links, std::string_view rel, std::string_view url) {
  std::string* slot = nullptr;
  if (iequals(rel, "next")) {
    slot = &links.next;
  } else if (iequals(rel, "last")) {
    slot = &links.last;
  } else if (iequals(rel, "prev")) {
    slot = &links.prev;
  } else if (iequals(rel, "first")) {
    slot = &links.first;
  }
  if (slot != nullptr && slot->empty()) slot->assign(url);
}

// Applies `rel` parameter value (a space-separated list of relation types).
void assign_relations(PageLinks& links, std::string_view rels, std::string_view url) {
  while (!rels.empty()) {
    while (!rels.empty() && is_space(rels.front())) rels.remove_prefix(1);
    std::size_t end = 0;
    while (end < rels.size() && !is_space(rels[end])) ++end;
    if (end > 0) assign_relation(links, rels.substr(0, end), url);
    rels.remove_prefix(end);
  }
}

}  // namespace

PageLinks parse_link_header(std::string_view value) {
  PageLinks links;
  std::size_t i = 0;
  const std::size_t n = value.size();
  while (i < n) {
    // Find the next link: "<" url ">".
    while (i < n && value[i] != '<') ++i;
    if (i >= n) break;
    const std::size_t url_begin = i + 1;
    const std::size_t url_end = value.find('>', url_begin);
    if (url_end == std::string_view::npos) break;
    const std::string_view url = trim(value.substr(url_begin, url_end - url_begin));
    i = url_end + 1;

    // Its parameters: ; name [= value], up to a comma outside quotes.
    while (i < n && value[i] != ',') {
      if (value[i] != ';') {
        ++i;
        continue;
      }
      ++i;
      const std::size_t name_begin = i;
      while (i < n && value[i] != '=' && value[i] != ';' && value[i] != ',') ++i;
      const std::string_view name = trim(value.substr(name_begin, i - name_begin));
      if (i >= n || value[i] != '=') continue;  // a parameter without a value
      ++i;
      while (i < n && is_space(value[i])) ++i;
      std::string_view param;
      if (i < n && value[i] == '"') {
        const std::size_t begin = ++i;
        while (i < n && value[i] != '"') ++i;
        param = value.substr(begin, i - begin);
        if (i < n) ++i;  // the closing quote
      } else {
        const std::size_t begin = i;
        while (i < n && value[i] != ';' && value[i] != ',') ++i;
        param = trim(value.substr(begin, i - begin));
      }
      if (iequals(name, "rel") && !url.empty()) assign_relations(links, param, url);
    }
  }
  return links;
}

}  // namespace gh
