// SQL expression elements (SQLAlchemy's sqlalchemy.sql.elements): columns,
// literals, bind parameters, operators, functions, CASE, CAST, labels, window
// functions.
//
// An element is an immutable node of an expression tree, shared through a
// handle: copying a ColumnElement copies a pointer. Building expressions is
// ordinary C++ with SQLAlchemy's operators:
//
//   users.c["age"] > 25                        // users.age > ?   (25 is bound, never spliced)
//   (users.c["age"] > 18) & (users.c["is_active"] == true)
//   users.c["name"].like("Ahmad%")
//   users.c["id"].in_({1, 2, 3})
//   func.count(users.c["id"]).label("n")
//
// Values on the right of an operator become bind parameters that take the type
// of the column on the left (so an Enum or custom type processes them). These
// handles are dynamically typed; <alchemy/core/sql/typed.hpp> adds handles whose
// C++ type is checked at compile time.
//
// Trees are immutable once built and may be shared between threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "alchemy/core/sql/text.hpp"
#include "alchemy/core/types.hpp"
#include "alchemy/core/value.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

namespace detail {
struct Node;
}
/// A shared, immutable expression-tree node.
using NodeRef = std::shared_ptr<const detail::Node>;

class Select;
class ColumnElement;

/// Base of every element handle.
class ALCHEMY_EXPORT ClauseElement {
 public:
  ClauseElement() = default;
  explicit ClauseElement(NodeRef node) : node_(std::move(node)) {}
  /// The node (null for a default-constructed handle).
  const NodeRef& node() const noexcept { return node_; }
  bool empty() const noexcept { return node_ == nullptr; }
  /// A dialect-neutral rendering with `:name` placeholders (SQLAlchemy's str()).
  std::string str() const;
  /// The rendering for `compiler`'s dialect, bind values inlined as literals
  /// (SQLAlchemy's compile_kwargs={"literal_binds": True}); for debugging and
  /// offline SQL only — executed statements always bind their values.
  std::string str(const SQLCompiler& compiler, bool literal_binds = false) const;

 protected:
  NodeRef node_;
};

namespace detail {
template <class T>
struct is_typed_expr : std::false_type {};
template <class T>
inline constexpr bool is_typed_expr_v = is_typed_expr<std::remove_cvref_t<T>>::value;
}  // namespace detail

/// A C++ value that can become a bound literal. Callables are not values (a
/// captureless lambda would otherwise reach Value(bool) through its function
/// pointer, making `default_([] { ... })` ambiguous).
template <class T>
concept SqlValue = std::is_constructible_v<Value, const T&> &&
                   !std::is_base_of_v<ClauseElement, std::remove_cvref_t<T>> &&
                   !std::is_same_v<std::remove_cvref_t<T>, TextClause> &&
                   !std::is_invocable_v<const T&>;

/// Options of a window function's OVER clause (SQLAlchemy's over() keywords).
/// A frame bound is empty for UNBOUNDED, 0 for CURRENT ROW, -n for n PRECEDING
/// and n for n FOLLOWING: `.rows = Frame{std::nullopt, 0}` is
/// ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW.
struct Frame {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
};
struct Over;

/// A column-valued SQL expression (SQLAlchemy's ColumnElement).
class ALCHEMY_EXPORT ColumnElement : public ClauseElement {
 public:
  ColumnElement() = default;
  explicit ColumnElement(NodeRef node) : ClauseElement(std::move(node)) {}
  /// A C++ value becomes a bound literal (`col == 5`).
  template <SqlValue V>
  ColumnElement(const V& v) : ColumnElement(make_literal(Value(v))) {}  // NOLINT
  /// A textual fragment (`where(text("age > 5"))`).
  ColumnElement(const TextClause& t);  // NOLINT

  /// The SQL type (NullType when unknown).
  const TypeRef& type() const;
  /// The name a result column gets for this element ("" when anonymous).
  std::string_view key() const;

