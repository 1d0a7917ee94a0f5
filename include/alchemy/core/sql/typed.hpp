// Typed column expressions: the expression language checked at compile time.
//
// Expr<T> is a ColumnElement that knows the C++ type of its values. Operators
// on it only compile for operands of a compatible C++ type, and where()/having()
// only accept Expr<bool>:
//
//   auto age  = typed<std::int64_t>(users.c["age"]);    // checks the SQL type once, at run time
//   auto name = typed<std::string>(users.c["name"]);
//   select(users).where(age > 18, name.like("A%"));     // compiles
//   select(users).where(age > "18");                    // does not compile: static_assert
//   select(users).where(age + 1);                       // does not compile: not boolean
//
// Expr<T> converts to ColumnElement, so typed and dynamic expressions mix
// freely (the dynamic side is not checked). std::optional<T> marks a nullable
// column: comparing it with nullptr / std::nullopt renders IS NULL.
//
// Everything here is a thin template over the dynamic core: no code is
// generated per column beyond inline forwarding calls.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "alchemy/core/sql/elements.hpp"
#include "alchemy/core/value.hpp"

namespace alchemy {

template <class T>
class Expr;

namespace detail {

template <class T>
struct is_typed_expr<Expr<T>> : std::true_type {};

template <class T>
struct strip_optional {
  using type = T;
};
template <class T>
struct strip_optional<std::optional<T>> {
  using type = T;
};
template <class T>
using base_t = typename strip_optional<std::remove_cvref_t<T>>::type;

template <class T>
inline constexpr bool is_textual_v =
    std::is_same_v<base_t<T>, std::string> || std::is_same_v<base_t<T>, std::string_view> ||
    std::is_same_v<std::decay_t<T>, const char*> || std::is_same_v<std::decay_t<T>, char*>;

template <class T>
inline constexpr bool is_number_v = (std::is_arithmetic_v<base_t<T>> &&
                                     !std::is_same_v<base_t<T>, bool>) ||
                                    std::is_same_v<base_t<T>, Decimal>;

template <class T>
inline constexpr bool is_null_v = std::is_same_v<std::remove_cvref_t<T>, std::nullptr_t> ||
                                  std::is_same_v<std::remove_cvref_t<T>, std::nullopt_t>;

/// Whether values of C++ types A and B may be compared / combined in SQL.
template <class A, class B>
inline constexpr bool compatible_v =
    (is_number_v<A> && is_number_v<B>) ||
    (is_textual_v<A> && is_textual_v<B>) || std::is_same_v<base_t<A>, base_t<B>>;

template <class T>
struct expr_type {
  using type = void;
};
template <class T>
struct expr_type<Expr<T>> {
  using type = T;
};

/// The ValueKind a C++ type maps to (for typed()'s run-time check).
template <class T>
constexpr ValueKind value_kind_of() {
  using B = base_t<T>;
  if constexpr (std::is_same_v<B, bool>)
    return ValueKind::boolean;
  else if constexpr (std::is_integral_v<B>)
    return ValueKind::integer;
  else if constexpr (std::is_floating_point_v<B>)
    return ValueKind::floating;
  else if constexpr (std::is_same_v<B, std::string>)
    return ValueKind::text;
  else if constexpr (std::is_same_v<B, Decimal>)
    return ValueKind::decimal;
  else if constexpr (std::is_same_v<B, Date>)
    return ValueKind::date;
  else if constexpr (std::is_same_v<B, Time>)
    return ValueKind::time;
  else if constexpr (std::is_same_v<B, DateTime>)
    return ValueKind::datetime;
  else if constexpr (std::is_same_v<B, Interval>)
    return ValueKind::interval;
  else if constexpr (std::is_same_v<B, Uuid>)
    return ValueKind::uuid;
  else if constexpr (std::is_same_v<B, Json>)
    return ValueKind::json;
  else if constexpr (std::is_same_v<B, Bytes>)
    return ValueKind::bytes;
  else {
    static_assert(sizeof(T) == 0,
                  "alchemy: typed<T>: T must be bool, an integer, a floating-point type, "
                  "std::string, Decimal, Date, Time, DateTime, Interval, Uuid, Json or Bytes "
                  "(optionally in std::optional)");
    return ValueKind::null;
  }
}

/// Throws ArgumentError when `column`'s SQL type does not hold `kind` values.
ALCHEMY_EXPORT void check_typed(const ColumnElement& column, ValueKind kind, bool nullable_cpp);

template <class T, class R>
ColumnElement typed_operand(const R& r) {
  if constexpr (is_typed_expr_v<R>) {
    using U = typename expr_type<std::remove_cvref_t<R>>::type;
    static_assert(compatible_v<T, U>,
                  "alchemy: type mismatch in a SQL expression: the two columns hold incompatible "
                  "C++ types (e.g. an integer column and a string column)");
    return ColumnElement(r);
  } else if constexpr (std::is_base_of_v<ColumnElement, std::remove_cvref_t<R>>) {
    return ColumnElement(r);  // a dynamic expression: not checked
  } else {
    static_assert(compatible_v<T, R> || is_null_v<R>,
                  "alchemy: type mismatch in a SQL expression: the value's C++ type does not "
                  "match the column's (e.g. comparing an integer column with a string)");
    return ColumnElement(r);
  }
}

}  // namespace detail

/// A column expression whose values have C++ type T (std::optional<T>: nullable).
template <class T>
class Expr : public ColumnElement {
 public:
  using cpp_type = T;
  static constexpr bool is_boolean = std::is_same_v<detail::base_t<T>, bool>;

