#include <cstdint>
#include <random>
#include <string>

#include "catch.h"
#include "core/clock.h"
#include "core/date_range.h"

using namespace gh;

namespace {

Instant at(const char* text) {
  const auto span = parse_date_span(text);
  REQUIRE(span.has_value());
  return span->from;
}

}  // namespace

TEST_CASE("civil dates convert both ways without gmtime", "[date]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) == 11'017);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(format_instant(Instant{0}) == "1970-01-01T00:00:00Z");
  CHECK(format_instant(Instant{-1}) == "1969-12-31T23:59:59Z");
  CHECK(format_instant(Instant{951'782'400}) == "2000-02-29T00:00:00Z");
  CHECK(format_instant(Instant{1'191'196'800}) == "2007-10-01T00:00:00Z");
  CHECK(format_instant(Instant::earliest()) == "0000-01-01T00:00:00Z");
  CHECK(format_instant(Instant::latest() - 1) == "9999-12-31T23:59:59Z");

  const CivilTime c = to_civil(Instant{1'700'000'000});
  CHECK(c.year == 2023);
  CHECK(c.month == 11);
  CHECK(c.day == 14);
  CHECK(c.hour == 22);
  CHECK(c.minute == 13);
  CHECK(c.second == 20);
  CHECK(from_civil(c) == Instant{1'700'000'000});
}

TEST_CASE("formatting round-trips through civil time and parsing over many instants", "[date]") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> any(Instant{0}.epoch_seconds,
                                                  Instant::latest().epoch_seconds - 1);
  for (int i = 0; i < 20'000; ++i) {
    const Instant t{any(rng)};
    const std::string text = format_instant(t);
    REQUIRE(from_civil(to_civil(t)) == t);
    const auto span = parse_date_span(text);
    REQUIRE(span.has_value());
    REQUIRE(span->from == t);
    REQUIRE(span->seconds() == 1);
  }
}

TEST_CASE("invalid civil fields are refused", "[date]") {
  CHECK_FALSE(from_civil({2021, 2, 29, 0, 0, 0}).has_value());
  CHECK(from_civil({2024, 2, 29, 0, 0, 0}).has_value());
  CHECK(from_civil({2000, 2, 29, 0, 0, 0}).has_value());
  CHECK_FALSE(from_civil({1900, 2, 29, 0, 0, 0}).has_value());
  CHECK_FALSE(from_civil({2020, 13, 1, 0, 0, 0}).has_value());
  CHECK_FALSE(from_civil({2020, 4, 31, 0, 0, 0}).has_value());
  CHECK_FALSE(from_civil({2020, 1, 1, 24, 0, 0}).has_value());
  CHECK_FALSE(from_civil({2020, 1, 1, 23, 60, 0}).has_value());
  CHECK_FALSE(from_civil({2020, 1, 1, 23, 59, 60}).has_value());
}

TEST_CASE("TimePoints floor to whole seconds", "[date]") {
  CHECK(to_instant(from_epoch_seconds(1'600'000'000) + Millis(999)) == Instant{1'600'000'000});
  CHECK(to_instant(TimePoint(Millis(-1))) == Instant{-1});
  CHECK(to_epoch_seconds(to_time_point(Instant{42})) == 42);
}

TEST_CASE("dates and datetimes parse to the span they name", "[date]") {
  const auto day = parse_date_span("2020-01-01");
  REQUIRE(day.has_value());
  CHECK(format_instant(day->from) == "2020-01-01T00:00:00Z");
  CHECK(day->seconds() == 86'400);

  const auto minute = parse_date_span("2020-01-01T12:30");
  REQUIRE(minute.has_value());
  CHECK(format_instant(minute->from) == "2020-01-01T12:30:00Z");
  CHECK(minute->seconds() == 60);

  const auto second = parse_date_span("2020-01-01T12:00:00Z");
  REQUIRE(second.has_value());
  CHECK(format_instant(second->from) == "2020-01-01T12:00:00Z");
  CHECK(second->seconds() == 1);
  CHECK(parse_date_span("2020-01-01T12:00:00") == second);

  // GitHub's documented example: a +07:00 offset is seven hours ahead of UTC.
  CHECK(format_instant(at("2017-01-01T01:00:00+07:00")) == "2016-12-31T18:00:00Z");
  CHECK(format_instant(at("2017-03-01T15:30:15-02:30")) == "2017-03-01T18:00:15Z");
  CHECK(at("2020-06-01T00:00:00+00:00") == at("2020-06-01T00:00:00Z"));

  for (const char* bad :
       {"", "2020", "2020-1-01", "2020-01-01T", "2020-01-01T12", "2020-01-01 12:00:00",
        "2020-01-01T12:00:00ZZ", "2020-01-01T12:00:00+7:00", "2020/01/01", "2021-02-29",
        "2020-01-01Z", "2020-01-01T12:00:00.5Z", "yesterday"}) {
    INFO(bad);
    CHECK_FALSE(parse_date_span(bad).has_value());
  }
}

TEST_CASE("qualifier values parse as GitHub reads them", "[date]") {
  const Instant lo = Instant::earliest();
  const Instant hi = Instant::latest();
  // created:>2016-04-29 is after that whole day; created:>=2017-04-01 includes it.
  CHECK(parse_date_qualifier_value(">2016-04-29") == DateRange{at("2016-04-30"), hi});
  CHECK(parse_date_qualifier_value(">=2017-04-01") == DateRange{at("2017-04-01"), hi});
  CHECK(parse_date_qualifier_value("<2012-07-05") == DateRange{lo, at("2012-07-05")});
  CHECK(parse_date_qualifier_value("<=2012-07-04") == DateRange{lo, at("2012-07-05")});
  CHECK(parse_date_qualifier_value("2016-04-30..2016-07-04") ==
        DateRange{at("2016-04-30"), at("2016-07-05")});
  CHECK(parse_date_qualifier_value("2012-04-30..*") == DateRange{at("2012-04-30"), hi});
  CHECK(parse_date_qualifier_value("*..2012-07-04") == DateRange{lo, at("2012-07-05")});
  CHECK(parse_date_qualifier_value("\"*..2012-07-04\"") == DateRange{lo, at("2012-07-05")});
  CHECK(parse_date_qualifier_value("2020-01-01") == DateRange{at("2020-01-01"), at("2020-01-02")});
  CHECK(parse_date_qualifier_value("2016-03-21T14:11:00Z..2016-04-07T20:45:00Z") ==
        DateRange{at("2016-03-21T14:11:00Z"), at("2016-04-07T20:45:01Z")});
  CHECK(parse_date_qualifier_value(">2020-01-01T00:00:00Z") ==
        DateRange{at("2020-01-01T00:00:01Z"), hi});
  for (const char* bad :
       {"", ">", ">=", "..", "2020-01-01..", "2020-01-01...2020-02-01", ">=2020-01-01..2020-02-01",
        "=2020-01-01", "2020-13-01", "\"2020-01-01"}) {
    INFO(bad);
    CHECK_FALSE(parse_date_qualifier_value(bad).has_value());
  }
}

TEST_CASE("a range is written with GitHub's inclusive end and reads back exactly", "[date]") {
  const DateRange half{at("2020-01-01"), at("2020-07-01")};
  CHECK(half.qualifier() == "created:2020-01-01T00:00:00Z..2020-06-30T23:59:59Z");
  CHECK(half.qualifier("pushed") == "pushed:2020-01-01T00:00:00Z..2020-06-30T23:59:59Z");
  const DateRange one{at("2020-01-01T00:00:00Z"), at("2020-01-01T00:00:01Z")};
  CHECK(one.qualifier() == "created:2020-01-01T00:00:00Z..2020-01-01T00:00:00Z");

  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> any(at("2007-10-01").epoch_seconds,
                                                  at("2030-01-01").epoch_seconds);
  for (int i = 0; i < 5'000; ++i) {
    Instant a{any(rng)};
    Instant b{any(rng)};
    if (b < a) std::swap(a, b);
    const DateRange r{a, b + 1};
    const std::string q = r.qualifier();
    REQUIRE(q.substr(0, 8) == "created:");
    REQUIRE(parse_date_qualifier_value(q.substr(8)) == r);
  }
}

TEST_CASE("adjacent ranges written as qualifiers leave no gap and no overlap", "[date]") {
  std::mt19937_64 rng(3);
  const Instant from = at("2008-01-01");
  const Instant to = at("2025-01-01");
  std::uniform_int_distribution<std::int64_t> any(from.epoch_seconds + 1, to.epoch_seconds - 1);
  for (int i = 0; i < 2'000; ++i) {
    const Instant mid{any(rng)};
    const auto left = parse_date_qualifier_value(DateRange{from, mid}.qualifier().substr(8));
    const auto right = parse_date_qualifier_value(DateRange{mid, to}.qualifier().substr(8));
    REQUIRE(left.has_value());
    REQUIRE(right.has_value());
    // The second before the edge belongs to the left only, the edge to the right only.
    REQUIRE(left->contains(mid - 1));
    REQUIRE_FALSE(right->contains(mid - 1));
    REQUIRE(right->contains(mid));
    REQUIRE_FALSE(left->contains(mid));
    REQUIRE(left->to == right->from);
    REQUIRE(left->from == from);
    REQUIRE(right->to == to);
  }
}

TEST_CASE("bisection halves a range into two non-empty adjacent parts", "[date]") {
  const DateRange r{Instant{100}, Instant{105}};
  CHECK(r.splittable());
  CHECK(r.midpoint() == Instant{102});
  CHECK(r.lower_half() == DateRange{Instant{100}, Instant{102}});
  CHECK(r.upper_half() == DateRange{Instant{102}, Instant{105}});

  const DateRange two{Instant{7}, Instant{9}};
  CHECK(two.lower_half() == DateRange{Instant{7}, Instant{8}});
  CHECK(two.upper_half() == DateRange{Instant{8}, Instant{9}});

  const DateRange one{Instant{7}, Instant{8}};
  CHECK_FALSE(one.splittable());
  CHECK(one.seconds() == 1);
  CHECK(DateRange{Instant{8}, Instant{8}}.empty());
  CHECK(DateRange{Instant{9}, Instant{8}}.seconds() == 0);

  // Repeated halving always ends at one second, with the halves' sizes adding up.
  DateRange big{at("2007-10-01"), at("2030-01-01")};
  int steps = 0;
  while (big.splittable()) {
    REQUIRE(big.lower_half().seconds() + big.upper_half().seconds() == big.seconds());
    REQUIRE_FALSE(big.lower_half().empty());
    REQUIRE_FALSE(big.upper_half().empty());
    big = big.upper_half();
    ++steps;
  }
  CHECK(big.seconds() == 1);
  CHECK(steps <= 30);

  CHECK(DateRange{Instant{0}, Instant{10}}.intersect({Instant{5}, Instant{20}}) ==
        DateRange{Instant{5}, Instant{10}});
  CHECK(DateRange{Instant{0}, Instant{10}}.intersect({Instant{15}, Instant{20}}).empty());
}