  ColumnElement like(const ColumnElement& pattern, std::optional<char> escape = {}) const;
  ColumnElement not_like(const ColumnElement& pattern, std::optional<char> escape = {}) const;
  /// Case-insensitive LIKE: ILIKE on PostgreSQL, lower(x) LIKE lower(y) elsewhere.
  ColumnElement ilike(const ColumnElement& pattern, std::optional<char> escape = {}) const;
  ColumnElement not_ilike(const ColumnElement& pattern, std::optional<char> escape = {}) const;
  /// `x LIKE '%' || v || '%'`. With autoescape (the default here; SQLAlchemy's is
  /// false) '%', '_' and '/' in a literal operand match themselves.
  ColumnElement contains(const ColumnElement& other, bool autoescape = true) const;
  ColumnElement startswith(const ColumnElement& other, bool autoescape = true) const;
  ColumnElement endswith(const ColumnElement& other, bool autoescape = true) const;
  /// IN (v1, v2, ...). An empty list is valid and false (NOT IN: true).
  ColumnElement in_(std::initializer_list<Value> values) const;
  ColumnElement in_(const std::vector<Value>& values) const;
  template <SqlValue V>
  ColumnElement in_(const std::vector<V>& values) const {
    return in_(std::vector<Value>(values.begin(), values.end()));
  }
  /// IN (SELECT ...).
  ColumnElement in_(const Select& subquery) const;
  ColumnElement not_in(std::initializer_list<Value> values) const;
  ColumnElement not_in(const std::vector<Value>& values) const;
  template <SqlValue V>
  ColumnElement not_in(const std::vector<V>& values) const {
    return not_in(std::vector<Value>(values.begin(), values.end()));
  }
  ColumnElement not_in(const Select& subquery) const;
  ColumnElement between(const ColumnElement& lower, const ColumnElement& upper,
                        bool symmetric = false) const;
  /// IS (NULL, true, ...): `col.is_(nullptr)`.
  ColumnElement is_(const ColumnElement& other) const;
  ColumnElement is_not(const ColumnElement& other) const;
  /// String concatenation (`||`).
  ColumnElement concat(const ColumnElement& other) const;
  /// A custom binary operator: `a.op("@>", b)`; is_comparison makes the result boolean.
  ColumnElement op(std::string opstring, const ColumnElement& other,
                   bool is_comparison = false) const;
  ColumnElement collate(std::string collation) const;
  /// `expr AS name` in a columns clause; the result column is named `name`.
  ColumnElement label(std::string name) const;
  ColumnElement asc() const;
  ColumnElement desc() const;
  /// NULLS FIRST / NULLS LAST (emulated with an IS NULL sort key where the dialect lacks it).
  ColumnElement nulls_first() const;
  ColumnElement nulls_last() const;
  ColumnElement distinct() const;
  ColumnElement cast(TypeArg type) const;

  /// Internal: a bound literal without a type yet (it adopts the other operand's).
  static NodeRef make_literal(Value v);
};

/// A SQL function call (func.count(...)): a ColumnElement with OVER and FILTER.
class ALCHEMY_EXPORT FunctionElement : public ColumnElement {
 public:
  using ColumnElement::ColumnElement;
  /// A window function: `func.rank().over({.partition_by = {...}, .order_by = {...}})`.
  ColumnElement over(const Over& spec) const;
  /// An aggregate FILTER (WHERE ...) clause.
  FunctionElement filter(const ColumnElement& criterion) const;
};

struct Over {
  std::vector<ColumnElement> partition_by;
  std::vector<ColumnElement> order_by;
  std::optional<Frame> rows;
  std::optional<Frame> range_;
};

// ---- operators ------------------------------------------------------------------

