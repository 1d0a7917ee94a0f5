// SQL types (SQLAlchemy's sqlalchemy.types): what a column holds, how it is
// spelled in DDL per dialect, and how values are converted on the way in and out.
//
// Types are immutable objects shared through TypeRef (std::shared_ptr<const TypeEngine>).
// The names are SQLAlchemy's: `Integer`, `String(50)`, `Numeric(10, 2)`,
// `types::DateTime(true)` ... Each is a constexpr factory object, so both the bare
// name and the call form work where a type is expected:
//
//   Column("id", Integer, primary_key())
//   Column("name", String(50))
//   Column("created_at", types::DateTime(/*timezone=*/true))
//
// All types live in alchemy::types. Those whose names do not collide with the
// value structs of <alchemy/core/value.hpp> are also in alchemy:: (Integer,
// String, Text, Boolean, Numeric, JSON, ...); Date, DateTime, Time and Interval
// name the C++ values in alchemy::, so the SQL types are spelled types::Date,
// types::DateTime, types::Time and types::Interval.
//
// Custom types derive from types::TypeDecorator (the guide's JSONEncodedDict):
// process_bind_param() runs on every value bound to such a column,
// process_result_value() on every value read back.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/core/value.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class SQLCompiler;
class TypeEngine;
/// A shared, immutable SQL type.
using TypeRef = std::shared_ptr<const TypeEngine>;

/// The generic family of a type (what SQLAlchemy calls its "type affinity").
enum class TypeKind : std::uint8_t {
  null,  ///< NullType: unknown (untyped literals, text() columns)
  integer,
  big_integer,
  small_integer,
  string,
  text,
  unicode,
  unicode_text,
  boolean,
  float_,
  numeric,
  date,
  datetime,
  time,
  interval,
  large_binary,
  enum_,
  json,
  uuid,
  array,
  decorator,  ///< a TypeDecorator: see impl()
};

/// Base of every SQL type (SQLAlchemy's TypeEngine).
class ALCHEMY_EXPORT TypeEngine {
 public:
  virtual ~TypeEngine();
  virtual TypeKind kind() const noexcept = 0;
  /// SQLAlchemy's generic class name ("Integer", "String", "Numeric") for repr and errors.
  virtual std::string_view type_name() const noexcept = 0;
  /// "VARCHAR(50)", "NUMERIC(10, 2)": the generic spelling, as str(type) gives it.
  virtual std::string repr() const;
  /// The type whose affinity decides operators and DDL (the impl of a decorator).
  virtual const TypeEngine& dialect_impl() const noexcept { return *this; }

  /// The Value kind this type holds in C++ (ValueKind::null for NullType).
  ValueKind value_kind() const noexcept;
  /// Whether `kind` is integer-like / string-like / numeric.
  bool is_integer() const noexcept;
  bool is_string() const noexcept;
  bool is_numeric() const noexcept;

  /// Converts a value bound to a column of this type before it reaches the
  /// driver. The default coerces compatible C++ values (an int for Numeric, a
  /// string for Date ...) and throws StatementError-friendly ArgumentError for a
  /// value that does not fit (text for an Integer column).
  virtual Value bind_value(Value v, const SQLCompiler& dialect) const;
  /// Whether result values of this type need result_value() on `dialect`.
  virtual bool needs_result_processing(const SQLCompiler& dialect) const;
  /// Converts a value read from the driver (SQLite text -> DateTime, 1 -> true ...).
  virtual Value result_value(Value v, const SQLCompiler& dialect) const;
};

namespace types {

/// A length-parameterised string family (String, Unicode).
class ALCHEMY_EXPORT StringType : public TypeEngine {
 public:
  explicit StringType(TypeKind kind, std::optional<int> length = {},
                      std::optional<std::string> collation = {})
      : kind_(kind), length_(length), collation_(std::move(collation)) {}
  TypeKind kind() const noexcept override { return kind_; }
  std::string_view type_name() const noexcept override;
  std::string repr() const override;
  std::optional<int> length() const noexcept { return length_; }
  const std::optional<std::string>& collation() const noexcept { return collation_; }

 private:
  TypeKind kind_;
  std::optional<int> length_;
  std::optional<std::string> collation_;
};

/// A type without parameters (Integer, Text, Boolean, Date, JSON ...).
class ALCHEMY_EXPORT SimpleType : public TypeEngine {
 public:
  explicit SimpleType(TypeKind kind) : kind_(kind) {}
  TypeKind kind() const noexcept override { return kind_; }
  std::string_view type_name() const noexcept override;
  Value bind_value(Value v, const SQLCompiler& dialect) const override;

