// UTC instants with one-second resolution and half-open ranges of them, written and read
// as GitHub search qualifiers (`created:2020-01-01T00:00:00Z..2020-06-30T23:59:59Z`).
//
// One representation everywhere: a range is [from, to), half-open. GitHub's `a..b` is
// inclusive at both ends, so a range is written as from..(to - 1 s). Two ranges that
// share an edge, [a, m) and [m, b), are then written a..(m-1) and m..(b-1): a repository
// created at second m - 1 falls in the first only, one created at m in the second only.
// Whole seconds suffice because GitHub's created_at has whole seconds.
//
// Civil dates are computed with H. Hinnant's days-from-civil algorithms: no gmtime, no
// locale, no time zone database, safe on any thread.
#ifndef GH_INGEST_CORE_DATE_RANGE_H_
#define GH_INGEST_CORE_DATE_RANGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace gh {

// A UTC instant, in whole seconds since 1970-01-01T00:00:00Z.
struct Instant {
  std::int64_t epoch_seconds = 0;

  // The bounds the parser and formatter support: years 0000 to 9999. They also stand for
  // "unbounded" in a parsed qualifier such as `created:>=2020-01-01`.
  static constexpr Instant earliest() { return Instant{-62'167'219'200}; }  // 0000-01-01
  static constexpr Instant latest() { return Instant{253'402'300'800}; }    // 10000-01-01

  friend constexpr bool operator==(Instant a, Instant b) {
    return a.epoch_seconds == b.epoch_seconds;
  }
  friend constexpr bool operator!=(Instant a, Instant b) {
    return a.epoch_seconds != b.epoch_seconds;
  }
  friend constexpr bool operator<(Instant a, Instant b) {
    return a.epoch_seconds < b.epoch_seconds;
  }
  friend constexpr bool operator<=(Instant a, Instant b) {
    return a.epoch_seconds <= b.epoch_seconds;
  }
  friend constexpr bool operator>(Instant a, Instant b) {
    return a.epoch_seconds > b.epoch_seconds;
  }
  friend constexpr bool operator>=(Instant a, Instant b) {
    return a.epoch_seconds >= b.epoch_seconds;
  }
  friend constexpr Instant operator+(Instant a, std::int64_t seconds) {
    return Instant{a.epoch_seconds + seconds};
  }
  friend constexpr Instant operator-(Instant a, std::int64_t seconds) {
    return Instant{a.epoch_seconds - seconds};
  }
  friend constexpr std::int64_t operator-(Instant a, Instant b) {
    return a.epoch_seconds - b.epoch_seconds;
  }
};

// The clock's millisecond TimePoint, floored to the second (so "now" as an exclusive
// upper bound never lies in the future), and back.
Instant to_instant(TimePoint t);
TimePoint to_time_point(Instant t);

// A broken-down UTC date and time (proleptic Gregorian calendar).
struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// Days since 1970-01-01 of a civil date, and back; any date the int64 range allows.
std::int64_t days_from_civil(std::int64_t year, int month, int day);
CivilTime to_civil(Instant t);
// nullopt when a field is out of range (2021-02-29, 13th month, 24:00:00, year > 9999).
std::optional<Instant> from_civil(const CivilTime& civil);

// "2020-01-01T00:00:00Z".
std::string format_instant(Instant t);

// A half-open range of instants, [from, to). Empty when to <= from.
struct DateRange {
  Instant from;
  Instant to;

  bool empty() const { return to <= from; }
  std::int64_t seconds() const { return empty() ? 0 : to - from; }
  bool contains(Instant t) const { return from <= t && t < to; }
  // Whether the range can be bisected: it holds at least two seconds.
  bool splittable() const { return seconds() >= 2; }
  // The bisection point: both [from, mid) and [mid, to) are non-empty when splittable().
  Instant midpoint() const { return from + (to - from) / 2; }
  DateRange lower_half() const { return {from, midpoint()}; }
  DateRange upper_half() const { return {midpoint(), to}; }
  DateRange intersect(const DateRange& other) const;

  // `created:2020-01-01T00:00:00Z..2020-06-30T23:59:59Z` (inclusive end = to - 1 s).
  // Must not be called on an empty range.
  std::string qualifier(std::string_view field = "created") const;

  friend bool operator==(const DateRange& a, const DateRange& b) {
    return a.from == b.from && a.to == b.to;
  }
  friend bool operator!=(const DateRange& a, const DateRange& b) { return !(a == b); }
};

// Parses a GitHub search date: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS`,
// each time optionally followed by `Z` or a `+HH:MM` / `-HH:MM` UTC offset. A date or
// time without an offset is read as UTC (GitHub does not document another zone for
// dates; our own queries always say Z). The result is the whole span the text names:
// a date is one day, a time without seconds one minute, a time with seconds one second.
std::optional<DateRange> parse_date_span(std::string_view text);

// Parses the value of a date qualifier (what follows `created:`), as GitHub reads it:
// `D` (the span D names), `>D`, `>=D`, `<D`, `<=D`, `A..B` (inclusive: from the start of
// A's span to the end of B's), `A..*`, `*..B`, optionally in double quotes. An open end
// becomes Instant::earliest() or Instant::latest(). `created:>2016-04-29` thus starts at
// 2016-04-30T00:00:00Z and `created:<=2012-07-04` ends (exclusive) at 2012-07-05T00:00:00Z.
// nullopt for anything else, so a query is never silently misread.
std::optional<DateRange> parse_date_qualifier_value(std::string_view value);

}  // namespace gh

#endif  // GH_INGEST_CORE_DATE_RANGE_H_
