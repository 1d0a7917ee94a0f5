// The value types of alchemy/core/value.hpp: their text parsers and formatters (the
// forms PostgreSQL, SQLite and Python print), chrono conversions, and Value::as<T>().

#include "alchemy/core/value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <system_error>
#include <utility>

#include "alchemy/exc.hpp"

namespace alchemy {
namespace {

// ---------------------------------------------------------------------------
// Text helpers

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// 'text' with embedded quotes doubled, as SQL writes a string literal.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

// The offending input as shown in error messages: quoted, cut after 80 bytes
// on a UTF-8 character boundary so a huge cell does not flood the message.
std::string excerpt(std::string_view s) {
  constexpr std::size_t kMax = 80;
  if (s.size() <= kMax) return quoted(s);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return quoted(std::string(s.substr(0, cut)) + "...");
}

// Shortest text that reads back as the same double; PostgreSQL's spellings
// for the special values so that as<double>() and Decimal accept them back.
std::string double_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

// After from_chars reported result_out_of_range for `s` (already known to be a
// well-formed decimal number), decide between overflow (±inf) and underflow (±0).
double out_of_range_double(std::string_view s) {
  bool neg = false;
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  // Decimal exponent of the first non-zero digit, relative to the point.
  std::int64_t lead = 0;
  bool found = false;
  std::int64_t int_digits = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (!found && s[i] != '0') {
      found = true;
      lead = int_digits;  // position among integer digits; fixed up below
    }
    ++int_digits;
    ++i;
  }
  if (found) lead = int_digits - lead - 1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::int64_t k = 0;
    while (i < s.size() && is_digit(s[i])) {
      ++k;
      if (!found && s[i] != '0') {
        found = true;
        lead = -k;
      }
      ++i;
    }
  }
  std::int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    while (i < s.size() && is_digit(s[i])) {
      if (exp < 1'000'000'000) exp = exp * 10 + (s[i] - '0');
      ++i;
    }
    if (eneg) exp = -exp;
  }
  const double inf = std::numeric_limits<double>::infinity();
  if (found && lead + exp >= 0) return neg ? -inf : inf;
  return neg ? -0.0 : 0.0;
}

// Parses a whole string as a double (from_chars: locale-independent). Accepts a
// leading '+', "NaN", "inf", "Infinity" (any case). Empty optional if malformed.
std::optional<double> parse_double(std::string_view s) {
  if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double d = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), d, std::chars_format::general);
  if (res.ptr != s.data() + s.size()) return std::nullopt;
  if (res.ec == std::errc::result_out_of_range) return out_of_range_double(s);
  if (res.ec != std::errc()) return std::nullopt;
  return d;
}

// Parses a whole string as a base-10 int64 with an optional sign.
enum class IntParse { ok, malformed, out_of_range };
IntParse parse_int64(std::string_view s, std::int64_t& out) {
  if (s.size() > 1 && s[0] == '+' && is_digit(s[1])) s.remove_prefix(1);
  if (s.empty() || !(is_digit(s[0]) || (s[0] == '-' && s.size() > 1 && is_digit(s[1]))))
    return IntParse::malformed;
  auto res = std::from_chars(s.data(), s.data() + s.size(), out, 10);
  if (res.ptr != s.data() + s.size()) {
    // from_chars stops at the first non-digit even when out of range.
    return IntParse::malformed;
  }
  if (res.ec == std::errc::result_out_of_range) return IntParse::out_of_range;
  if (res.ec != std::errc()) return IntParse::malformed;
  return IntParse::ok;
}

// "invalid Date '2024-13-01': month 13 is not in 1..12; expected YYYY-MM-DD ..."
[[noreturn]] void throw_parse_error(std::string_view type, std::string_view text,
                                    std::string_view problem, std::string_view form) {
  throw ArgumentError(
      fmt::format("invalid {} {}: {}; expected {}", type, excerpt(text), problem, form));
}