 private:
  TypeKind kind_;
};

/// Float(precision).
class ALCHEMY_EXPORT FloatType : public TypeEngine {
 public:
  explicit FloatType(std::optional<int> precision = {}) : precision_(precision) {}
  TypeKind kind() const noexcept override { return TypeKind::float_; }
  std::string_view type_name() const noexcept override { return "Float"; }
  std::string repr() const override;
  std::optional<int> precision() const noexcept { return precision_; }

 private:
  std::optional<int> precision_;
};

/// Numeric(precision, scale): exact decimals, read back as alchemy::Decimal.
class ALCHEMY_EXPORT NumericType : public TypeEngine {
 public:
  NumericType(std::optional<int> precision = {}, std::optional<int> scale = {})
      : precision_(precision), scale_(scale) {}
  TypeKind kind() const noexcept override { return TypeKind::numeric; }
  std::string_view type_name() const noexcept override { return "Numeric"; }
  std::string repr() const override;
  std::optional<int> precision() const noexcept { return precision_; }
  std::optional<int> scale() const noexcept { return scale_; }

 private:
  std::optional<int> precision_, scale_;
};

/// DateTime(timezone) / Time(timezone).
class ALCHEMY_EXPORT TemporalType : public TypeEngine {
 public:
  TemporalType(TypeKind kind, bool timezone) : kind_(kind), timezone_(timezone) {}
  TypeKind kind() const noexcept override { return kind_; }
  std::string_view type_name() const noexcept override;
  std::string repr() const override;
  bool timezone() const noexcept { return timezone_; }

 private:
  TypeKind kind_;
  bool timezone_;
};

/// Enum: a fixed set of strings. Native ENUM type on PostgreSQL (CREATE TYPE
/// name AS ENUM, created and dropped with the table), VARCHAR + CHECK on SQLite.
class ALCHEMY_EXPORT EnumType : public TypeEngine {
 public:
  EnumType(std::vector<std::string> values, std::string name, bool native_enum = true,
           bool create_constraint = true, std::optional<int> length = {});
  TypeKind kind() const noexcept override { return TypeKind::enum_; }
  std::string_view type_name() const noexcept override { return "Enum"; }
  std::string repr() const override;
  Value bind_value(Value v, const SQLCompiler& dialect) const override;
  const std::vector<std::string>& enums() const noexcept { return values_; }
  /// The PostgreSQL type name (and the CHECK constraint's base name elsewhere).
  const std::string& name() const noexcept { return name_; }
  bool native_enum() const noexcept { return native_; }
  bool create_constraint() const noexcept { return create_constraint_; }
  /// VARCHAR length on non-native backends: the longest value unless given.
  int length() const noexcept { return length_; }

 private:
  std::vector<std::string> values_;
  std::string name_;
  bool native_;
  bool create_constraint_;
  int length_;
};

/// ARRAY(item_type) (PostgreSQL). Values travel as PostgreSQL array literals
/// in text form ("{1,2,3}").
class ALCHEMY_EXPORT ArrayType : public TypeEngine {
 public:
  explicit ArrayType(TypeRef item, int dimensions = 1)
      : item_(std::move(item)), dimensions_(dimensions) {}
  TypeKind kind() const noexcept override { return TypeKind::array; }
  std::string_view type_name() const noexcept override { return "ARRAY"; }
  std::string repr() const override;
  const TypeRef& item_type() const noexcept { return item_; }
  int dimensions() const noexcept { return dimensions_; }

 private:
  TypeRef item_;
  int dimensions_;
};

/// Base for custom types: wraps an implementation type and converts values.
///   struct JSONEncodedDict : types::TypeDecorator {
///     JSONEncodedDict() : TypeDecorator(String(500)) {}
///     Value process_bind_param(Value v, const SQLCompiler&) const override { ... }
///     Value process_result_value(Value v, const SQLCompiler&) const override { ... }
///   };
///   Column("metadata", JSONEncodedDict{})
class ALCHEMY_EXPORT TypeDecorator : public TypeEngine {
 public:
  explicit TypeDecorator(TypeRef impl) : impl_(std::move(impl)) {}
  TypeKind kind() const noexcept override { return TypeKind::decorator; }
  std::string_view type_name() const noexcept override { return "TypeDecorator"; }
  std::string repr() const override;
  const TypeEngine& dialect_impl() const noexcept override { return impl_->dialect_impl(); }
  const TypeRef& impl() const noexcept { return impl_; }

  /// Called with each value bound to the column (NULL included); the default
  /// returns it unchanged.
  virtual Value process_bind_param(Value v, const SQLCompiler& dialect) const;
  /// Called with each value read from the column (NULL included).
  virtual Value process_result_value(Value v, const SQLCompiler& dialect) const;

  Value bind_value(Value v, const SQLCompiler& dialect) const final;
  bool needs_result_processing(const SQLCompiler& dialect) const final;
  Value result_value(Value v, const SQLCompiler& dialect) const final;

