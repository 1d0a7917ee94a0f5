// Value: one SQL value at the dynamic boundary (bound parameters, result cells).
//
// A Value holds NULL or one of: bool, 64-bit integer, double, UTF-8 text, bytes,
// exact decimal, date, time, datetime (naive or with a UTC offset), interval,
// UUID or JSON text. The calendar types are small plain structs so they convert
// losslessly to and from every backend's text form; they also convert to the
// std::chrono types. Values are regular types: copyable, comparable, thread-safe
// to read.
//
// Hot paths (reading rows into structs) do not build a Value per cell; see
// Row::get<T>() in alchemy/engine/result.hpp.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "alchemy/export.hpp"

namespace alchemy {

/// Binary data (BLOB / bytea); may contain NUL bytes.
using Bytes = std::vector<std::uint8_t>;

/// An exact decimal number kept as its canonical text ("-12.3400"), never as a
/// double, so no digit is lost on the way to or from NUMERIC columns.
class ALCHEMY_EXPORT Decimal {
 public:
  Decimal() : text_("0") {}
  /// Parses "123", "-0.5", "1.25e3", "NaN", "Infinity" (special values in any case);
  /// throws ArgumentError otherwise. The exponent is expanded ("1.5e-3" -> "0.0015"),
  /// the scale is kept ("1.50" stays "1.50") and "-0" becomes "0". At most 131072
  /// digits before and 16383 after the point (PostgreSQL NUMERIC's limits).
  explicit Decimal(std::string_view text);
  explicit Decimal(std::int64_t v);
  /// The canonical text: optional '-', digits, optional '.' and digits (scale kept).
  const std::string& str() const noexcept { return text_; }
  /// The nearest double (locale-independent); beyond double's range, +-inf or +-0.
  double to_double() const;
  /// Compares by numeric value: Decimal("1.50") == Decimal("1.5"). NaN equals NaN,
  /// as in PostgreSQL's NUMERIC.
  friend ALCHEMY_EXPORT bool operator==(const Decimal& a, const Decimal& b);

 private:
  std::string text_;
};

/// A calendar date (proleptic Gregorian). Years run from 9999 BC to 9999; years
/// BC use astronomical numbering: 0 is 1 BC, -43 is 44 BC.
struct ALCHEMY_EXPORT Date {
  std::int32_t year = 1970;
  std::uint8_t month = 1;  // 1..12
  std::uint8_t day = 1;    // 1..31

  /// Throws ArgumentError when `ymd` is not ok() or outside 9999 BC..9999.
  static Date from_chrono(std::chrono::year_month_day ymd);
  std::chrono::year_month_day to_chrono() const;
  /// "YYYY-MM-DD" with a year 0001..9999, optionally followed by " BC" (PostgreSQL's
  /// era suffix); throws ArgumentError on a malformed or impossible date.
  static Date parse(std::string_view text);
  /// "YYYY-MM-DD", or "YYYY-MM-DD BC" when year <= 0.
  std::string isoformat() const;
  friend auto operator<=>(const Date&, const Date&) = default;
};

/// A time of day with microsecond precision, without time zone.
struct ALCHEMY_EXPORT Time {
  std::uint8_t hour = 0;
  std::uint8_t minute = 0;
  std::uint8_t second = 0;
  std::uint32_t microsecond = 0;

  /// "HH:MM[:SS[.ffffff]]"; throws ArgumentError on bad input. Fraction digits past
  /// the sixth are truncated (as Python's datetime.fromisoformat does). PostgreSQL's
  /// "24:00:00" is rejected: Time stops at 23:59:59.999999.
  static Time parse(std::string_view text);
  /// "HH:MM:SS", plus ".ffffff" when microsecond != 0.
  std::string isoformat() const;
  std::chrono::microseconds since_midnight() const;
  friend auto operator<=>(const Time&, const Time&) = default;
};

/// A date and time; `utc_offset` set means "with time zone" (an aware value).
struct ALCHEMY_EXPORT DateTime {
  Date date;
  Time time;
  /// Offset from UTC in seconds (east positive); empty for a naive datetime.
  std::optional<std::int32_t> utc_offset;

