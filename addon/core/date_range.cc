#include "core/date_range.h"

#include <algorithm>
#include <cstdio>

namespace gh {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

// Floor division: the civil algorithms need days rounded towards minus infinity.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool is_leap(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(std::int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap(year)) return 29;
  return kDays[month - 1];
}

// Reads exactly `width` decimal digits at text[pos]; nullopt otherwise.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

Instant to_instant(TimePoint t) {
  return Instant{std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count()};
}

TimePoint to_time_point(Instant t) { return from_epoch_seconds(t.epoch_seconds); }

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const std::int64_t yoe = year - era * 400;                       // [0, 399]
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;       // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146'097 + doe - 719'468;
}

CivilTime to_civil(Instant t) {
  const std::int64_t days = floor_div(t.epoch_seconds, kSecondsPerDay);
  const std::int64_t rem = t.epoch_seconds - days * kSecondsPerDay;
  const std::int64_t z = days + 719'468;
  const std::int64_t era = floor_div(z, 146'097);
  const std::int64_t doe = z - era * 146'097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  CivilTime civil;
  civil.year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  civil.month = static_cast<int>(month);
  civil.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  civil.hour = static_cast<int>(rem / 3600);
  civil.minute = static_cast<int>(rem % 3600 / 60);
  civil.second = static_cast<int>(rem % 60);
  return civil;
}

std::optional<Instant> from_civil(const CivilTime& c) {
  if (c.year < 0 || c.year > 9999 || c.month < 1 || c.month > 12) return std::nullopt;
  if (c.day < 1 || c.day > days_in_month(c.year, c.month)) return std::nullopt;
  if (c.hour < 0 || c.hour > 23 || c.minute < 0 || c.minute > 59) return std::nullopt;
  // No leap seconds: GitHub's timestamps, like Unix time, never show :60.
  if (c.second < 0 || c.second > 59) return std::nullopt;
  return Instant{days_from_civil(c.year, c.month, c.day) * kSecondsPerDay + c.hour * 3600 +
                 c.minute * 60 + c.second};
}

std::string format_instant(Instant t) {
  const CivilTime c = to_civil(t);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return text;
}

std::optional<DateRange> parse_date_span(std::string_view text) {
  // YYYY-MM-DD
  CivilTime c;
  const auto year = read_digits(text, 0, 4);
  const auto month = read_digits(text, 5, 2);
  const auto day = read_digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  c.year = *year;
  c.month = *month;
  c.day = *day;
  std::int64_t span = kSecondsPerDay;
  std::size_t pos = 10;
  std::int64_t offset = 0;  // seconds east of UTC
  if (pos < text.size()) {
    // THH:MM[:SS][Z|+HH:MM|-HH:MM]
    if (text[pos] != 'T') return std::nullopt;
    const auto hour = read_digits(text, pos + 1, 2);
    const auto minute = read_digits(text, pos + 4, 2);
    if (!hour || !minute || text[pos + 3] != ':') return std::nullopt;
    c.hour = *hour;
    c.minute = *minute;
    span = 60;
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      const auto second = read_digits(text, pos + 1, 2);
      if (!second) return std::nullopt;
      c.second = *second;
      span = 1;
      pos += 3;
    }
    if (pos < text.size() && text[pos] == 'Z') {
      pos += 1;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      const auto off_hours = read_digits(text, pos + 1, 2);
      const auto off_minutes = read_digits(text, pos + 4, 2);
      if (!off_hours || !off_minutes || text[pos + 3] != ':' || *off_hours > 23 ||
          *off_minutes > 59) {
        return std::nullopt;
      }
      offset = (*off_hours * 3600 + *off_minutes * 60) * (text[pos] == '-' ? -1 : 1);
      pos += 6;
    }
  }
  if (pos != text.size()) return std::nullopt;
  const auto local = from_civil(c);
  if (!local) return std::nullopt;
  // Local time = UTC + offset.
  const Instant from = *local - offset;
  return DateRange{from, from + span};
}

DateRange DateRange::intersect(const DateRange& other) const {
  return DateRange{std::max(from, other.from), std::min(to, other.to)};
}

std::string DateRange::qualifier(std::string_view field) const {
  std::string text(field);
  text += ':';
  text += format_instant(from);
  text += "..";
  text += format_instant(to - 1);  // GitHub's a..b includes b
  return text;
}

std::optional<DateRange> parse_date_qualifier_value(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  const auto starts_with = [&](std::string_view prefix) {
    return value.substr(0, prefix.size()) == prefix;
  };
  const Instant earliest = Instant::earliest();
  const Instant latest = Instant::latest();
  if (starts_with(">=") || starts_with("<=")) {
    const auto span = parse_date_span(value.substr(2));
    if (!span) return std::nullopt;
    if (value[0] == '>') return DateRange{span->from, latest};
    return DateRange{earliest, span->to};
  }
  if (starts_with(">") || starts_with("<")) {
    const auto span = parse_date_span(value.substr(1));
    if (!span) return std::nullopt;
    // `>D` starts after D's whole span: `>2016-04-29` is from April 30th on.
    if (value[0] == '>') return DateRange{span->to, latest};
    return DateRange{earliest, span->from};
  }
  const std::size_t dots = value.find("..");
  if (dots != std::string_view::npos) {
    const std::string_view a = value.substr(0, dots);
    const std::string_view b = value.substr(dots + 2);
    DateRange range{earliest, latest};
    if (a != "*") {
      const auto span = parse_date_span(a);
      if (!span) return std::nullopt;
      range.from = span->from;
    }
    if (b != "*") {
      const auto span = parse_date_span(b);
      if (!span) return std::nullopt;
      range.to = span->to;
    }
    return range;
  }
  return parse_date_span(value);
}

}  // namespace gh
