// Decimal, Uuid, Value (conversions, repr, equality) and Params of
// alchemy/core/value.hpp. Date/Time/DateTime/Interval live in temporal.cpp.

#include "alchemy/core/value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <system_error>
#include <utility>

#include "alchemy/exc.hpp"
#include "core/value_text.hpp"

namespace alchemy {
namespace {
using namespace value_text;

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
  if (Item* same = find_item(name)) {
    same->second = std::move(v);
  } else {
    push(Item{std::move(name), std::move(v)});
  }
  return *this;
}

Params& Params::set_text(std::string_view name, std::string_view text) {
  if (Item* same = find_item(name)) {
    same->second.assign_text(text);
  } else {
    push(Item{std::string(name), Value(text)});
  }
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