  /// Naive datetime from a system clock time point (interpreted as UTC wall time).
  /// Throws ArgumentError outside 9999 BC..9999.
  static DateTime from_sys_time(std::chrono::sys_time<std::chrono::microseconds> tp);
  /// Aware datetime at UTC (offset 0) from a system clock time point.
  static DateTime utc(std::chrono::sys_time<std::chrono::microseconds> tp);
  /// The current UTC wall time, naive (Python's datetime.utcnow()), with
  /// microsecond precision: `default_([] { return Value(DateTime::utcnow()); })`.
  static DateTime utcnow();
  /// The instant: wall time minus the offset (naive values are taken as UTC).
  std::chrono::sys_time<std::chrono::microseconds> to_sys_time() const;
  /// "YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][offset][ BC]": ' ' or 'T' before the time,
  /// offset "Z", "+HH", "+HHMM", "+HH:MM" or "+HH:MM:SS". A date alone is midnight,
  /// naive. Throws ArgumentError on bad input.
  static DateTime parse(std::string_view text);
  /// "YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM[:SS]][ BC]".
  std::string isoformat(char sep = ' ') const;
  /// Same wall time and offset (use to_sys_time() to compare instants).
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

/// A span of time as PostgreSQL keeps it: months, days and microseconds are
/// separate because a month is not a fixed number of days.
struct ALCHEMY_EXPORT Interval {
  std::int32_t months = 0;
  std::int32_t days = 0;
  std::int64_t microseconds = 0;

  static Interval from_chrono(std::chrono::microseconds d);
  /// Parses PostgreSQL output in the postgres and postgres_verbose styles ("1 year
  /// 2 mons 3 days 04:05:06.5", "-00:00:01", "@ 1 day ago"), hand-written units
  /// (week, hour, minute, second, millisecond, microsecond; fractions cascade as in
  /// PostgreSQL) and ISO 8601 durations ("P1Y2M3DT4H5M6.5S", "-P1D"); throws
  /// ArgumentError otherwise. A year is 12 months; sub-microsecond digits are truncated.
  static Interval parse(std::string_view text);
  /// "<m> mons <d> days [-]HH:MM:SS[.ffffff]", accepted back by parse() and PostgreSQL.
  std::string str() const;
  friend bool operator==(const Interval&, const Interval&) = default;
};

/// A 128-bit UUID.
struct ALCHEMY_EXPORT Uuid {
  std::array<std::uint8_t, 16> bytes{};