constexpr std::string_view kDecimalForm =
    "an optional sign, digits with an optional fraction and exponent (e.g. -12.50, 1.25e3), "
    "NaN, Infinity or -Infinity";
constexpr std::string_view kDateForm = "YYYY-MM-DD (e.g. 2024-02-29), optionally followed by ' BC'";
constexpr std::string_view kTimeForm = "HH:MM, HH:MM:SS or HH:MM:SS.ffffff (e.g. 13:45:30.25)";
constexpr std::string_view kDateTimeForm =
    "YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][offset][ BC] with ' ' or 'T' before the time and an "
    "optional UTC offset Z, +HH, +HHMM, +HH:MM or +HH:MM:SS (e.g. 2024-02-29 13:45:30+05:30)";
constexpr std::string_view kIntervalForm =
    "PostgreSQL interval text such as '1 year 2 mons 3 days 04:05:06.5' or '-00:00:01', or an "
    "ISO 8601 duration such as 'P1Y2M3DT4H5M6.5S'";
constexpr std::string_view kUuidForm =
    "32 hex digits, optionally dashed 8-4-4-4-12 and/or in braces "
    "(e.g. 123e4567-e89b-12d3-a456-426614174000)";

// A cursor over the text being parsed, which knows how to report errors for it.
struct Scanner {
  std::string_view text;
  std::string_view type;
  std::string_view form;
  std::size_t pos = 0;