 private:
  TypeRef impl_;
};

/// The shared NullType instance (the type of untyped literals).
ALCHEMY_EXPORT const TypeRef& null_type();
/// The type SQLAlchemy infers for a C++ value (Integer for ints, String for text ...).
ALCHEMY_EXPORT const TypeRef& type_for(ValueKind kind);

// ---- factories: usable bare (`Integer`) or called (`String(50)`) ----------------

namespace factory {
struct ALCHEMY_EXPORT SimpleFactory {
  TypeKind kind;
  operator TypeRef() const;  // NOLINT: a bare factory is the default-configured type
  TypeRef operator()() const { return *this; }
};
struct ALCHEMY_EXPORT StringFactory {
  TypeKind kind;
  operator TypeRef() const;  // NOLINT
  TypeRef operator()(std::optional<int> length = {},
                     std::optional<std::string> collation = {}) const;
};
struct ALCHEMY_EXPORT FloatFactory {
  operator TypeRef() const;  // NOLINT
  TypeRef operator()(std::optional<int> precision = {}) const;
};
struct ALCHEMY_EXPORT NumericFactory {
  operator TypeRef() const;  // NOLINT
  TypeRef operator()(std::optional<int> precision = {}, std::optional<int> scale = {}) const;
};
struct ALCHEMY_EXPORT TemporalFactory {
  TypeKind kind;
  operator TypeRef() const;  // NOLINT
  TypeRef operator()(bool timezone = false) const;
};
struct ALCHEMY_EXPORT EnumFactory {
  /// Enum({"admin", "user"}, "userrole"): values and the type name.
  TypeRef operator()(std::vector<std::string> values, std::string name = {},
                     bool native_enum = true, bool create_constraint = true) const;
};
struct ALCHEMY_EXPORT ArrayFactory {
  TypeRef operator()(TypeRef item, int dimensions = 1) const;
};
}  // namespace factory

inline constexpr factory::SimpleFactory Integer{TypeKind::integer};
inline constexpr factory::SimpleFactory BigInteger{TypeKind::big_integer};
inline constexpr factory::SimpleFactory SmallInteger{TypeKind::small_integer};
inline constexpr factory::StringFactory String{TypeKind::string};
inline constexpr factory::SimpleFactory Text{TypeKind::text};
inline constexpr factory::StringFactory Unicode{TypeKind::unicode};
inline constexpr factory::SimpleFactory UnicodeText{TypeKind::unicode_text};
inline constexpr factory::SimpleFactory Boolean{TypeKind::boolean};
inline constexpr factory::FloatFactory Float{};
inline constexpr factory::NumericFactory Numeric{};
inline constexpr factory::SimpleFactory Date{TypeKind::date};
inline constexpr factory::TemporalFactory DateTime{TypeKind::datetime};
inline constexpr factory::TemporalFactory Time{TypeKind::time};
inline constexpr factory::SimpleFactory Interval{TypeKind::interval};
inline constexpr factory::SimpleFactory LargeBinary{TypeKind::large_binary};
inline constexpr factory::EnumFactory Enum{};
inline constexpr factory::SimpleFactory JSON{TypeKind::json};
inline constexpr factory::SimpleFactory UUID{TypeKind::uuid};
inline constexpr factory::SimpleFactory Uuid{TypeKind::uuid};
inline constexpr factory::ArrayFactory ARRAY{};

}  // namespace types

// The SQL types whose names do not collide with value structs.
using types::ARRAY;
using types::BigInteger;
using types::Boolean;
using types::Enum;
using types::Float;
using types::Integer;
using types::JSON;
using types::LargeBinary;
using types::Numeric;
using types::SmallInteger;
using types::String;
using types::Text;
using types::TypeDecorator;
using types::Unicode;
using types::UnicodeText;
using types::UUID;

/// Anything that names a type: a TypeRef, a factory (`Integer`), or a
/// TypeEngine-derived object by value (`JSONEncodedDict{}`).
class ALCHEMY_EXPORT TypeArg {
 public:
  TypeArg(TypeRef t) : type_(std::move(t)) {}  // NOLINT
  template <class F>
  requires(std::is_convertible_v<const F&, TypeRef> && !std::is_same_v<F, TypeRef>)
      TypeArg(const F& f)
      : type_(static_cast<TypeRef>(f)) {}  // NOLINT
  template <class T>
  requires(std::is_base_of_v<TypeEngine, T>) TypeArg(T t)
      : type_(std::make_shared<T>(std::move(t))) {}  // NOLINT
  const TypeRef& get() const noexcept { return type_; }

 private:
  TypeRef type_;
};

}  // namespace alchemy
