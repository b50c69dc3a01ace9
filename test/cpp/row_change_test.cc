// What a --refresh through GraphQL counts as a changed row: any column, topics in any
// order, a row stored without its node id.
#include "catch.h"
#include "core/row_change.h"

using namespace gh;

namespace {

Repository stored_row() {
  Repository r;
  r.id = 7;
  r.node_id = "R_7";
  r.full_name = "octo/seven";
  r.owner = "octo";
  r.name = "seven";
  r.description = "Seven";
  r.html_url = "https://github.com/octo/seven";
  r.language = "Go";
  r.topics = {"cli", "go", "tools"};
  r.license = "MIT";
  r.stars = 70;
  r.forks = 7;
  r.open_issues = 3;
  r.watchers = 5;
  r.size_kb = 700;
  r.default_branch = "main";
  r.created_at = "2020-01-01T00:00:00Z";
  r.pushed_at = "2026-01-01T00:00:00Z";
  r.updated_at = "2026-01-02T00:00:00Z";
  return r;
}

}  // namespace

TEST_CASE("a row GitHub answers the same is unchanged, topics in any order", "[refresh]") {
  Repository fresh = stored_row();
  CHECK_FALSE(row_changed(stored_row(), fresh));
  fresh.topics = {"tools", "cli", "go"};
  CHECK_FALSE(row_changed(stored_row(), fresh));
  // Details are not columns of the comparison.
  fresh.languages = LanguageBytes{{"Go", 100}};
  fresh.readme = "# Seven";
  CHECK_FALSE(row_changed(stored_row(), fresh));
}

TEST_CASE("any column that differs makes the row changed", "[refresh]") {
  const Repository stored = stored_row();
  auto changed = [&](auto edit) {
    Repository fresh = stored;
    edit(fresh);
    return row_changed(stored, fresh);
  };
  CHECK(changed([](Repository& r) { r.stars += 1; }));
  CHECK(changed([](Repository& r) { r.forks += 1; }));
  CHECK(changed([](Repository& r) { r.open_issues += 1; }));  // updated_at need not move
  CHECK(changed([](Repository& r) { r.watchers.reset(); }));
  CHECK(changed([](Repository& r) { r.description.reset(); }));
  CHECK(changed([](Repository& r) { r.homepage = "https://seven.dev"; }));
  CHECK(changed([](Repository& r) { r.full_name = "octo/eight"; }));  // renamed
  CHECK(changed([](Repository& r) { r.owner = "other"; }));           // transferred
  CHECK(changed([](Repository& r) { r.topics.push_back("new"); }));
  CHECK(changed([](Repository& r) { r.license.reset(); }));
  CHECK(changed([](Repository& r) { r.is_archived = true; }));
  CHECK(changed([](Repository& r) { r.default_branch = "trunk"; }));
  CHECK(changed([](Repository& r) { r.pushed_at = "2026-02-01T00:00:00Z"; }));
  CHECK(changed([](Repository& r) { r.size_kb = 701; }));
  CHECK(changed([](Repository& r) { r.language = "Rust"; }));
}

TEST_CASE("a row stored without a node id is written again to gain it", "[refresh]") {
  Repository stored = stored_row();
  stored.node_id.clear();
  CHECK(row_changed(stored, stored_row()));
}