  [[noreturn]] void fail(std::string_view problem) const {
    throw_parse_error(type, text, problem, form);
  }
  bool done() const { return pos >= text.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }
  bool eat(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  void expect(char c, std::string_view after) {
    if (!eat(c)) fail(fmt::format("expected '{}' after the {}", c, after));
  }
  // Exactly n digits.
  int digits(int n, std::string_view field) {
    int v = 0;
    for (int i = 0; i < n; ++i) {
      if (!is_digit(peek())) fail(fmt::format("the {} must be {} digits", field, n));
      v = v * 10 + (text[pos++] - '0');
    }
    return v;
  }
  // Case-insensitive " BC" at the current position.
  bool eat_bc() {
    if (text.size() - pos >= 3 && text[pos] == ' ' && iequals(text.substr(pos + 1, 2), "BC")) {
      pos += 3;
      return true;
    }
    return false;
  }
};

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
// Decimal helpers

// PostgreSQL NUMERIC's limits; they also bound the text an exponent can expand to.
constexpr std::int64_t kMaxDecimalIntegerDigits = 131072;
constexpr std::int64_t kMaxDecimalScale = 16383;

std::string canonical_decimal(std::string_view text) {
  auto fail = [&](std::string_view problem) {
    throw_parse_error("Decimal", text, problem, kDecimalForm);
  };
  if (text.empty()) fail("the text is empty");
  std::size_t i = 0;
  bool neg = false;
  if (text[0] == '+' || text[0] == '-') {
    neg = text[0] == '-';
    ++i;
  }
  const std::string_view rest = text.substr(i);
  if (iequals(rest, "nan")) return "NaN";
  if (iequals(rest, "inf") || iequals(rest, "infinity")) return neg ? "-Infinity" : "Infinity";

  const std::size_t int_begin = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  std::string_view int_digits = text.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  if (i < text.size() && text[i] == '.') {
    const std::size_t frac_begin = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    frac_digits = text.substr(frac_begin, i - frac_begin);
  }
  if (int_digits.empty() && frac_digits.empty()) fail("there are no digits");
  std::int64_t exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
    if (i >= text.size() || !is_digit(text[i])) fail("the exponent has no digits");
    while (i < text.size() && is_digit(text[i])) {
      if (exp < 1'000'000'000) exp = exp * 10 + (text[i] - '0');
      ++i;
    }
    if (eneg) exp = -exp;
  }
  if (i != text.size()) fail(fmt::format("unexpected character '{}'", text[i]));

  std::string digits;
  digits.reserve(int_digits.size() + frac_digits.size());
  digits.append(int_digits);
  digits.append(frac_digits);
  const bool zero = digits.find_first_not_of('0') == std::string::npos;
  // Number of digits right of the point once the exponent is applied.
  const std::int64_t scale = static_cast<std::int64_t>(frac_digits.size()) - exp;
  if (scale > kMaxDecimalScale)
    fail(fmt::format("more than {} digits after the decimal point", kMaxDecimalScale));
  if (!zero) {
    const std::size_t first = digits.find_first_not_of('0');
    const std::int64_t significant_int = static_cast<std::int64_t>(digits.size() - first) - scale;
    if (significant_int > kMaxDecimalIntegerDigits)
      fail(fmt::format("more than {} digits before the decimal point", kMaxDecimalIntegerDigits));
  }

  std::string int_part;
  std::string frac_part;
  if (scale <= 0) {
    int_part =
        zero ? std::string("0") : digits + std::string(static_cast<std::size_t>(-scale), '0');
  } else {
    const auto s = static_cast<std::size_t>(scale);
    if (digits.size() <= s) {
      int_part = "0";
      frac_part = std::string(s - digits.size(), '0') + digits;
    } else {
      int_part = digits.substr(0, digits.size() - s);
      frac_part = digits.substr(digits.size() - s);
    }
  }
  const std::size_t nz = int_part.find_first_not_of('0');
  int_part = nz == std::string::npos ? std::string("0") : int_part.substr(nz);

  std::string out;
  if (neg && !zero) out += '-';
  out += int_part;
  if (!frac_part.empty()) {
    out += '.';
    out += frac_part;
  }
  return out;
}

// Decimal text split for numeric comparison: trailing fraction zeros dropped.
struct DecimalParts {
  enum Kind { finite, nan, pos_inf, neg_inf } kind = finite;
  bool neg = false;
  std::string_view int_part;
  std::string_view frac_part;
};

DecimalParts split_decimal(std::string_view s) {
  DecimalParts p;
  if (s == "NaN") {
    p.kind = DecimalParts::nan;
    return p;
  }
  if (s == "Infinity") {
    p.kind = DecimalParts::pos_inf;
    return p;
  }
  if (s == "-Infinity") {
    p.kind = DecimalParts::neg_inf;
    return p;
  }
  if (!s.empty() && s[0] == '-') {
    p.neg = true;
    s.remove_prefix(1);
  }
  const std::size_t dot = s.find('.');
  p.int_part = s.substr(0, dot);
  if (dot != std::string_view::npos) {
    p.frac_part = s.substr(dot + 1);
    while (!p.frac_part.empty() && p.frac_part.back() == '0') p.frac_part.remove_suffix(1);
  }
  return p;
}

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

// ---------------------------------------------------------------------------
// Value conversion helpers

[[noreturn]] void throw_conversion(const Value& v, std::string_view target,
                                   std::string_view why = {}) {
  std::string shown;
  if (const auto* s = std::get_if<std::string>(&v.storage()))
    shown = excerpt(*s);
  else if (const auto* j = std::get_if<Json>(&v.storage()))
    shown = excerpt(j->text);
  else
    shown = v.repr();
  if (shown.size() > 100) shown = shown.substr(0, 100) + "...";
  throw InvalidRequestError(fmt::format("cannot convert {} value {} to {}{}{}", to_string(v.kind()),
                                        shown, target, why.empty() ? "" : ": ", why));
}

// Runs a text parser; its ArgumentError becomes the InvalidRequestError as<T>() promises.
template <class F>
auto parse_for_conversion(const Value& v, std::string_view target, F&& parse) {
  try {
    return parse();
  } catch (const ArgumentError& e) {
    throw_conversion(v, target, e.message());
  }
}

// as<T>() for the types with a text form: the held value, or its text parsed.
template <class T>
T held_or_parsed(const Value& v, ValueKind own, std::string_view target) {
  if (v.kind() == own) return std::get<T>(v.storage());
  if (v.kind() == ValueKind::null) detail::throw_null_value(target);
  if (v.kind() == ValueKind::text)
    return parse_for_conversion(v, target,
                                [&] { return T::parse(std::get<std::string>(v.storage())); });
  throw_conversion(v, target);
}

const char* hex_digits = "0123456789abcdef";

}  // namespace