namespace detail {
template <class T>
concept DynExpr = std::is_base_of_v<ColumnElement, std::remove_cvref_t<T>> && !is_typed_expr_v<T>;
template <class L, class R>
concept DynOperands = (DynExpr<L> && (DynExpr<R> || SqlValue<R>)) || (SqlValue<L> && DynExpr<R>);

enum class Op : std::uint8_t {
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  add,
  sub,
  mul,
  div,
  mod,
  concat,
  and_,
  or_,
  like,
  not_like,
  ilike,
  not_ilike,
  in,
  not_in,
  is,
  is_not,
  between,
  not_between,
  custom,
};
ALCHEMY_EXPORT ColumnElement binary(Op op, const ColumnElement& l, const ColumnElement& r);
ALCHEMY_EXPORT ColumnElement negate(const ColumnElement& e);
ALCHEMY_EXPORT ColumnElement unary_minus(const ColumnElement& e);
}  // namespace detail

#define ALCHEMY_DYN_BINARY(sym, op)                                                       \
  template <class L, class R>                                                             \
  requires detail::DynOperands<L, R> ColumnElement operator sym(const L& l, const R& r) { \
    return detail::binary(detail::Op::op, ColumnElement(l), ColumnElement(r));            \
  }
ALCHEMY_DYN_BINARY(==, eq)
ALCHEMY_DYN_BINARY(!=, ne)
ALCHEMY_DYN_BINARY(<, lt)
ALCHEMY_DYN_BINARY(<=, le)
ALCHEMY_DYN_BINARY(>, gt)
ALCHEMY_DYN_BINARY(>=, ge)
ALCHEMY_DYN_BINARY(+, add)
ALCHEMY_DYN_BINARY(-, sub)
ALCHEMY_DYN_BINARY(*, mul)
ALCHEMY_DYN_BINARY(/, div)
ALCHEMY_DYN_BINARY(%, mod)
ALCHEMY_DYN_BINARY(&, and_)
ALCHEMY_DYN_BINARY(|, or_)
#undef ALCHEMY_DYN_BINARY

template <class E>
requires detail::DynExpr<E> ColumnElement operator~(const E& e) { return detail::negate(e); }
template <class E>
requires detail::DynExpr<E> ColumnElement operator-(const E& e) { return detail::unary_minus(e); }

// ---- constructors -----------------------------------------------------------------

/// AND of the criteria (an empty and_() adds nothing to a WHERE).
ALCHEMY_EXPORT ColumnElement and_(std::vector<ColumnElement> criteria);
template <class... E>
ColumnElement and_(const E&... e) {
  return and_(std::vector<ColumnElement>{ColumnElement(e)...});
}
ALCHEMY_EXPORT ColumnElement or_(std::vector<ColumnElement> criteria);
template <class... E>
ColumnElement or_(const E&... e) {
  return or_(std::vector<ColumnElement>{ColumnElement(e)...});
}
ALCHEMY_EXPORT ColumnElement not_(const ColumnElement& e);
ALCHEMY_EXPORT ColumnElement asc(const ColumnElement& e);
ALCHEMY_EXPORT ColumnElement desc(const ColumnElement& e);
ALCHEMY_EXPORT ColumnElement nulls_first(const ColumnElement& e);
ALCHEMY_EXPORT ColumnElement nulls_last(const ColumnElement& e);
ALCHEMY_EXPORT ColumnElement distinct(const ColumnElement& e);
/// CAST(expr AS type).
ALCHEMY_EXPORT ColumnElement cast(const ColumnElement& e, TypeArg type);
/// A bound literal with an explicit type (`literal(5, Integer)`).
ALCHEMY_EXPORT ColumnElement literal(Value v, std::optional<TypeArg> type = {});
/// A textual column expression rendered as-is (`literal_column("1")`).
ALCHEMY_EXPORT ColumnElement literal_column(std::string text, std::optional<TypeArg> type = {});
/// A named bind parameter whose value is given at execution
/// (`conn.execute(stmt, {{"id", 5}})`), optionally with a default value.
ALCHEMY_EXPORT ColumnElement bindparam(std::string key, std::optional<Value> value = {},
                                       std::optional<TypeArg> type = {});