  /// Accepts "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", 32 hex digits, optional braces.
  static Uuid parse(std::string_view text);
  /// A random (version 4) UUID.
  static Uuid uuid4();
  /// Lower-case, dashed form.
  std::string str() const;
  /// 32 lower-case hex digits, no dashes.
  std::string hex() const;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

/// JSON document kept as its text. alchemy does not reformat it.
struct ALCHEMY_EXPORT Json {
  std::string text;
  friend bool operator==(const Json&, const Json&) = default;
};

/// The kind of value a Value holds.
enum class ValueKind : std::uint8_t {
  null,
  boolean,
  integer,
  floating,
  text,
  bytes,
  decimal,
  date,
  time,
  datetime,
  interval,
  uuid,
  json,
};
ALCHEMY_EXPORT std::string_view to_string(ValueKind kind);

namespace detail {
/// Throws ArgumentError: an unsigned 64-bit value above INT64_MAX has no Value form.
[[noreturn]] ALCHEMY_EXPORT void throw_unsigned_out_of_range(std::uint64_t v);
/// Throws InvalidRequestError: `v` does not fit the `bits`-wide integer type as<T>() asked for.
[[noreturn]] ALCHEMY_EXPORT void throw_integer_out_of_range(std::int64_t v, int bits,
                                                            bool is_signed);

// Value(I) stores every integer as int64; refuse rather than wrap (2^63 must not become -2^63).
template <class I>
std::int64_t checked_int64(I v) {
  if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
    if (v > static_cast<std::uint64_t>(INT64_MAX))
      throw_unsigned_out_of_range(static_cast<std::uint64_t>(v));
  }
  return static_cast<std::int64_t>(v);
}
}  // namespace detail

/// One SQL value. Implicitly constructible from the C++ types it can hold.
class ALCHEMY_EXPORT Value {
 public:
  using Storage = std::variant<std::monostate, bool, std::int64_t, double, std::string, Bytes,
                               Decimal, Date, Time, DateTime, Interval, Uuid, Json>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(std::nullopt_t) {}
  Value(bool v) : v_(v) {}
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
      /// Throws ArgumentError for an unsigned value above INT64_MAX (it would wrap).
      Value(I v)
      : v_(detail::checked_int64(v)) {}
  Value(double v) : v_(v) {}
  Value(float v) : v_(static_cast<double>(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(Bytes v) : v_(std::move(v)) {}
  Value(Decimal v) : v_(std::move(v)) {}
  Value(Date v) : v_(v) {}
  Value(Time v) : v_(v) {}
  Value(DateTime v) : v_(v) {}
  Value(Interval v) : v_(v) {}
  Value(Uuid v) : v_(v) {}
  Value(Json v) : v_(std::move(v)) {}
  Value(std::chrono::year_month_day v) : v_(Date::from_chrono(v)) {}
  /// A system-clock time point becomes a naive DateTime in UTC.
  template <class Dur>
  Value(std::chrono::sys_time<Dur> v)
      : v_(DateTime::from_sys_time(std::chrono::floor<std::chrono::microseconds>(v))) {}
  template <class Rep, class Period>
  Value(std::chrono::duration<Rep, Period> v)
      : v_(Interval::from_chrono(std::chrono::duration_cast<std::chrono::microseconds>(v))) {}
  template <class T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }

  /// Makes this a text value equal to `text`, reusing the current string's
  /// buffer when it already holds text (no allocation once it is big enough).
  void assign_text(std::string_view text);

  ValueKind kind() const noexcept { return static_cast<ValueKind>(v_.index()); }
  bool is_null() const noexcept { return v_.index() == 0; }
  explicit operator bool() const = delete;  // ambiguous: use is_null() or as<bool>()

  /// Direct access to the held alternative; throws InvalidRequestError when the
  /// value holds another kind. For conversions (text "42" -> int) use as<T>().
  template <class T>
  const T& get() const;

  /// Convert to T (int64_t, int, double, bool, std::string, Bytes, Decimal, Date,
  /// Time, DateTime, Interval, Uuid, Json, or std::optional<...> of them).
  /// Text is parsed where the target is not text (SQLite stores dates as text).
  /// Throws InvalidRequestError for NULL into a non-optional T or an impossible conversion.
  template <class T>
  T as() const;

  const Storage& storage() const noexcept { return v_; }

  /// SQL-literal-like rendering for logs and messages: 'text', 42, NULL, X'00ff'.
  std::string repr() const;

  friend ALCHEMY_EXPORT bool operator==(const Value& a, const Value& b);

 private:
  Storage v_;
};

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {
  using type = T;
};
[[noreturn]] ALCHEMY_EXPORT void throw_value_kind_mismatch(ValueKind held, std::string_view wanted);
[[noreturn]] ALCHEMY_EXPORT void throw_null_value(std::string_view wanted);
}  // namespace detail

namespace detail {
template <class T, class V>
struct variant_index;
template <class T, class... Ts>
struct variant_index<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    std::size_t i = 0;
    (void)((std::is_same_v<T, Ts> ? false : (++i, true)) && ...);
    return i;
  }();
};
}  // namespace detail

template <class T>
const T& Value::get() const {
  if (const T* p = std::get_if<T>(&v_)) return *p;
  detail::throw_value_kind_mismatch(
      kind(), to_string(static_cast<ValueKind>(detail::variant_index<T, Storage>::value)));
}

// Conversions are compiled once in value.cpp; these are the supported targets.
template <>
ALCHEMY_EXPORT bool Value::as<bool>() const;
template <>
ALCHEMY_EXPORT std::int64_t Value::as<std::int64_t>() const;
template <>
ALCHEMY_EXPORT double Value::as<double>() const;
template <>
ALCHEMY_EXPORT std::string Value::as<std::string>() const;
template <>
ALCHEMY_EXPORT Bytes Value::as<Bytes>() const;
template <>
ALCHEMY_EXPORT Decimal Value::as<Decimal>() const;
template <>
ALCHEMY_EXPORT Date Value::as<Date>() const;
template <>
ALCHEMY_EXPORT Time Value::as<Time>() const;
template <>
ALCHEMY_EXPORT DateTime Value::as<DateTime>() const;
template <>
ALCHEMY_EXPORT Interval Value::as<Interval>() const;
template <>
ALCHEMY_EXPORT Uuid Value::as<Uuid>() const;
template <>
ALCHEMY_EXPORT Json Value::as<Json>() const;
template <>
ALCHEMY_EXPORT Value Value::as<Value>() const;