// ---------------------------------------------------------------------------
// Decimal

Decimal::Decimal(std::string_view text) : text_(canonical_decimal(text)) {}

Decimal::Decimal(std::int64_t v) : text_(std::to_string(v)) {}

double Decimal::to_double() const {
  if (text_ == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text_ == "Infinity") return std::numeric_limits<double>::infinity();
  if (text_ == "-Infinity") return -std::numeric_limits<double>::infinity();
  // from_chars rather than strtod: the same result, but independent of the C locale.
  double d = 0;
  auto res =
      std::from_chars(text_.data(), text_.data() + text_.size(), d, std::chars_format::fixed);
  if (res.ec == std::errc::result_out_of_range) return out_of_range_double(text_);
  return d;
}

bool operator==(const Decimal& a, const Decimal& b) {
  const DecimalParts x = split_decimal(a.text_);
  const DecimalParts y = split_decimal(b.text_);
  // NaN equals NaN, as in PostgreSQL's NUMERIC, so that Decimal stays a regular type.
  if (x.kind != DecimalParts::finite || y.kind != DecimalParts::finite) return x.kind == y.kind;
  return x.neg == y.neg && x.int_part == y.int_part && x.frac_part == y.frac_part;
}

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

// ---------------------------------------------------------------------------
// Uuid

Uuid Uuid::parse(std::string_view text) {
  auto fail = [&](std::string_view problem) {
    throw_parse_error("Uuid", text, problem, kUuidForm);
  };
  std::string_view s = text;
  if (s.size() >= 9 && iequals(s.substr(0, 9), "urn:uuid:")) s.remove_prefix(9);
  if (!s.empty() && s.front() == '{') {
    if (s.back() != '}') fail("an opening brace has no closing brace");
    s = s.substr(1, s.size() - 2);
  }
  const bool dashed = s.size() == 36;
  if (!dashed && s.size() != 32)
    fail(fmt::format("it has {} characters between any braces, not 32 or 36", s.size()));
  Uuid u;
  int nibble = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (c != '-') fail(fmt::format("expected '-' at position {}", i + 1));
      continue;
    }
    int v = 0;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      fail(fmt::format("'{}' is not a hex digit", c));
    auto& b = u.bytes[static_cast<std::size_t>(nibble / 2)];
    b = static_cast<std::uint8_t>(nibble % 2 == 0 ? v << 4 : b | v);
    ++nibble;
  }
  return u;
}

Uuid Uuid::uuid4() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }();
  Uuid u;
  for (int half = 0; half < 2; ++half) {
    std::uint64_t r = engine();
    for (int i = 0; i < 8; ++i) {
      u.bytes[static_cast<std::size_t>(half * 8 + i)] = static_cast<std::uint8_t>(r & 0xff);
      r >>= 8;
    }
  }
  u.bytes[6] = static_cast<std::uint8_t>((u.bytes[6] & 0x0f) | 0x40);  // version 4
  u.bytes[8] = static_cast<std::uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return u;
}

std::string Uuid::hex() const {
  std::string out;
  out.reserve(32);
  for (std::uint8_t b : bytes) {
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0x0f];
  }
  return out;
}

std::string Uuid::str() const {
  const std::string h = hex();
  return h.substr(0, 8) + '-' + h.substr(8, 4) + '-' + h.substr(12, 4) + '-' + h.substr(16, 4) +
         '-' + h.substr(20);
}

// ---------------------------------------------------------------------------
// ValueKind and Value

