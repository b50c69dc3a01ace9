#include "core/row_change.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

namespace gh {
namespace {

std::vector<std::string> sorted(std::vector<std::string> topics) {
  std::sort(topics.begin(), topics.end());
  return topics;
}

auto columns(const Repository& r) {
  return std::tie(r.id, r.node_id, r.full_name, r.owner, r.name, r.description, r.html_url,
                  r.homepage, r.language, r.license, r.stars, r.forks, r.open_issues, r.watchers,
                  r.size_kb, r.default_branch, r.is_fork, r.is_archived, r.created_at,
                  r.pushed_at, r.updated_at);
}

}  // namespace

bool row_changed(const Repository& stored, const Repository& fresh) {
  return columns(stored) != columns(fresh) || sorted(stored.topics) != sorted(fresh.topics);
}

}  // namespace gh
