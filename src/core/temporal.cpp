// Date, Time, DateTime and Interval: their parsers and formatters (the forms
// PostgreSQL, SQLite and Python print) and chrono conversions.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "alchemy/core/value.hpp"
#include "alchemy/exc.hpp"
#include "core/value_text.hpp"

namespace alchemy {
namespace {
using namespace value_text;

// ---------------------------------------------------------------------------
// Calendar helpers (proleptic Gregorian, astronomical year numbering: 1 BC = 0)

constexpr std::int32_t kMinYear = -9998;  // 9999 BC
constexpr std::int32_t kMaxYear = 9999;

bool is_leap(std::int32_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(std::int32_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

std::string year_text(std::int32_t y) {
  // 4+ digits, as PostgreSQL and Python write years.
  return fmt::format("{:04}", y);
}

// Reads "YYYY-MM-DD"; the day is checked against the month once the era is known.
Date scan_date(Scanner& sc) {
  Date d;
  const int y = sc.digits(4, "year");
  sc.expect('-', "year");
  const int m = sc.digits(2, "month");
  sc.expect('-', "month");
  const int day = sc.digits(2, "day");
  if (y == 0) sc.fail("year 0000 does not exist (1 BC is written 0001-01-01 BC)");
  if (m < 1 || m > 12) sc.fail(fmt::format("month {:02} is not in 01..12", m));
  if (day < 1 || day > 31) sc.fail(fmt::format("day {:02} is not in 01..31", day));
  d.year = y;
  d.month = static_cast<std::uint8_t>(m);
  d.day = static_cast<std::uint8_t>(day);
  return d;
}

void finish_date(Scanner& sc, Date& d, bool bc) {
  if (bc) d.year = 1 - d.year;
  if (d.day > days_in_month(d.year, d.month)) {
    sc.fail(fmt::format("{} has only {} days in {}{}", d.month == 2 ? "February" : "the month",
                        days_in_month(d.year, d.month), year_text(bc ? 1 - d.year : d.year),
                        bc ? " BC" : ""));
  }
}

// Reads up to 6 fraction digits after '.', right-padded to microseconds.
// Extra digits are truncated, as Python's datetime.fromisoformat() does.
std::uint32_t scan_fraction(Scanner& sc) {
  if (!is_digit(sc.peek())) sc.fail("expected digits after '.'");
  std::uint32_t us = 0;
  int n = 0;
  while (is_digit(sc.peek())) {
    if (n < 6) {
      us = us * 10 + static_cast<std::uint32_t>(sc.peek() - '0');
      ++n;
    }
    ++sc.pos;
  }
  for (; n < 6; ++n) us *= 10;
  return us;
}

Time scan_time(Scanner& sc) {
  Time t;
  const int h = sc.digits(2, "hour");
  sc.expect(':', "hour");
  const int m = sc.digits(2, "minute");
  int s = 0;
  std::uint32_t us = 0;
  if (sc.eat(':')) {
    s = sc.digits(2, "second");
    if (sc.eat('.')) us = scan_fraction(sc);
  }
  if (h == 24 && m == 0 && s == 0 && us == 0)
    sc.fail(
        "24:00:00 (PostgreSQL's end of day) has no Time equivalent; use 00:00:00 of the "
        "next day");
  if (h > 23) sc.fail(fmt::format("hour {:02} is not in 00..23", h));
  if (m > 59) sc.fail(fmt::format("minute {:02} is not in 00..59", m));
  if (s > 59) sc.fail(fmt::format("second {:02} is not in 00..59", s));
  t.hour = static_cast<std::uint8_t>(h);
  t.minute = static_cast<std::uint8_t>(m);
  t.second = static_cast<std::uint8_t>(s);
  t.microsecond = us;
  return t;
}

// "Z", "+HH", "+HHMM", "+HHMMSS", "+HH:MM", "+HH:MM:SS"; returns seconds east of UTC.
std::optional<std::int32_t> scan_offset(Scanner& sc) {
  if (sc.eat('Z') || sc.eat('z')) return 0;
  const char c = sc.peek();
  if (c != '+' && c != '-') return std::nullopt;
  ++sc.pos;
  const int h = sc.digits(2, "UTC offset hour");
  int m = 0;
  int s = 0;
  if (sc.eat(':')) {
    m = sc.digits(2, "UTC offset minute");
    if (sc.eat(':')) s = sc.digits(2, "UTC offset second");
  } else if (is_digit(sc.peek())) {
    m = sc.digits(2, "UTC offset minute");
    if (is_digit(sc.peek())) s = sc.digits(2, "UTC offset second");
  }
  if (h > 23 || m > 59 || s > 59)
    sc.fail("the UTC offset must be less than 24 hours, with minutes and seconds below 60");
  const std::int32_t off = h * 3600 + m * 60 + s;
  return c == '-' ? -off : off;
}

constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kUsPerMinute = 60 * kUsPerSecond;
constexpr std::int64_t kUsPerHour = 60 * kUsPerMinute;
constexpr std::int64_t kUsPerDay = 24 * kUsPerHour;

// ---------------------------------------------------------------------------
// Interval helpers

bool add_checked(std::int64_t& acc, std::int64_t v) {
  return !__builtin_add_overflow(acc, v, &acc);
}
bool mul_checked(std::int64_t a, std::int64_t b, std::int64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

// A number as written in interval text: sign, integer part, and the fraction
// in billionths (digits beyond the ninth are truncated).
struct IntervalNumber {
  bool neg = false;
  std::int64_t whole = 0;
  std::int64_t nanos = 0;  // 0..999'999'999
  bool has_fraction = false;
};

// fraction (in billionths) x unit, truncated; exact in int64 for any unit.
std::int64_t fraction_of(std::int64_t nanos, std::int64_t unit) {
  constexpr std::int64_t kBillion = 1'000'000'000;
  return nanos * (unit / kBillion) + nanos * (unit % kBillion) / kBillion;
}

enum class IntervalUnit { year, month, week, day, hour, minute, second, millisecond, microsecond };

std::optional<IntervalUnit> interval_unit(std::string_view w) {
  struct Entry {
    IntervalUnit unit;
    std::string_view names[5];
  };
  // PostgreSQL's spellings (datetktbl / deltatktbl) plus the long forms.
  static constexpr Entry kUnits[] = {
      {IntervalUnit::year, {"y", "yr", "yrs", "year", "years"}},
      {IntervalUnit::month, {"mon", "mons", "month", "months"}},
      {IntervalUnit::week, {"w", "week", "weeks"}},
      {IntervalUnit::day, {"d", "day", "days"}},
      {IntervalUnit::hour, {"h", "hr", "hrs", "hour", "hours"}},
      {IntervalUnit::minute, {"m", "min", "mins", "minute", "minutes"}},
      {IntervalUnit::second, {"s", "sec", "secs", "second", "seconds"}},
      {IntervalUnit::millisecond, {"ms", "msec", "msecs", "millisecond", "milliseconds"}},
      {IntervalUnit::microsecond, {"us", "usec", "usecs", "microsecond", "microseconds"}},
  };
  for (const auto& e : kUnits)
    for (std::string_view name : e.names)
      if (!name.empty() && iequals(w, name)) return e.unit;
  return std::nullopt;
}

// Accumulates interval fields in 64 bits; narrowed (with a check) at the end.
struct IntervalBuilder {
  Scanner& sc;
  std::int64_t months = 0;
  std::int64_t days = 0;
  std::int64_t micros = 0;

  [[noreturn]] void overflow() const { sc.fail("the interval is out of range"); }

  void add(std::int64_t& field, std::int64_t whole, std::int64_t unit) {
    std::int64_t v = 0;
    if (!mul_checked(whole, unit, v) || !add_checked(field, v)) overflow();
  }
  // Adds a fraction of a day-or-longer unit: whole days go to `days`, the rest
  // to `micros`, as PostgreSQL cascades fractional months and weeks.
  void add_fraction_days(std::int64_t nanos, std::int64_t unit_days, bool neg) {
    const std::int64_t us = fraction_of(nanos, unit_days * kUsPerDay);
    const std::int64_t d = us / kUsPerDay;
    const std::int64_t rest = us % kUsPerDay;
    if (!add_checked(days, neg ? -d : d) || !add_checked(micros, neg ? -rest : rest)) overflow();
  }

  void add(const IntervalNumber& n, IntervalUnit unit) {
    const std::int64_t sign = n.neg ? -1 : 1;
    const std::int64_t whole = sign * n.whole;
    switch (unit) {
      case IntervalUnit::year: {
        add(months, whole, 12);
        // PostgreSQL rounds a fractional year to whole months.
        const std::int64_t m = (n.nanos * 12 + 500'000'000) / 1'000'000'000;
        if (!add_checked(months, sign * m)) overflow();
        break;
      }
      case IntervalUnit::month:
        add(months, whole, 1);
        add_fraction_days(n.nanos, 30, n.neg);
        break;
      case IntervalUnit::week:
        add(days, whole, 7);
        add_fraction_days(n.nanos, 7, n.neg);
        break;
      case IntervalUnit::day:
        add(days, whole, 1);
        add_fraction_days(n.nanos, 1, n.neg);
        break;
      case IntervalUnit::hour:
      case IntervalUnit::minute:
      case IntervalUnit::second:
      case IntervalUnit::millisecond:
      case IntervalUnit::microsecond: {
        const std::int64_t u = unit == IntervalUnit::hour          ? kUsPerHour
                               : unit == IntervalUnit::minute      ? kUsPerMinute
                               : unit == IntervalUnit::second      ? kUsPerSecond
                               : unit == IntervalUnit::millisecond ? 1000
                                                                   : 1;
        add(micros, whole, u);
        if (!add_checked(micros, sign * fraction_of(n.nanos, u))) overflow();
        break;
      }
    }
  }

  Interval finish(bool negate) {
    if (negate) {
      if (micros == std::numeric_limits<std::int64_t>::min()) overflow();
      months = -months;
      days = -days;
      micros = -micros;
    }
    constexpr std::int64_t lo = std::numeric_limits<std::int32_t>::min();
    constexpr std::int64_t hi = std::numeric_limits<std::int32_t>::max();
    if (months < lo || months > hi || days < lo || days > hi) overflow();
    Interval iv;
    iv.months = static_cast<std::int32_t>(months);
    iv.days = static_cast<std::int32_t>(days);
    iv.microseconds = micros;
    return iv;
  }
};

// Reads [+-]digits[.digits] (or [+-].digits).
IntervalNumber scan_interval_number(Scanner& sc) {
  IntervalNumber n;
  if (sc.peek() == '+' || sc.peek() == '-') n.neg = sc.text[sc.pos++] == '-';
  if (!is_digit(sc.peek()) && !(sc.peek() == '.' && is_digit(sc.peek(1))))
    sc.fail("expected a number");
  while (is_digit(sc.peek())) {
    if (!mul_checked(n.whole, 10, n.whole) || !add_checked(n.whole, sc.peek() - '0'))
      sc.fail("a number is too large");
    ++sc.pos;
  }
  if (sc.peek() == '.') {
    ++sc.pos;
    n.has_fraction = true;
    int k = 0;
    while (is_digit(sc.peek())) {
      if (k < 9) {
        n.nanos = n.nanos * 10 + (sc.peek() - '0');
        ++k;
      }
      ++sc.pos;
    }
    for (; k < 9; ++k) n.nanos *= 10;
  }
  return n;
}

std::string_view scan_word(Scanner& sc) {
  const std::size_t begin = sc.pos;
  while (!sc.done() &&
         ((sc.peek() >= 'a' && sc.peek() <= 'z') || (sc.peek() >= 'A' && sc.peek() <= 'Z')))
    ++sc.pos;
  return sc.text.substr(begin, sc.pos - begin);
}

void skip_spaces(Scanner& sc) {
  while (!sc.done() && is_space(sc.peek())) ++sc.pos;
}

// "[+-]H+:MM[:SS[.f]]" or "[+-]MM:SS.f" (PostgreSQL reads two fields with a
// fraction as minutes and seconds). Returns signed microseconds.
std::int64_t scan_interval_time(Scanner& sc) {
  bool neg = false;
  if (sc.peek() == '+' || sc.peek() == '-') neg = sc.text[sc.pos++] == '-';
  auto field = [&](std::string_view name) {
    if (!is_digit(sc.peek())) sc.fail(fmt::format("expected the {} of the time part", name));
    std::int64_t v = 0;
    while (is_digit(sc.peek())) {
      if (!mul_checked(v, 10, v) || !add_checked(v, sc.peek() - '0'))
        sc.fail("the interval is out of range");
      ++sc.pos;
    }
    return v;
  };
  const std::int64_t first = field("hours");
  sc.expect(':', "hours of the time part");
  const std::int64_t second_field = field("minutes");
  std::int64_t h = first;
  std::int64_t m = second_field;
  std::int64_t s = 0;
  std::int64_t us = 0;
  bool minutes_seconds = false;
  if (sc.eat(':')) {
    s = field("seconds");
    if (sc.eat('.')) us = scan_fraction(sc);
  } else if (sc.eat('.')) {
    minutes_seconds = true;
    h = 0;
    m = first;
    s = second_field;
    us = scan_fraction(sc);
  }
  if (!minutes_seconds && m > 59)
    sc.fail(fmt::format("minutes {} in the time part are not in 0..59", m));
  if (s > 59) sc.fail(fmt::format("seconds {} in the time part are not in 0..59", s));
  // Accumulate with the sign applied so that the most negative value still fits.
  const std::int64_t sign = neg ? -1 : 1;
  std::int64_t total = 0;
  std::int64_t minutes_us = 0;
  if (!mul_checked(sign * h, kUsPerHour, total) ||
      !mul_checked(sign * m, kUsPerMinute, minutes_us) || !add_checked(total, minutes_us) ||
      !add_checked(total, sign * (s * kUsPerSecond + us)))
    sc.fail("the interval is out of range");
  return total;
}

Interval parse_postgres_interval(Scanner& sc) {
  IntervalBuilder b{sc};
  bool negate = false;
  bool seen_any = false;
  bool seen_time = false;
  skip_spaces(sc);
  if (sc.eat('@')) skip_spaces(sc);  // postgres_verbose style: "@ 1 day ago"
  while (!sc.done()) {
    // A time part: digits (optionally signed) followed by ':' before any space.
    std::size_t j = sc.pos;
    if (sc.peek() == '+' || sc.peek() == '-') ++j;
    while (j < sc.text.size() && is_digit(sc.text[j])) ++j;
    if (j < sc.text.size() && sc.text[j] == ':' && j > sc.pos) {
      if (seen_time) sc.fail("the time part (HH:MM:SS) appears twice");
      seen_time = true;
      const std::int64_t us = scan_interval_time(sc);
      if (!add_checked(b.micros, us)) b.overflow();
    } else if (is_digit(sc.peek()) || sc.peek() == '+' || sc.peek() == '-' || sc.peek() == '.') {
      const IntervalNumber n = scan_interval_number(sc);
      skip_spaces(sc);
      const std::size_t unit_pos = sc.pos;
      const std::string_view word = scan_word(sc);
      if (word.empty()) {
        // A bare number is seconds (PostgreSQL: '5'::interval = 00:00:05).
        if (!sc.done()) sc.fail("expected a unit (year, mon, day, ...) after a number");
        b.add(n, IntervalUnit::second);
      } else if (iequals(word, "ago")) {
        sc.fail("expected a unit (year, mon, day, ...) after a number");
      } else if (auto unit = interval_unit(word)) {
        b.add(n, *unit);
      } else {
        sc.pos = unit_pos;
        sc.fail(fmt::format("unknown unit '{}'", word));
      }
    } else {
      const std::string_view word = scan_word(sc);
      skip_spaces(sc);
      if (iequals(word, "ago") && sc.done() && seen_any) {
        negate = true;
        break;
      }
      if (word.empty()) sc.fail(fmt::format("unexpected character '{}'", sc.peek()));
      sc.fail(fmt::format("unexpected word '{}'", word));
    }
    seen_any = true;
    if (!sc.done() && !is_space(sc.peek()))
      sc.fail(fmt::format("unexpected character '{}'", sc.peek()));
    skip_spaces(sc);
  }
  if (!seen_any) sc.fail("the text is empty");
  return b.finish(negate);
}

// ISO 8601 "format with designators": [+-]P[nY][nM][nW][nD][T[nH][nM][nS]], each n
// optionally signed and fractional (PostgreSQL's iso_8601 style writes "P-1Y-2M3DT-4H").
Interval parse_iso_interval(Scanner& sc) {
  IntervalBuilder b{sc};
  bool negate = false;
  if (sc.peek() == '+' || sc.peek() == '-') negate = sc.text[sc.pos++] == '-';
  if (!sc.eat('P') && !sc.eat('p')) sc.fail("expected 'P'");
  bool in_time = false;
  bool any = false;
  while (!sc.done()) {
    if (sc.peek() == 'T' || sc.peek() == 't') {
      if (in_time) sc.fail("'T' appears twice");
      in_time = true;
      ++sc.pos;
      if (sc.done()) sc.fail("expected hours, minutes or seconds after 'T'");
      continue;
    }
    const IntervalNumber n = scan_interval_number(sc);
    const char d =
        static_cast<char>(sc.peek() >= 'a' && sc.peek() <= 'z' ? sc.peek() - 'a' + 'A' : sc.peek());
    std::optional<IntervalUnit> unit;
    if (!in_time) {
      if (d == 'Y') unit = IntervalUnit::year;
      if (d == 'M') unit = IntervalUnit::month;
      if (d == 'W') unit = IntervalUnit::week;
      if (d == 'D') unit = IntervalUnit::day;
    } else {
      if (d == 'H') unit = IntervalUnit::hour;
      if (d == 'M') unit = IntervalUnit::minute;
      if (d == 'S') unit = IntervalUnit::second;
    }
    if (!unit) {
      if (sc.done()) sc.fail("a number has no designator (Y, M, W, D, or H, M, S after 'T')");
      sc.fail(fmt::format("unexpected designator '{}'{}", sc.peek(),
                          in_time ? " after 'T'" : " before 'T'"));
    }
    ++sc.pos;
    b.add(n, *unit);
    any = true;
  }
  if (!any) sc.fail("the duration has no components (write PT0S for zero)");
  return b.finish(negate);
}

}  // namespace

// ---------------------------------------------------------------------------
// Date

Date Date::from_chrono(std::chrono::year_month_day ymd) {
  const int y = static_cast<int>(ymd.year());
  if (!ymd.ok())
    throw ArgumentError(fmt::format("{}-{:02}-{:02} is not a valid date", y,
                                    static_cast<unsigned>(ymd.month()),
                                    static_cast<unsigned>(ymd.day())));
  if (y < kMinYear || y > kMaxYear)
    throw ArgumentError(fmt::format(
        "year {} is out of range for Date; the supported years are 9999 BC ({}) to 9999", y,
        kMinYear));
  Date d;
  d.year = y;
  d.month = static_cast<std::uint8_t>(static_cast<unsigned>(ymd.month()));
  d.day = static_cast<std::uint8_t>(static_cast<unsigned>(ymd.day()));
  return d;
}

std::chrono::year_month_day Date::to_chrono() const {
  return std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                     std::chrono::day{day}};
}

Date Date::parse(std::string_view text) {
  Scanner sc{text, "Date", kDateForm};
  Date d = scan_date(sc);
  const bool bc = sc.eat_bc();
  if (!sc.done()) {
    if (sc.peek() == ' ' || sc.peek() == 'T') sc.fail("it has a time part; parse it as a DateTime");
    sc.fail(fmt::format("unexpected text after the date at position {}", sc.pos + 1));
  }
  finish_date(sc, d, bc);
  return d;
}

std::string Date::isoformat() const {
  if (year <= 0) return fmt::format("{}-{:02}-{:02} BC", year_text(1 - year), month, day);
  return fmt::format("{}-{:02}-{:02}", year_text(year), month, day);
}

// ---------------------------------------------------------------------------
// Time

Time Time::parse(std::string_view text) {
  Scanner sc{text, "Time", kTimeForm};
  Time t = scan_time(sc);
  if (!sc.done()) {
    if (sc.peek() == '+' || sc.peek() == '-' || sc.peek() == 'Z')
      sc.fail("Time has no UTC offset (time with time zone is not supported)");
    sc.fail(fmt::format("unexpected text after the time at position {}", sc.pos + 1));
  }
  return t;
}

std::string Time::isoformat() const {
  if (microsecond != 0)
    return fmt::format("{:02}:{:02}:{:02}.{:06}", hour, minute, second, microsecond);
  return fmt::format("{:02}:{:02}:{:02}", hour, minute, second);
}

std::chrono::microseconds Time::since_midnight() const {
  return std::chrono::hours{hour} + std::chrono::minutes{minute} + std::chrono::seconds{second} +
         std::chrono::microseconds{microsecond};
}

// ---------------------------------------------------------------------------
// DateTime

DateTime DateTime::from_sys_time(std::chrono::sys_time<std::chrono::microseconds> tp) {
  using namespace std::chrono;
  static const sys_days kFirst{year{kMinYear} / January / 1};
  static const sys_days kLast{year{kMaxYear} / December / 31};
  const sys_days d = floor<days>(tp);
  if (d < kFirst || d > kLast)
    throw ArgumentError(
        "time point is out of range for DateTime; the supported years are 9999 BC to 9999");
  DateTime dt;
  dt.date = Date::from_chrono(year_month_day{d});
  std::int64_t us = (tp - d).count();  // 0 .. one day - 1, since d is the floor
  dt.time.hour = static_cast<std::uint8_t>(us / kUsPerHour);
  us %= kUsPerHour;
  dt.time.minute = static_cast<std::uint8_t>(us / kUsPerMinute);
  us %= kUsPerMinute;
  dt.time.second = static_cast<std::uint8_t>(us / kUsPerSecond);
  dt.time.microsecond = static_cast<std::uint32_t>(us % kUsPerSecond);
  return dt;
}

DateTime DateTime::utc(std::chrono::sys_time<std::chrono::microseconds> tp) {
  DateTime dt = from_sys_time(tp);
  dt.utc_offset = 0;
  return dt;
}

DateTime DateTime::utcnow() {
  using namespace std::chrono;
  return from_sys_time(floor<microseconds>(system_clock::now()));
}

std::chrono::sys_time<std::chrono::microseconds> DateTime::to_sys_time() const {
  const auto ymd = date.to_chrono();
  if (!ymd.ok()) throw ArgumentError(fmt::format("{} is not a valid date", date.isoformat()));
  return std::chrono::sys_days{ymd} + time.since_midnight() -
         std::chrono::seconds{utc_offset.value_or(0)};
}

DateTime DateTime::parse(std::string_view text) {
  Scanner sc{text, "DateTime", kDateTimeForm};
  DateTime dt;
  dt.date = scan_date(sc);
  if ((sc.peek() == ' ' || sc.peek() == 'T' || sc.peek() == 't') && is_digit(sc.peek(1))) {
    ++sc.pos;
    dt.time = scan_time(sc);
    dt.utc_offset = scan_offset(sc);
  }
  const bool bc = sc.eat_bc();
  if (!sc.done())
    sc.fail(fmt::format("unexpected text at position {}: {}", sc.pos + 1,
                        excerpt(text.substr(sc.pos))));
  finish_date(sc, dt.date, bc);
  return dt;
}

std::string DateTime::isoformat(char sep) const {
  const bool bc = date.year <= 0;
  std::string out = fmt::format("{}-{:02}-{:02}", year_text(bc ? 1 - date.year : date.year),
                                date.month, date.day);
  out += sep;
  out += time.isoformat();
  if (utc_offset) {
    const std::int32_t off = *utc_offset;
    const std::int32_t a = off < 0 ? -off : off;
    out += fmt::format("{}{:02}:{:02}", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    if (a % 60 != 0) out += fmt::format(":{:02}", a % 60);
  }
  // PostgreSQL puts the era last: "0044-03-15 12:00:00+00 BC".
  if (bc) out += " BC";
  return out;
}

// ---------------------------------------------------------------------------
// Interval

Interval Interval::from_chrono(std::chrono::microseconds d) {
  Interval iv;
  iv.microseconds = d.count();
  return iv;
}

Interval Interval::parse(std::string_view text) {
  const std::string_view t = trim(text);
  Scanner sc{t, "Interval", kIntervalForm};
  if (t.empty()) sc.fail("the text is empty");
  const char c0 = t[0];
  const char c1 = t.size() > 1 ? t[1] : '\0';
  if (c0 == 'P' || c0 == 'p' || ((c0 == '-' || c0 == '+') && (c1 == 'P' || c1 == 'p')))
    return parse_iso_interval(sc);
  return parse_postgres_interval(sc);
}

std::string Interval::str() const {
  const bool neg = microseconds < 0;
  std::uint64_t u =
      neg ? 0 - static_cast<std::uint64_t>(microseconds) : static_cast<std::uint64_t>(microseconds);
  const std::uint64_t us = u % 1'000'000;
  u /= 1'000'000;
  const std::uint64_t s = u % 60;
  u /= 60;
  const std::uint64_t m = u % 60;
  const std::uint64_t h = u / 60;
  std::string out =
      fmt::format("{} mons {} days {}{:02}:{:02}:{:02}", months, days, neg ? "-" : "", h, m, s);
  if (us != 0) out += fmt::format(".{:06}", us);
  return out;
}

}  // namespace alchemy
