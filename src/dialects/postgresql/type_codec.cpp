// Parameter rendering and result-cell parsing for the libpq driver: the text
// forms PostgreSQL's input and output functions use. Called only by
// libpq_driver.cpp (see type_codec.hpp).
#include "dialects/postgresql/type_codec.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "alchemy/exc.hpp"

namespace alchemy::dialects::postgresql {

namespace {

[[noreturn]] void raise_nul_in_text() {
  throw_dbapi_error(DBAPIErrorKind::data_error,
                    "PostgreSQL text cannot contain NUL (0x00) characters; bind binary data as "
                    "alchemy::Bytes so it is sent as bytea",
                    "22021", 0, false);
}

// Type OIDs from pg_type.dat; they are fixed for built-in types.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kJsonOid = 114;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kDateOid = 1082;
constexpr Oid kTimeOid = 1083;
constexpr Oid kTimestampOid = 1114;
constexpr Oid kTimestamptzOid = 1184;
constexpr Oid kIntervalOid = 1186;
constexpr Oid kNumericOid = 1700;
constexpr Oid kUuidOid = 2950;
constexpr Oid kJsonbOid = 3802;

// ---- parameter rendering (text format, read by the server's input functions) ----

void append_uint(std::string& out, std::uint64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (auto len = r.ptr - buf; len < width; ++len) out.push_back('0');
  out.append(buf, r.ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Returns whether the year is BC in PostgreSQL's sense (astronomical year <= 0),
// which PostgreSQL spells with a trailing " BC" instead of a sign.
bool append_date(std::string& out, const Date& d) {
  std::int64_t y = d.year;
  const bool bc = y <= 0;
  if (bc) y = 1 - y;
  append_uint(out, static_cast<std::uint64_t>(y), 4);
  out.push_back('-');
  append_uint(out, d.month, 2);
  out.push_back('-');
  append_uint(out, d.day, 2);
  return bc;
}

void append_time(std::string& out, const Time& t) {
  append_uint(out, t.hour, 2);
  out.push_back(':');
  append_uint(out, t.minute, 2);
  out.push_back(':');
  append_uint(out, t.second, 2);
  if (t.microsecond != 0) {
    out.push_back('.');
    append_uint(out, t.microsecond, 6);
  }
}

void append_datetime(std::string& out, const DateTime& dt) {
  const bool bc = append_date(out, dt.date);
  out.push_back(' ');
  append_time(out, dt.time);
  if (dt.utc_offset) {
    std::int32_t off = *dt.utc_offset;
    out.push_back(off < 0 ? '-' : '+');
    const auto a = static_cast<std::uint32_t>(off < 0 ? -static_cast<std::int64_t>(off) : off);
    append_uint(out, a / 3600, 2);
    out.push_back(':');
    append_uint(out, (a % 3600) / 60, 2);
    if (a % 60 != 0) {
      out.push_back(':');
      append_uint(out, a % 60, 2);
    }
  }
  if (bc) out += " BC";
}

// "<m> mons <d> days [-]HH:MM:SS[.ffffff]": the postgres IntervalStyle, which
// the session is set to, so the sign applies to the time part only.
void append_interval(std::string& out, const Interval& iv) {
  append_int(out, iv.months);
  out += " mons ";
  append_int(out, iv.days);
  out += " days ";
  const bool neg = iv.microseconds < 0;
  const std::uint64_t a = neg ? 0 - static_cast<std::uint64_t>(iv.microseconds)
                              : static_cast<std::uint64_t>(iv.microseconds);
  if (neg) out.push_back('-');
  const std::uint64_t secs = a / 1000000;
  append_uint(out, secs / 3600, 2);
  out.push_back(':');
  append_uint(out, (secs % 3600) / 60, 2);
  out.push_back(':');
  append_uint(out, secs % 60, 2);
  if (a % 1000000 != 0) {
    out.push_back('.');
    append_uint(out, a % 1000000, 6);
  }
}

void append_uuid(std::string& out, const Uuid& u) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < u.bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[u.bytes[i] >> 4]);
    out.push_back(kHex[u.bytes[i] & 0xf]);
  }
}

void append_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
    out.append(buf, r.ptr);
  }
}

// bytea's hex input form, for Bytes bound where the statement's parameter type
// is not bytea (executemany rows after the first): the server then infers
// bytea from context and decodes it.
void append_bytea_hex(std::string& out, const Bytes& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  for (std::uint8_t c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
}

}  // namespace