std::string_view to_string(ValueKind kind) {
  switch (kind) {
    case ValueKind::null:
      return "null";
    case ValueKind::boolean:
      return "boolean";
    case ValueKind::integer:
      return "integer";
    case ValueKind::floating:
      return "floating";
    case ValueKind::text:
      return "text";
    case ValueKind::bytes:
      return "bytes";
    case ValueKind::decimal:
      return "decimal";
    case ValueKind::date:
      return "date";
    case ValueKind::time:
      return "time";
    case ValueKind::datetime:
      return "datetime";
    case ValueKind::interval:
      return "interval";
    case ValueKind::uuid:
      return "uuid";
    case ValueKind::json:
      return "json";
  }
  return "unknown";
}

namespace detail {

void throw_value_kind_mismatch(ValueKind held, std::string_view wanted) {
  if (held == ValueKind::null)
    throw InvalidRequestError(
        fmt::format("Value::get(): the value is NULL, not {}; check is_null() first", wanted));
  throw InvalidRequestError(
      fmt::format("Value::get(): the value holds {}, not {}; use as<T>() to convert between kinds",
                  to_string(held), wanted));
}

void throw_null_value(std::string_view wanted) {
  throw InvalidRequestError(fmt::format(
      "cannot convert NULL to {}: the value is NULL; read it as std::optional<{}> to accept NULL",
      wanted, wanted));
}

void throw_unsigned_out_of_range(std::uint64_t v) {
  throw ArgumentError(fmt::format(
      "unsigned integer {} does not fit a Value, which stores integers as 64-bit signed "
      "(at most 9223372036854775807); pass it as a Decimal or as text",
      v));
}

void throw_integer_out_of_range(std::int64_t v, int bits, bool is_signed) {
  throw InvalidRequestError(fmt::format("integer value {} is out of range for a {}-bit {} integer",
                                        v, bits, is_signed ? "signed" : "unsigned"));
}

}  // namespace detail

template <>
bool Value::as<bool>() const {
  constexpr std::string_view target = "bool";
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value(target);
    case ValueKind::boolean:
      return std::get<bool>(v_);
    case ValueKind::integer:
      return std::get<std::int64_t>(v_) != 0;
    case ValueKind::floating: {
      const double d = std::get<double>(v_);
      if (d == 0.0) return false;
      if (d == 1.0) return true;
      throw_conversion(*this, target, "only 0 and 1 convert to bool");
    }
    case ValueKind::decimal: {
      const Decimal& d = std::get<Decimal>(v_);
      if (d == Decimal(std::int64_t{0})) return false;
      if (d == Decimal(std::int64_t{1})) return true;
      throw_conversion(*this, target, "only 0 and 1 convert to bool");
    }
    case ValueKind::text: {
      const std::string& s = std::get<std::string>(v_);
      for (std::string_view t : {"t", "true", "1", "yes", "on", "y"})
        if (iequals(s, t)) return true;
      for (std::string_view f : {"f", "false", "0", "no", "off", "n"})
        if (iequals(s, f)) return false;
      throw_conversion(*this, target,
                       "expected true/false, t/f, yes/no, y/n, on/off or 1/0 (any case)");
    }
    default:
      throw_conversion(*this, target);
  }
}

template <>
std::int64_t Value::as<std::int64_t>() const {
  constexpr std::string_view target = "integer";
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value("std::int64_t");
    case ValueKind::integer:
      return std::get<std::int64_t>(v_);
    case ValueKind::boolean:
      return std::get<bool>(v_) ? 1 : 0;
    case ValueKind::floating: {
      const double d = std::get<double>(v_);
      if (!std::isfinite(d) || std::trunc(d) != d)
        throw_conversion(*this, target, "it is not a whole number");
      // [-2^63, 2^63): both bounds are exact doubles.
      if (d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        throw_conversion(*this, target, "it is out of range for a 64-bit integer");
      return static_cast<std::int64_t>(d);
    }
    case ValueKind::decimal: {
      const DecimalParts p = split_decimal(std::get<Decimal>(v_).str());
      if (p.kind != DecimalParts::finite || !p.frac_part.empty())
        throw_conversion(*this, target, "it is not a whole number");
      std::int64_t out = 0;
      const std::string digits = (p.neg ? "-" : "") + std::string(p.int_part);
      if (parse_int64(digits, out) != IntParse::ok)
        throw_conversion(*this, target, "it is out of range for a 64-bit integer");
      return out;
    }
    case ValueKind::text: {
      std::int64_t out = 0;
      switch (parse_int64(std::get<std::string>(v_), out)) {
        case IntParse::ok:
          return out;
        case IntParse::out_of_range:
          throw_conversion(*this, target, "it is out of range for a 64-bit integer");
        case IntParse::malformed:
          throw_conversion(*this, target);
      }
      throw_conversion(*this, target);
    }
    default:
      throw_conversion(*this, target);
  }
}