  Expr() = default;
  explicit Expr(ColumnElement e) : ColumnElement(std::move(e)) {}

  Expr<T> label(std::string name) const { return Expr<T>(ColumnElement::label(std::move(name))); }

  template <class P>
  Expr<bool> like(const P& pattern) const {
    static_assert(detail::is_textual_v<T>, "alchemy: like() needs a string column");
    return Expr<bool>(ColumnElement::like(detail::typed_operand<T>(pattern)));
  }
  template <class P>
  Expr<bool> ilike(const P& pattern) const {
    static_assert(detail::is_textual_v<T>, "alchemy: ilike() needs a string column");
    return Expr<bool>(ColumnElement::ilike(detail::typed_operand<T>(pattern)));
  }
  template <class P>
  Expr<bool> contains(const P& s) const {
    static_assert(detail::is_textual_v<T>, "alchemy: contains() needs a string column");
    return Expr<bool>(ColumnElement::contains(detail::typed_operand<T>(s)));
  }
  template <class P>
  Expr<bool> startswith(const P& s) const {
    static_assert(detail::is_textual_v<T>, "alchemy: startswith() needs a string column");
    return Expr<bool>(ColumnElement::startswith(detail::typed_operand<T>(s)));
  }
  template <class P>
  Expr<bool> endswith(const P& s) const {
    static_assert(detail::is_textual_v<T>, "alchemy: endswith() needs a string column");
    return Expr<bool>(ColumnElement::endswith(detail::typed_operand<T>(s)));
  }
  template <class V>
  Expr<bool> in_(const std::vector<V>& values) const {
    static_assert(detail::compatible_v<T, V>,
                  "alchemy: in_() values must have the column's C++ type");
    return Expr<bool>(ColumnElement::in_(std::vector<Value>(values.begin(), values.end())));
  }
  /// IN (SELECT ...): the subquery's column is not checked.
  Expr<bool> in_(const Select& subquery) const { return Expr<bool>(ColumnElement::in_(subquery)); }
  Expr<bool> not_in(const Select& subquery) const {
    return Expr<bool>(ColumnElement::not_in(subquery));
  }
  template <class V>
  Expr<bool> not_in(const std::vector<V>& values) const {
    static_assert(detail::compatible_v<T, V>,
                  "alchemy: not_in() values must have the column's C++ type");
    return Expr<bool>(ColumnElement::not_in(std::vector<Value>(values.begin(), values.end())));
  }
  template <class A, class B>
  Expr<bool> between(const A& lo, const B& hi) const {
    return Expr<bool>(
        ColumnElement::between(detail::typed_operand<T>(lo), detail::typed_operand<T>(hi)));
  }
  Expr<bool> is_null() const { return Expr<bool>(ColumnElement::is_(nullptr)); }
  Expr<bool> is_not_null() const { return Expr<bool>(ColumnElement::is_not(nullptr)); }
};

/// A typed handle to a column: `typed<std::int64_t>(users.c["age"])`. Throws
/// ArgumentError when the column's SQL type does not hold T values.
template <class T>
Expr<T> typed(const ColumnElement& column) {
  detail::check_typed(column, detail::value_kind_of<T>(),
                      !std::is_same_v<detail::base_t<T>, std::remove_cvref_t<T>>);
  return Expr<T>(column);
}

// ---- operators ----------------------------------------------------------------------

namespace detail {
template <class L, class R>
concept TypedLeft = is_typed_expr_v<L>;
template <class L, class R>
concept TypedRightOnly = !is_typed_expr_v<L> && is_typed_expr_v<R>;
}  // namespace detail

#define ALCHEMY_TYPED_COMPARISON(sym, op)                                              \
  template <class T, class R>                                                          \
  Expr<bool> operator sym(const Expr<T>& l, const R& r) {                              \
    return Expr<bool>(detail::binary(detail::Op::op, l, detail::typed_operand<T>(r))); \
  }                                                                                    \
  template <class L, class T>                                                          \
  requires(!detail::is_typed_expr_v<L>) Expr<bool>                                     \
  operator sym(const L& l, const Expr<T>& r) {                                         \
    return Expr<bool>(detail::binary(detail::Op::op, detail::typed_operand<T>(l), r)); \
  }
ALCHEMY_TYPED_COMPARISON(==, eq)
ALCHEMY_TYPED_COMPARISON(!=, ne)
ALCHEMY_TYPED_COMPARISON(<, lt)
ALCHEMY_TYPED_COMPARISON(<=, le)
ALCHEMY_TYPED_COMPARISON(>, gt)
ALCHEMY_TYPED_COMPARISON(>=, ge)
#undef ALCHEMY_TYPED_COMPARISON

#define ALCHEMY_TYPED_ARITHMETIC(sym, op)                                                         \
  template <class T, class R>                                                                     \
  Expr<T> operator sym(const Expr<T>& l, const R& r) {                                            \
    static_assert(                                                                                \
        detail::is_number_v<T> || (detail::Op::op == detail::Op::add && detail::is_textual_v<T>), \
        "alchemy: arithmetic needs numeric columns (+ also concatenates "                         \
        "strings)");                                                                              \
    return Expr<T>(detail::binary(detail::Op::op, l, detail::typed_operand<T>(r)));               \
  }
ALCHEMY_TYPED_ARITHMETIC(+, add)
ALCHEMY_TYPED_ARITHMETIC(-, sub)
ALCHEMY_TYPED_ARITHMETIC(*, mul)
ALCHEMY_TYPED_ARITHMETIC(/, div)
ALCHEMY_TYPED_ARITHMETIC(%, mod)
#undef ALCHEMY_TYPED_ARITHMETIC

template <class T, class R>
Expr<bool> operator&(const Expr<T>& l, const R& r) {
  static_assert(Expr<T>::is_boolean, "alchemy: & (AND) needs boolean expressions");
  if constexpr (detail::is_typed_expr_v<R>)
    static_assert(std::remove_cvref_t<R>::is_boolean, "alchemy: & (AND) needs boolean expressions");
  return Expr<bool>(and_(ColumnElement(l), ColumnElement(r)));
}
template <class L, class T>
requires(!detail::is_typed_expr_v<L> && std::is_base_of_v<ColumnElement, L>) Expr<bool>
operator&(const L& l, const Expr<T>& r) {
  static_assert(Expr<T>::is_boolean, "alchemy: & (AND) needs boolean expressions");
  return Expr<bool>(and_(ColumnElement(l), ColumnElement(r)));
}
template <class T, class R>
Expr<bool> operator|(const Expr<T>& l, const R& r) {
  static_assert(Expr<T>::is_boolean, "alchemy: | (OR) needs boolean expressions");
  if constexpr (detail::is_typed_expr_v<R>)
    static_assert(std::remove_cvref_t<R>::is_boolean, "alchemy: | (OR) needs boolean expressions");
  return Expr<bool>(or_(ColumnElement(l), ColumnElement(r)));
}
template <class L, class T>
requires(!detail::is_typed_expr_v<L> && std::is_base_of_v<ColumnElement, L>) Expr<bool>
operator|(const L& l, const Expr<T>& r) {
  static_assert(Expr<T>::is_boolean, "alchemy: | (OR) needs boolean expressions");
  return Expr<bool>(or_(ColumnElement(l), ColumnElement(r)));
}
template <class T>
Expr<bool> operator~(const Expr<T>& e) {
  static_assert(Expr<T>::is_boolean, "alchemy: ~ (NOT) needs a boolean expression");
  return Expr<bool>(detail::negate(e));
}
template <class T>
Expr<T> operator-(const Expr<T>& e) {
  static_assert(detail::is_number_v<T>, "alchemy: unary minus needs a numeric expression");
  return Expr<T>(detail::unary_minus(e));
}

}  // namespace alchemy