// Renders `values` for PQsendQueryPrepared into `b`. With `set_types`, the type
// OIDs are chosen from the values (bytea for Bytes, else 0 = let the server
// infer); otherwise b.types is kept and each value is rendered to suit it.
// Strings, JSON and decimals are pointed to in place (std::string is
// NUL-terminated, as libpq needs for text format); the rest is rendered into
// b.text, whose capacity is reused, so no allocation happens per row.
void encode_params(ParamBuffers& b, std::span<const Value* const> values, bool set_types) {
  const std::size_t n = values.size();
  b.values.resize(n);
  b.lengths.resize(n);
  b.formats.resize(n);
  b.offsets.resize(n);
  if (set_types) b.types.resize(n);
  b.text.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const Value* v = values[i];
    b.offsets[i] = -1;
    b.formats[i] = 0;
    b.lengths[i] = 0;
    b.values[i] = nullptr;
    if (set_types) b.types[i] = (v != nullptr && v->kind() == ValueKind::bytes) ? kByteaOid : 0;
    if (v == nullptr || v->is_null()) continue;
    const std::size_t start = b.text.size();
    bool rendered = true;
    switch (v->kind()) {
      case ValueKind::null:
        break;
      case ValueKind::boolean:
        b.values[i] = v->get<bool>() ? "true" : "false";
        b.lengths[i] = v->get<bool>() ? 4 : 5;
        rendered = false;
        break;
      case ValueKind::integer:
        append_int(b.text, v->get<std::int64_t>());
        break;
      case ValueKind::floating:
        append_double(b.text, v->get<double>());
        break;
      case ValueKind::text: {
        const std::string& s = v->get<std::string>();
        if (contains_nul(s)) raise_nul_in_text();
        b.values[i] = s.c_str();
        b.lengths[i] = static_cast<int>(s.size());
        rendered = false;
        break;
      }
      case ValueKind::bytes: {
        const Bytes& by = v->get<Bytes>();
        if (b.types[i] == kByteaOid) {
          // Binary format: the bytes travel as they are, NULs included. A
          // non-null pointer is what marks the value as not NULL.
          b.values[i] = by.empty() ? "" : reinterpret_cast<const char*>(by.data());
          b.lengths[i] = static_cast<int>(by.size());
          b.formats[i] = 1;
          rendered = false;
        } else {
          append_bytea_hex(b.text, by);
        }
        break;
      }
      case ValueKind::decimal: {
        const std::string& s = v->get<Decimal>().str();
        b.values[i] = s.c_str();
        b.lengths[i] = static_cast<int>(s.size());
        rendered = false;
        break;
      }
      case ValueKind::date:
        if (append_date(b.text, v->get<Date>())) b.text += " BC";
        break;
      case ValueKind::time:
        append_time(b.text, v->get<Time>());
        break;
      case ValueKind::datetime:
        append_datetime(b.text, v->get<DateTime>());
        break;
      case ValueKind::interval:
        append_interval(b.text, v->get<Interval>());
        break;
      case ValueKind::uuid:
        append_uuid(b.text, v->get<Uuid>());
        break;
      case ValueKind::json: {
        const std::string& s = v->get<Json>().text;
        if (contains_nul(s)) raise_nul_in_text();
        b.values[i] = s.c_str();
        b.lengths[i] = static_cast<int>(s.size());
        rendered = false;
        break;
      }
    }
    if (rendered) {
      b.lengths[i] = static_cast<int>(b.text.size() - start);
      b.text.push_back('\0');
      b.offsets[i] = static_cast<std::ptrdiff_t>(start);
    }
  }
  // Pointers into b.text only now: appending may have moved it.
  for (std::size_t i = 0; i < n; ++i)
    if (b.offsets[i] >= 0) b.values[i] = b.text.data() + b.offsets[i];
}

namespace {}  // namespace

// The statement cache key: SQL text, NUL, one letter per parameter type.
void build_key(ParamBuffers& b, std::string_view sql) {
  b.key.assign(sql);
  b.key.push_back('\0');
  for (Oid t : b.types) b.key.push_back(t == kByteaOid ? 'b' : 't');
}

namespace {

// ---- result cell parsing (text format) ----

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Value parse_bytea(const char* s, int len) {
  if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
    Bytes out;
    out.reserve(static_cast<std::size_t>(len - 2) / 2);
    for (int k = 2; k + 1 < len; k += 2) {
      const int hi = hex_value(s[k]);
      const int lo = hex_value(s[k + 1]);
      if (hi < 0 || lo < 0) return Value(std::string(s, static_cast<std::size_t>(len)));
      out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return Value(std::move(out));
  }
  // bytea_output = 'escape' (a session setting we do not force).
  std::size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(s), &n);
  if (raw == nullptr) return Value(std::string(s, static_cast<std::size_t>(len)));
  Bytes out(raw, raw + n);
  PQfreemem(raw);
  return Value(std::move(out));
}

// PostgreSQL writes BC dates as "0044-03-15 BC"; the parsers take the
// astronomical year, where 1 BC is year 0.
bool strip_bc(std::string_view& text) noexcept {
  if (text.size() > 3 && text.substr(text.size() - 3) == " BC") {
    text.remove_suffix(3);
    return true;
  }
  return false;
}

}  // namespace

Value parse_cell(Oid type, const char* s, int len) {
  const std::string_view text(s, static_cast<std::size_t>(len));
  switch (type) {
    case kInt8Oid:
    case kInt4Oid:
    case kInt2Oid:
    case kOidOid: {
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(s, s + len, v);
      if (ec == std::errc{} && p == s + len) return Value(v);
      break;
    }
    case kFloat8Oid:
    case kFloat4Oid: {
      double v = 0;
      auto [p, ec] = std::from_chars(s, s + len, v);
      if (ec == std::errc{} && p == s + len) return Value(v);
      break;
    }
    case kBoolOid:
      if (len == 1 && (s[0] == 't' || s[0] == 'f')) return Value(s[0] == 't');
      break;
    case kNumericOid:
      return Value(Decimal(text));
    case kByteaOid:
      return parse_bytea(s, len);
    case kDateOid: {
      std::string_view t = text;
      const bool bc = strip_bc(t);
      Date d = Date::parse(t);
      if (bc) d.year = 1 - d.year;
      return Value(d);
    }
    case kTimeOid:
      return Value(Time::parse(text));
    case kTimestampOid:
    case kTimestamptzOid: {
      std::string_view t = text;
      const bool bc = strip_bc(t);
      DateTime dt = DateTime::parse(t);
      if (bc) dt.date.year = 1 - dt.date.year;
      return Value(dt);
    }
    case kIntervalOid:
      return Value(Interval::parse(text));
    case kUuidOid:
      return Value(Uuid::parse(text));
    case kJsonOid:
    case kJsonbOid:
      return Value(Json{std::string(text)});
    default:
      break;
  }
  return Value(std::string(text));
}

namespace {}  // namespace

}  // namespace alchemy::dialects::postgresql