ALCHEMY_EXPORT ColumnElement null();
ALCHEMY_EXPORT ColumnElement true_();
ALCHEMY_EXPORT ColumnElement false_();
/// A parenthesised tuple `(a, b)` for row-value comparisons and IN.
ALCHEMY_EXPORT ColumnElement tuple_(std::vector<ColumnElement> items);

/// One WHEN of a CASE: `{condition, result}`.
struct When {
  ColumnElement condition;
  ColumnElement result;
};
/// CASE WHEN c1 THEN r1 ... ELSE e END.
ALCHEMY_EXPORT ColumnElement case_(std::vector<When> whens,
                                   std::optional<ColumnElement> else_ = {});
/// CASE value WHEN v1 THEN r1 ... ELSE e END.
ALCHEMY_EXPORT ColumnElement case_(const ColumnElement& value, std::vector<When> whens,
                                   std::optional<ColumnElement> else_ = {});

// ---- func -------------------------------------------------------------------------

/// A named function generator: `func["st_distance"](a, b)`.
class ALCHEMY_EXPORT NamedFunction {
 public:
  explicit NamedFunction(std::string name) : name_(std::move(name)) {}
  FunctionElement call(std::vector<ColumnElement> args) const;
  template <class... A>
  FunctionElement operator()(const A&... a) const {
    return call(std::vector<ColumnElement>{ColumnElement(a)...});
  }

 private:
  std::string name_;
};

/// SQL functions (SQLAlchemy's func). Known names get their SQL return type and
/// their per-dialect spelling (func.now() is CURRENT_TIMESTAMP on SQLite,
/// func.concat(a, b) is a || b where the backend lacks concat()); any other name
/// passes through with func["name"](...).
struct ALCHEMY_EXPORT FunctionGenerator {
  NamedFunction operator[](std::string name) const { return NamedFunction(std::move(name)); }
  static FunctionElement make(std::string_view name, std::vector<ColumnElement> args);

#define ALCHEMY_FUNC(fname)                                               \
  template <class... A>                                                   \
  FunctionElement fname(const A&... a) const {                            \
    return make(#fname, std::vector<ColumnElement>{ColumnElement(a)...}); \
  }
  ALCHEMY_FUNC(count)
  ALCHEMY_FUNC(max)
  ALCHEMY_FUNC(min)
  ALCHEMY_FUNC(avg)
  ALCHEMY_FUNC(sum)
  ALCHEMY_FUNC(length)
  ALCHEMY_FUNC(char_length)
  ALCHEMY_FUNC(lower)
  ALCHEMY_FUNC(upper)
  ALCHEMY_FUNC(trim)
  ALCHEMY_FUNC(abs)
  ALCHEMY_FUNC(round)
  ALCHEMY_FUNC(coalesce)
  ALCHEMY_FUNC(concat)
  ALCHEMY_FUNC(now)
  ALCHEMY_FUNC(current_timestamp)
  ALCHEMY_FUNC(current_date)
  ALCHEMY_FUNC(random)
  ALCHEMY_FUNC(row_number)
  ALCHEMY_FUNC(rank)
  ALCHEMY_FUNC(dense_rank)
  ALCHEMY_FUNC(percent_rank)
  ALCHEMY_FUNC(cume_dist)
  ALCHEMY_FUNC(ntile)
  ALCHEMY_FUNC(lag)
  ALCHEMY_FUNC(lead)
  ALCHEMY_FUNC(first_value)
  ALCHEMY_FUNC(last_value)
  ALCHEMY_FUNC(nth_value)
#undef ALCHEMY_FUNC
};
/// The function generator (SQLAlchemy's `func`).
inline constexpr FunctionGenerator func{};

}  // namespace alchemy