template <>
double Value::as<double>() const {
  constexpr std::string_view target = "double";
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value(target);
    case ValueKind::floating:
      return std::get<double>(v_);
    case ValueKind::integer:
      return static_cast<double>(std::get<std::int64_t>(v_));
    case ValueKind::decimal:
      return std::get<Decimal>(v_).to_double();
    case ValueKind::text: {
      if (auto d = parse_double(std::get<std::string>(v_))) return *d;
      throw_conversion(*this, target);
    }
    default:
      throw_conversion(*this, target);
  }
}

template <>
std::string Value::as<std::string>() const {
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value("std::string");
    case ValueKind::boolean:
      return std::get<bool>(v_) ? "true" : "false";
    case ValueKind::integer:
      return std::to_string(std::get<std::int64_t>(v_));
    case ValueKind::floating:
      return double_text(std::get<double>(v_));
    case ValueKind::text:
      return std::get<std::string>(v_);
    case ValueKind::bytes: {
      const Bytes& b = std::get<Bytes>(v_);
      return std::string(b.begin(), b.end());
    }
    case ValueKind::decimal:
      return std::get<Decimal>(v_).str();
    case ValueKind::date:
      return std::get<Date>(v_).isoformat();
    case ValueKind::time:
      return std::get<Time>(v_).isoformat();
    case ValueKind::datetime:
      return std::get<DateTime>(v_).isoformat(' ');
    case ValueKind::interval:
      return std::get<Interval>(v_).str();
    case ValueKind::uuid:
      return std::get<Uuid>(v_).str();
    case ValueKind::json:
      return std::get<Json>(v_).text;
  }
  throw_conversion(*this, "std::string");
}

template <>
Bytes Value::as<Bytes>() const {
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value("Bytes");
    case ValueKind::bytes:
      return std::get<Bytes>(v_);
    case ValueKind::text: {
      const std::string& s = std::get<std::string>(v_);
      return Bytes(s.begin(), s.end());
    }
    default:
      throw_conversion(*this, "Bytes");
  }
}

template <>
Decimal Value::as<Decimal>() const {
  constexpr std::string_view target = "Decimal";
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value(target);
    case ValueKind::decimal:
      return std::get<Decimal>(v_);
    case ValueKind::integer:
      return Decimal(std::get<std::int64_t>(v_));
    case ValueKind::floating:
      return Decimal(double_text(std::get<double>(v_)));
    case ValueKind::text:
      return parse_for_conversion(*this, target,
                                  [&] { return Decimal(std::get<std::string>(v_)); });
    default:
      throw_conversion(*this, target);
  }
}

template <>
Date Value::as<Date>() const {
  // SQLAlchemy's Date type does not truncate datetimes either.
  if (kind() == ValueKind::datetime)
    throw_conversion(*this, "Date", "read it as DateTime and take .date");
  return held_or_parsed<Date>(*this, ValueKind::date, "Date");
}

template <>
Time Value::as<Time>() const {
  return held_or_parsed<Time>(*this, ValueKind::time, "Time");
}

template <>
DateTime Value::as<DateTime>() const {
  if (kind() == ValueKind::date) {  // midnight, naive
    DateTime dt;
    dt.date = std::get<Date>(v_);
    return dt;
  }
  return held_or_parsed<DateTime>(*this, ValueKind::datetime, "DateTime");
}

