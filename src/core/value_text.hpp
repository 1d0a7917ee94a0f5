// Private to src/core: the text helpers shared by value.cpp and temporal.cpp
// (parsing numbers, quoting, error excerpts, the Scanner used by the parsers).
// Never installed.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "alchemy/core/value.hpp"
#include "alchemy/exc.hpp"

namespace alchemy::value_text {

// ---------------------------------------------------------------------------
// Text helpers

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// 'text' with embedded quotes doubled, as SQL writes a string literal.
inline std::string quoted(std::string_view s) {
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
inline std::string excerpt(std::string_view s) {
  constexpr std::size_t kMax = 80;
  if (s.size() <= kMax) return quoted(s);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return quoted(std::string(s.substr(0, cut)) + "...");
}

// Shortest text that reads back as the same double; PostgreSQL's spellings
// for the special values so that as<double>() and Decimal accept them back.
inline std::string double_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

// After from_chars reported result_out_of_range for `s` (already known to be a
// well-formed decimal number), decide between overflow (±inf) and underflow (±0).
inline double out_of_range_double(std::string_view s) {
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
inline std::optional<double> parse_double(std::string_view s) {
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
inline IntParse parse_int64(std::string_view s, std::int64_t& out) {
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
[[noreturn]] inline void throw_parse_error(std::string_view type, std::string_view text,
                                           std::string_view problem, std::string_view form) {
  throw ArgumentError(
      fmt::format("invalid {} {}: {}; expected {}", type, excerpt(text), problem, form));
}

inline constexpr std::string_view kDecimalForm =
    "an optional sign, digits with an optional fraction and exponent (e.g. -12.50, 1.25e3), "
    "NaN, Infinity or -Infinity";
inline constexpr std::string_view kDateForm =
    "YYYY-MM-DD (e.g. 2024-02-29), optionally followed by ' BC'";
inline constexpr std::string_view kTimeForm =
    "HH:MM, HH:MM:SS or HH:MM:SS.ffffff (e.g. 13:45:30.25)";
inline constexpr std::string_view kDateTimeForm =
    "YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][offset][ BC] with ' ' or 'T' before the time and an "
    "optional UTC offset Z, +HH, +HHMM, +HH:MM or +HH:MM:SS (e.g. 2024-02-29 13:45:30+05:30)";
inline constexpr std::string_view kIntervalForm =
    "PostgreSQL interval text such as '1 year 2 mons 3 days 04:05:06.5' or '-00:00:01', or an "
    "ISO 8601 duration such as 'P1Y2M3DT4H5M6.5S'";
inline constexpr std::string_view kUuidForm =
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

}  // namespace alchemy::value_text
