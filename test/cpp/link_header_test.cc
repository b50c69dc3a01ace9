// The Link header GitHub paginates with.
#include "core/link_header.h"
#include "catch.h"

using gh::PageLinks;
using gh::parse_link_header;

TEST_CASE("GitHub's Link header gives next and last", "[link]") {
  const PageLinks links = parse_link_header(
      R"(<https://api.github.com/search/repositories?q=topic%3Allm&page=2>; rel="next", )"
      R"(<https://api.github.com/search/repositories?q=topic%3Allm&page=34>; rel="last")");
  CHECK(links.next == "https://api.github.com/search/repositories?q=topic%3Allm&page=2");
  CHECK(links.last == "https://api.github.com/search/repositories?q=topic%3Allm&page=34");
  CHECK(links.prev.empty());
  CHECK(links.first.empty());
}

TEST_CASE("the last page has prev and first but no next", "[link]") {
  const PageLinks links = parse_link_header(R"(<https://api.github.com/x?page=33>; rel="prev", )"
                                            R"(<https://api.github.com/x?page=1>; rel="first")");
  CHECK(links.next.empty());
  CHECK(links.last.empty());
  CHECK(links.prev == "https://api.github.com/x?page=33");
  CHECK(links.first == "https://api.github.com/x?page=1");
}

TEST_CASE("an empty or absent header has no links", "[link]") {
  CHECK(parse_link_header("").next.empty());
  CHECK(parse_link_header("   ").next.empty());
}

TEST_CASE("spacing, case and unquoted values do not matter", "[link]") {
  const PageLinks links =
      parse_link_header("  < https://h/a?page=2 >;REL=Next ,<https://h/a?page=9>  ;  rel = last  ");
  CHECK(links.next == "https://h/a?page=2");
  CHECK(links.last == "https://h/a?page=9");
}

TEST_CASE("one link may carry several relations", "[link]") {
  const PageLinks links = parse_link_header(R"(<https://h/a?page=2>; rel="next last")");
  CHECK(links.next == "https://h/a?page=2");
  CHECK(links.last == "https://h/a?page=2");
}

TEST_CASE("commas and semicolons inside the brackets belong to the URL", "[link]") {
  const PageLinks links = parse_link_header(R"(<https://h/search?q=a,b;c&page=2>; rel="next", )"
                                            R"(<https://h/search?q=a,b;c&page=5>; rel="last")");
  CHECK(links.next == "https://h/search?q=a,b;c&page=2");
  CHECK(links.last == "https://h/search?q=a,b;c&page=5");
}

TEST_CASE("other parameters and relations are skipped", "[link]") {
  const PageLinks links =
      parse_link_header(R"(<https://h/meta>; rel="describedby"; title="a, b; c", )"
                        R"(<https://h/p2>; type="x"; rel="next")");
  CHECK(links.next == "https://h/p2");
  CHECK(links.last.empty());
}

TEST_CASE("the first link of a relation wins", "[link]") {
  const PageLinks links =
      parse_link_header(R"(<https://h/p2>; rel="next", <https://h/p3>; rel="next")");
  CHECK(links.next == "https://h/p2");
}

TEST_CASE("malformed parts are skipped without harm", "[link]") {
  CHECK(parse_link_header(R"(<https://h/p2; rel="next")").next.empty());  // no '>'
  CHECK(parse_link_header(R"(https://h/p2; rel="next")").next.empty());   // no '<'
  CHECK(parse_link_header(R"(<https://h/p2>; rel)").next.empty());        // rel without value
  CHECK(parse_link_header(R"(<https://h/p2>; rel="next)").next == "https://h/p2");  // open quote
  CHECK(parse_link_header(R"(<>; rel="next", <https://h/p3>; rel="next")").next == "https://h/p3");
  CHECK(parse_link_header(R"(garbage, <https://h/p4>; rel=next)").next == "https://h/p4");
}