template <>
Interval Value::as<Interval>() const {
  return held_or_parsed<Interval>(*this, ValueKind::interval, "Interval");
}

template <>
Uuid Value::as<Uuid>() const {
  if (kind() == ValueKind::bytes) {  // 16 raw bytes
    const Bytes& b = std::get<Bytes>(v_);
    if (b.size() != 16)
      throw_conversion(*this, "Uuid",
                       fmt::format("it has {} bytes; a UUID has exactly 16", b.size()));
    Uuid u;
    std::copy(b.begin(), b.end(), u.bytes.begin());
    return u;
  }
  return held_or_parsed<Uuid>(*this, ValueKind::uuid, "Uuid");
}

template <>
Json Value::as<Json>() const {
  switch (kind()) {
    case ValueKind::null:
      detail::throw_null_value("Json");
    case ValueKind::json:
      return std::get<Json>(v_);
    case ValueKind::text:
      return Json{std::get<std::string>(v_)};
    default:
      throw_conversion(*this, "Json");
  }
}

template <>
Value Value::as<Value>() const {
  return *this;
}

std::string Value::repr() const {
  switch (kind()) {
    case ValueKind::null:
      return "NULL";
    case ValueKind::boolean:
      return std::get<bool>(v_) ? "true" : "false";
    case ValueKind::integer:
      return std::to_string(std::get<std::int64_t>(v_));
    case ValueKind::floating:
      return double_text(std::get<double>(v_));
    case ValueKind::text:
      return quoted(std::get<std::string>(v_));
    case ValueKind::bytes: {
      const Bytes& b = std::get<Bytes>(v_);
      std::string out = "X'";
      out.reserve(b.size() * 2 + 3);
      for (std::uint8_t c : b) {
        out += hex_digits[c >> 4];
        out += hex_digits[c & 0x0f];
      }
      out += '\'';
      return out;
    }
    case ValueKind::decimal:
      return std::get<Decimal>(v_).str();
    case ValueKind::date:
      return quoted(std::get<Date>(v_).isoformat());
    case ValueKind::time:
      return quoted(std::get<Time>(v_).isoformat());
    case ValueKind::datetime:
      return quoted(std::get<DateTime>(v_).isoformat(' '));
    case ValueKind::interval:
      return quoted(std::get<Interval>(v_).str());
    case ValueKind::uuid:
      return quoted(std::get<Uuid>(v_).str());
    case ValueKind::json:
      return quoted(std::get<Json>(v_).text);
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) {
  // Alternative by alternative: Decimal compares by value, double NaN != NaN,
  // and two NULLs are equal (C++ equality, not SQL's three-valued logic).
  return a.v_ == b.v_;
}

// ---------------------------------------------------------------------------
// Params

Params& Params::set(std::string name, Value v) {
  Item* items = heap_.empty() ? inline_.data() : heap_.data();
  for (std::size_t i = 0; i < size(); ++i) {
    if (items[i].first == name) {
      items[i].second = std::move(v);
      return *this;
    }
  }
  push(Item(std::move(name), std::move(v)));
  return *this;
}

Params& Params::set_text(std::string_view name, std::string_view text) {
  Item* items = heap_.empty() ? inline_.data() : heap_.data();
  for (std::size_t i = 0; i < size(); ++i) {
    if (items[i].first == name) {
      items[i].second.assign_text(text);
      return *this;
    }
  }
  push(Item{std::string(name), Value(text)});
  return *this;
}

void Value::assign_text(std::string_view text) {
  if (auto* s = std::get_if<std::string>(&v_)) {
    s->assign(text.data(), text.size());
  } else {
    v_ = std::string(text);
  }
}

std::string Params::repr() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : *this) {
    if (!first) out += ", ";
    first = false;
    out += quoted(name);
    out += ": ";
    out += value.repr();
  }
  out += '}';
  return out;
}

}  // namespace alchemy
