#include "alchemy/core/types.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/exc.hpp"

namespace alchemy {

TypeEngine::~TypeEngine() = default;

std::string TypeEngine::repr() const {
  // The generic DDL spelling, as SQLAlchemy's str(Integer()) gives "INTEGER".
  switch (kind()) {
    case TypeKind::null:
      return "NULL";
    case TypeKind::integer:
      return "INTEGER";
    case TypeKind::big_integer:
      return "BIGINT";
    case TypeKind::small_integer:
      return "SMALLINT";
    case TypeKind::text:
    case TypeKind::unicode_text:
      return "TEXT";
    case TypeKind::boolean:
      return "BOOLEAN";
    case TypeKind::date:
      return "DATE";
    case TypeKind::interval:
      return "INTERVAL";
    case TypeKind::large_binary:
      return "BLOB";
    case TypeKind::json:
      return "JSON";
    case TypeKind::uuid:
      return "UUID";
    default:
      return std::string(type_name());
  }
}

ValueKind TypeEngine::value_kind() const noexcept {
  switch (dialect_impl().kind()) {
    case TypeKind::null:
      return ValueKind::null;
    case TypeKind::integer:
    case TypeKind::big_integer:
    case TypeKind::small_integer:
      return ValueKind::integer;
    case TypeKind::string:
    case TypeKind::text:
    case TypeKind::unicode:
    case TypeKind::unicode_text:
    case TypeKind::enum_:
    case TypeKind::array:
      return ValueKind::text;
    case TypeKind::boolean:
      return ValueKind::boolean;
    case TypeKind::float_:
      return ValueKind::floating;
    case TypeKind::numeric:
      return ValueKind::decimal;
    case TypeKind::date:
      return ValueKind::date;
    case TypeKind::datetime:
      return ValueKind::datetime;
    case TypeKind::time:
      return ValueKind::time;
    case TypeKind::interval:
      return ValueKind::interval;
    case TypeKind::large_binary:
      return ValueKind::bytes;
    case TypeKind::json:
      return ValueKind::json;
    case TypeKind::uuid:
      return ValueKind::uuid;
    case TypeKind::decorator:
      break;
  }
  return ValueKind::null;
}

bool TypeEngine::is_integer() const noexcept { return value_kind() == ValueKind::integer; }
bool TypeEngine::is_string() const noexcept {
  const TypeKind k = dialect_impl().kind();
  return k == TypeKind::string || k == TypeKind::text || k == TypeKind::unicode ||
         k == TypeKind::unicode_text || k == TypeKind::enum_;
}
bool TypeEngine::is_numeric() const noexcept {
  const ValueKind k = value_kind();
  return k == ValueKind::integer || k == ValueKind::floating || k == ValueKind::decimal;
}

namespace {

[[noreturn]] void bad_value(const TypeEngine& t, const Value& v, std::string_view why = {}) {
  throw ArgumentError(fmt::format("value {} ({}) does not fit a {} column{}{}; pass a {} value",
                                  v.repr(), to_string(v.kind()), t.repr(), why.empty() ? "" : ": ",
                                  why, to_string(t.value_kind())));
}

// Converts `v` to the kind the type holds, refusing conversions that would
// lose information (3.5 into an Integer column, "abc" into a Date).
Value coerce(const TypeEngine& t, Value v) {
  const ValueKind want = t.value_kind();
  const ValueKind have = v.kind();
  if (have == ValueKind::null || want == ValueKind::null || have == want) return v;
  try {
    switch (want) {
      case ValueKind::integer:
        if (have == ValueKind::boolean) return Value(v.get<bool>() ? 1 : 0);
        if (have == ValueKind::floating) {
          const double d = v.get<double>();
          if (std::trunc(d) != d || !std::isfinite(d)) bad_value(t, v, "it has a fraction");
          return Value(static_cast<std::int64_t>(d));
        }
        if (have == ValueKind::text || have == ValueKind::decimal)
          return Value(v.as<std::int64_t>());
        break;
      case ValueKind::floating:
        if (have == ValueKind::integer || have == ValueKind::decimal || have == ValueKind::text)
          return Value(v.as<double>());
        break;
      case ValueKind::decimal:
        if (have == ValueKind::integer || have == ValueKind::floating || have == ValueKind::text)
          return Value(v.as<Decimal>());
        break;
      case ValueKind::boolean:
        if (have == ValueKind::integer) {
          const auto i = v.get<std::int64_t>();
          if (i == 0 || i == 1) return Value(i == 1);
        }
        break;
      case ValueKind::text:
        if (have == ValueKind::integer || have == ValueKind::floating ||
            have == ValueKind::decimal || have == ValueKind::uuid)
          return Value(v.as<std::string>());
        break;
      case ValueKind::date:
        if (have == ValueKind::text) return Value(v.as<Date>());
        break;
      case ValueKind::datetime:
        if (have == ValueKind::text || have == ValueKind::date) return Value(v.as<DateTime>());
        break;
      case ValueKind::time:
        if (have == ValueKind::text) return Value(v.as<Time>());
        break;
      case ValueKind::interval:
        if (have == ValueKind::text) return Value(v.as<Interval>());
        break;
      case ValueKind::uuid:
        if (have == ValueKind::text || have == ValueKind::bytes) return Value(v.as<Uuid>());
        break;
      case ValueKind::bytes:
        if (have == ValueKind::text) return Value(v.as<Bytes>());
        break;
      case ValueKind::json:
        // A C++ value bound to a JSON column is encoded as JSON (as SQLAlchemy's
        // JSON type serializes Python values).
        if (have == ValueKind::text) {
          std::string out = "\"";
          for (char c : v.get<std::string>()) {
            switch (c) {
              case '"':
                out += "\\\"";
                break;
              case '\\':
                out += "\\\\";
                break;
              case '\n':
                out += "\\n";
                break;
              case '\r':
                out += "\\r";
                break;
              case '\t':
                out += "\\t";
                break;
              default:
                if (static_cast<unsigned char>(c) < 0x20) {
                  out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
                } else {
                  out += c;
                }
            }
          }
          out += '"';
          return Value(Json{out});
        }
        if (have == ValueKind::integer || have == ValueKind::floating || have == ValueKind::decimal)
          return Value(Json{v.as<std::string>()});
        if (have == ValueKind::boolean) return Value(Json{v.get<bool>() ? "true" : "false"});
        break;
      default:
        break;
    }
  } catch (const ArgumentError&) {
    throw;
  } catch (const SQLAlchemyError& e) {
    bad_value(t, v, e.what());
  }
  bad_value(t, v);
}

}  // namespace

Value TypeEngine::bind_value(Value v, const SQLCompiler& /*dialect*/) const {
  return coerce(*this, std::move(v));
}

bool TypeEngine::needs_result_processing(const SQLCompiler& dialect) const {
  if (kind() == TypeKind::null) return false;
  return !dialect.native_result_type(*this);
}

Value TypeEngine::result_value(Value v, const SQLCompiler& /*dialect*/) const {
  if (v.is_null()) return v;
  const ValueKind want = value_kind();
  if (want == ValueKind::null || v.kind() == want) return v;
  switch (want) {
    case ValueKind::boolean:
      return Value(v.as<bool>());
    case ValueKind::integer:
      return Value(v.as<std::int64_t>());
    case ValueKind::floating:
      return Value(v.as<double>());
    case ValueKind::decimal: {
      // A backend without an exact NUMERIC (SQLite) hands back a float or an
      // integer; give it the column's scale again, as SQLAlchemy does
      // ("%.*f" % (scale, value)): 1234.5 in a Numeric(10, 2) reads as 1234.50.
      const auto* numeric = dynamic_cast<const types::NumericType*>(&dialect_impl());
      if (numeric && numeric->scale() && *numeric->scale() >= 0) {
        const int scale = *numeric->scale();
        if (v.kind() == ValueKind::floating && std::isfinite(v.get<double>()))
          return Value(Decimal(fmt::format("{:.{}f}", v.get<double>(), scale)));
        if (v.kind() == ValueKind::integer && scale > 0)
          return Value(
              Decimal(fmt::format("{}.{}", v.get<std::int64_t>(), std::string(scale, '0'))));
      }
      return Value(v.as<Decimal>());
    }
    case ValueKind::date:
      return Value(v.as<Date>());
    case ValueKind::datetime:
      return Value(v.as<DateTime>());
    case ValueKind::time:
      return Value(v.as<Time>());
    case ValueKind::interval:
      return Value(v.as<Interval>());
    case ValueKind::uuid:
      return Value(v.as<Uuid>());
    case ValueKind::json:
      return Value(v.as<Json>());
    case ValueKind::bytes:
      return Value(v.as<Bytes>());
    case ValueKind::text:
      return Value(v.as<std::string>());
    default:
      return v;
  }
}

namespace types {

std::string_view StringType::type_name() const noexcept {
  return kind_ == TypeKind::unicode ? "Unicode" : "String";
}
std::string StringType::repr() const {
  return length_ ? fmt::format("VARCHAR({})", *length_) : std::string("VARCHAR");
}

std::string_view SimpleType::type_name() const noexcept {
  switch (kind_) {
    case TypeKind::null:
      return "NullType";
    case TypeKind::integer:
      return "Integer";
    case TypeKind::big_integer:
      return "BigInteger";
    case TypeKind::small_integer:
      return "SmallInteger";
    case TypeKind::text:
      return "Text";
    case TypeKind::unicode_text:
      return "UnicodeText";
    case TypeKind::boolean:
      return "Boolean";
    case TypeKind::date:
      return "Date";
    case TypeKind::interval:
      return "Interval";
    case TypeKind::large_binary:
      return "LargeBinary";
    case TypeKind::json:
      return "JSON";
    case TypeKind::uuid:
      return "UUID";
    default:
      return "TypeEngine";
  }
}

Value SimpleType::bind_value(Value v, const SQLCompiler& dialect) const {
  if (kind_ == TypeKind::null) return v;
  return TypeEngine::bind_value(std::move(v), dialect);
}

std::string FloatType::repr() const {
  return precision_ ? fmt::format("FLOAT({})", *precision_) : std::string("FLOAT");
}

std::string NumericType::repr() const {
  if (precision_ && scale_) return fmt::format("NUMERIC({}, {})", *precision_, *scale_);
  if (precision_) return fmt::format("NUMERIC({})", *precision_);
  return "NUMERIC";
}

std::string_view TemporalType::type_name() const noexcept {
  return kind_ == TypeKind::time ? "Time" : "DateTime";
}
std::string TemporalType::repr() const {
  std::string s = kind_ == TypeKind::time ? "TIME" : "DATETIME";
  if (timezone_) s += "(timezone=True)";
  return s;
}

EnumType::EnumType(std::vector<std::string> values, std::string name, bool native_enum,
                   bool create_constraint, std::optional<int> length)
    : values_(std::move(values)),
      name_(std::move(name)),
      native_(native_enum),
      create_constraint_(create_constraint) {
  if (values_.empty()) throw ArgumentError("Enum() needs at least one value");
  std::size_t longest = 0;
  for (const auto& v : values_) longest = std::max(longest, v.size());
  length_ = length ? *length : static_cast<int>(longest);
}

std::string EnumType::repr() const {
  std::string s = "Enum(";
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (i) s += ", ";
    s += "'" + values_[i] + "'";
  }
  if (!name_.empty()) s += ", name='" + name_ + "'";
  return s + ")";
}

Value EnumType::bind_value(Value v, const SQLCompiler& /*dialect*/) const {
  if (v.is_null()) return v;
  if (v.kind() != ValueKind::text) bad_value(*this, v);
  const auto& s = v.get<std::string>();
  if (std::find(values_.begin(), values_.end(), s) == values_.end()) {
    std::string allowed;
    for (const auto& e : values_) allowed += (allowed.empty() ? "'" : ", '") + e + "'";
    throw ArgumentError(
        fmt::format("'{}' is not among the defined enum values. Enum name: {}. Possible values: {}",
                    s, name_.empty() ? "(unnamed)" : name_, allowed));
  }
  return v;
}

std::string ArrayType::repr() const { return "ARRAY(" + item_->repr() + ")"; }

std::string TypeDecorator::repr() const { return impl_->repr(); }
Value TypeDecorator::process_bind_param(Value v, const SQLCompiler& /*dialect*/) const { return v; }
Value TypeDecorator::process_result_value(Value v, const SQLCompiler& /*dialect*/) const {
  return v;
}
Value TypeDecorator::bind_value(Value v, const SQLCompiler& dialect) const {
  return impl_->bind_value(process_bind_param(std::move(v), dialect), dialect);
}
bool TypeDecorator::needs_result_processing(const SQLCompiler& /*dialect*/) const { return true; }
Value TypeDecorator::result_value(Value v, const SQLCompiler& dialect) const {
  if (impl_->needs_result_processing(dialect)) v = impl_->result_value(std::move(v), dialect);
  return process_result_value(std::move(v), dialect);
}

const TypeRef& null_type() {
  static const TypeRef t = std::make_shared<SimpleType>(TypeKind::null);
  return t;
}

const TypeRef& type_for(ValueKind kind) {
  static const TypeRef integer = std::make_shared<SimpleType>(TypeKind::integer);
  static const TypeRef string = std::make_shared<StringType>(TypeKind::string);
  static const TypeRef boolean = std::make_shared<SimpleType>(TypeKind::boolean);
  static const TypeRef floating = std::make_shared<FloatType>();
  static const TypeRef numeric = std::make_shared<NumericType>();
  static const TypeRef date = std::make_shared<SimpleType>(TypeKind::date);
  static const TypeRef datetime = std::make_shared<TemporalType>(TypeKind::datetime, false);
  static const TypeRef time = std::make_shared<TemporalType>(TypeKind::time, false);
  static const TypeRef interval = std::make_shared<SimpleType>(TypeKind::interval);
  static const TypeRef bytes = std::make_shared<SimpleType>(TypeKind::large_binary);
  static const TypeRef json = std::make_shared<SimpleType>(TypeKind::json);
  static const TypeRef uuid = std::make_shared<SimpleType>(TypeKind::uuid);
  switch (kind) {
    case ValueKind::boolean:
      return boolean;
    case ValueKind::integer:
      return integer;
    case ValueKind::floating:
      return floating;
    case ValueKind::text:
      return string;
    case ValueKind::bytes:
      return bytes;
    case ValueKind::decimal:
      return numeric;
    case ValueKind::date:
      return date;
    case ValueKind::time:
      return time;
    case ValueKind::datetime:
      return datetime;
    case ValueKind::interval:
      return interval;
    case ValueKind::uuid:
      return uuid;
    case ValueKind::json:
      return json;
    default:
      return null_type();
  }
}

namespace factory {

SimpleFactory::operator TypeRef() const {
  // One shared instance per kind: parameterless types are immutable.
  static const TypeRef cache[] = {
      null_type(),
      std::make_shared<SimpleType>(TypeKind::integer),
      std::make_shared<SimpleType>(TypeKind::big_integer),
      std::make_shared<SimpleType>(TypeKind::small_integer),
      nullptr,  // string
      std::make_shared<SimpleType>(TypeKind::text),
      nullptr,  // unicode
      std::make_shared<SimpleType>(TypeKind::unicode_text),
      std::make_shared<SimpleType>(TypeKind::boolean),
      nullptr,  // float
      nullptr,  // numeric
      std::make_shared<SimpleType>(TypeKind::date),
      nullptr,  // datetime
      nullptr,  // time
      std::make_shared<SimpleType>(TypeKind::interval),
      std::make_shared<SimpleType>(TypeKind::large_binary),
      nullptr,  // enum
      std::make_shared<SimpleType>(TypeKind::json),
      std::make_shared<SimpleType>(TypeKind::uuid),
  };
  const auto i = static_cast<std::size_t>(kind);
  if (i < std::size(cache) && cache[i]) return cache[i];
  return std::make_shared<SimpleType>(kind);
}

StringFactory::operator TypeRef() const {
  static const TypeRef s = std::make_shared<StringType>(TypeKind::string);
  static const TypeRef u = std::make_shared<StringType>(TypeKind::unicode);
  return kind == TypeKind::unicode ? u : s;
}
TypeRef StringFactory::operator()(std::optional<int> length,
                                  std::optional<std::string> collation) const {
  if (length && *length <= 0)
    throw ArgumentError(fmt::format("String length must be positive, got {}", *length));
  return std::make_shared<StringType>(kind, length, std::move(collation));
}

FloatFactory::operator TypeRef() const {
  static const TypeRef f = std::make_shared<FloatType>();
  return f;
}
TypeRef FloatFactory::operator()(std::optional<int> precision) const {
  return std::make_shared<FloatType>(precision);
}

NumericFactory::operator TypeRef() const {
  static const TypeRef n = std::make_shared<NumericType>();
  return n;
}
TypeRef NumericFactory::operator()(std::optional<int> precision, std::optional<int> scale) const {
  if (precision && *precision <= 0)
    throw ArgumentError(fmt::format("Numeric precision must be positive, got {}", *precision));
  if (scale && (*scale < 0 || (precision && *scale > *precision)))
    throw ArgumentError(
        fmt::format("Numeric scale {} must be between 0 and the precision", *scale));
  return std::make_shared<NumericType>(precision, scale);
}

TemporalFactory::operator TypeRef() const {
  static const TypeRef dt = std::make_shared<TemporalType>(TypeKind::datetime, false);
  static const TypeRef t = std::make_shared<TemporalType>(TypeKind::time, false);
  return kind == TypeKind::time ? t : dt;
}
TypeRef TemporalFactory::operator()(bool timezone) const {
  return std::make_shared<TemporalType>(kind, timezone);
}

TypeRef EnumFactory::operator()(std::vector<std::string> values, std::string name, bool native_enum,
                                bool create_constraint) const {
  return std::make_shared<EnumType>(std::move(values), std::move(name), native_enum,
                                    create_constraint);
}

TypeRef ArrayFactory::operator()(TypeRef item, int dimensions) const {
  if (!item) throw ArgumentError("ARRAY() needs an item type: ARRAY(Integer)");
  return std::make_shared<ArrayType>(std::move(item), dimensions);
}

}  // namespace factory
}  // namespace types
}  // namespace alchemy