namespace detail {
/// int, int32_t, uint16_t ...: `v` converted, or InvalidRequestError when the
/// narrower type cannot hold it (never a silent wrap-around).
template <class T>
T narrow_integer(std::int64_t v) {
  if constexpr (std::is_unsigned_v<T>) {
    bool fits = v >= 0;
    if constexpr (sizeof(T) < sizeof(std::int64_t))
      fits = fits && static_cast<std::uint64_t>(v) <= std::numeric_limits<T>::max();
    if (!fits) throw_integer_out_of_range(v, std::numeric_limits<T>::digits, false);
  } else if constexpr (sizeof(T) < sizeof(std::int64_t)) {
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
      throw_integer_out_of_range(v, std::numeric_limits<T>::digits + 1, true);
  }
  return static_cast<T>(v);
}
}  // namespace detail

template <class T>
T Value::as() const {
  if constexpr (detail::is_optional<T>::value) {
    if (is_null()) return std::nullopt;
    return as<typename detail::is_optional<T>::type>();
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    return detail::narrow_integer<T>(as<std::int64_t>());
  } else if constexpr (std::is_same_v<T, float>) {
    return static_cast<float>(as<double>());
  } else if constexpr (std::is_same_v<T, std::chrono::year_month_day>) {
    return as<Date>().to_chrono();
  } else if constexpr (std::is_same_v<T, std::chrono::sys_time<std::chrono::microseconds>>) {
    return as<DateTime>().to_sys_time();
  } else {
    static_assert(sizeof(T) == 0,
                  "Value::as<T>: T must be bool, an integer, double, std::string, Bytes, "
                  "Decimal, Date, Time, DateTime, Interval, Uuid, Json or std::optional of one");
  }
}

/// Parameters for one execution, by name: `{{"name", "Ahmad"}, {"age", 30}}`.
/// Keeps insertion order; lookups are linear (parameter lists are short).
/// Up to two parameters are stored inline, so the common single-row execution
/// and each row of an executemany cost no allocation of their own.
class ALCHEMY_EXPORT Params {
 public:
  /// One named parameter. The members are mutable so that Params can move them
  /// out of a std::initializer_list, whose elements are otherwise const.
  struct Item {
    mutable std::string first;  ///< the name
    mutable Value second;       ///< the value
  };
  Params() = default;
  /// `{{"name", "Ahmad"}, {"age", 30}}`. The values are moved out of the list
  /// (Item's members are `mutable` for exactly this), so a long string built in
  /// place is not copied again.
  /// A name given twice keeps the last value, as in a Python dict literal.
  Params(std::initializer_list<Item> items) {
    if (items.size() > kInline) heap_.reserve(items.size());
    for (const Item& it : items) {
      if (Item* same = find_item(it.first)) {
        same->second = std::move(it.second);
      } else {
        push(Item{std::move(it.first), std::move(it.second)});
      }
    }
  }

  /// Sets (or replaces) a parameter; returns *this for chaining.
  Params& set(std::string name, Value v);
  /// Sets a text parameter, reusing the previous value's buffer: in an
  /// executemany generator, formatting into a stack buffer and calling
  /// set_text() costs no allocation per row.
  Params& set_text(std::string_view name, std::string_view text);
  /// The value named `name`, or nullptr.
  const Value* find(std::string_view name) const noexcept {
    for (const Item& it : *this)
      if (it.first == name) return &it.second;
    return nullptr;
  }
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
  std::size_t size() const noexcept { return heap_.empty() ? size_ : heap_.size(); }
  bool empty() const noexcept { return size() == 0; }
  void reserve(std::size_t n) {
    if (n > kInline) heap_.reserve(n);
  }
  const Item* begin() const noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
  const Item* end() const noexcept { return begin() + size(); }
  /// "{'name': 'Ahmad', 'age': 30}" for logs and messages.
  std::string repr() const;

 private:
  static constexpr std::size_t kInline = 2;
  Item* find_item(std::string_view name) noexcept {
    Item* items = heap_.empty() ? inline_.data() : heap_.data();
    for (std::size_t i = 0; i < size(); ++i)
      if (items[i].first == name) return &items[i];
    return nullptr;
  }
  void push(Item&& it) {
    if (heap_.empty() && size_ < kInline) {
      inline_[size_++] = std::move(it);
      return;
    }
    if (heap_.empty()) {  // spill the inline items
      heap_.reserve(kInline * 2);
      for (std::size_t i = 0; i < size_; ++i) heap_.push_back(std::move(inline_[i]));
      size_ = 0;
    }
    heap_.push_back(std::move(it));
  }
  std::array<Item, kInline> inline_{};
  std::size_t size_ = 0;    // items in inline_ (when heap_ is empty)
  std::vector<Item> heap_;  // all items, once there are more than kInline
};

}  // namespace alchemy
