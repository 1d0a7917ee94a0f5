// FROM clauses and SELECT (SQLAlchemy's sqlalchemy.sql.selectable).
//
//   select(users)                                       // SELECT users.id, users.name ... FROM
//   users select(users.c["name"], orders.c["total"])
//       .join(orders, users.c["id"] == orders.c["user_id"])
//   select(users).where(users.c["age"] > 25).order_by(desc(users.c["age"])).limit(10)
//   auto subq = select(orders.c["user_id"]).distinct();
//   select(users).where(users.c["id"].in_(subq))
//
// Statements are immutable values: every method returns a new statement (a
// chain of calls on a temporary reuses its storage, so building is cheap).
// The FROM list is inferred from the columns and criteria, as in SQLAlchemy;
// nested selects used as expressions (scalar_subquery, exists, IN) correlate
// automatically with the enclosing statement's FROMs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "alchemy/core/sql/elements.hpp"
#include "alchemy/core/sql/text.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class FromClause;
class Join;
class Subquery;
class CTE;
class CompoundSelect;
class Select;
class CompiledCache;

/// The columns a FROM clause exports, by key (SQLAlchemy's `.c`).
class ALCHEMY_EXPORT ColumnCollection {
 public:
  ColumnCollection() = default;
  explicit ColumnCollection(NodeRef from) : from_(std::move(from)) {}
  /// The column with this key; ArgumentError listing the keys when there is none.
  ColumnElement operator[](std::string_view key) const;
  /// The column with this key, or an empty handle.
  std::optional<ColumnElement> get(std::string_view key) const;
  bool contains(std::string_view key) const;
  std::vector<std::string> keys() const;
  std::vector<ColumnElement> all() const;
  std::size_t size() const;

 private:
  static std::string from_name_for_error(const NodeRef& f);
  NodeRef from_;
};

/// Base of tables, aliases, subqueries, CTEs and joins.
class ALCHEMY_EXPORT FromClause : public ClauseElement {
 public:
  FromClause() = default;
  explicit FromClause(NodeRef node) : ClauseElement(node), c(node) {}
  FromClause(const FromClause& o) : ClauseElement(o.node_), c(o.node_) {}
  FromClause& operator=(const FromClause& o) {
    node_ = o.node_;
    c = ColumnCollection(node_);
    return *this;
  }
  /// The exported columns.
  ColumnCollection c;
  /// The columns, in order (SQLAlchemy's `.columns`).
  std::vector<ColumnElement> columns() const { return c.all(); }

  /// JOIN; without an ON clause it is inferred from the foreign keys between
  /// the two sides (ArgumentError when there is none or more than one).
  Join join(const FromClause& right, std::optional<ColumnElement> onclause = {},
            bool isouter = false, bool full = false) const;
  /// LEFT OUTER JOIN (FULL OUTER JOIN with full = true).
  Join outerjoin(const FromClause& right, std::optional<ColumnElement> onclause = {},
                 bool full = false) const;
  /// A named alias (`users AS u`); anonymous (anon_1) without a name.
  FromClause alias(std::string name = {}) const;
  /// SELECT * of this FROM clause.
  Select select() const;
  /// Internal: the FROM node.
  const NodeRef& from_node() const noexcept { return node_; }
};

/// A JOIN of two FROM clauses.
class ALCHEMY_EXPORT Join : public FromClause {
 public:
  using FromClause::FromClause;
};

/// A SELECT used as a FROM clause (`select(...).subquery("s")`).
class ALCHEMY_EXPORT Subquery : public FromClause {
 public:
  using FromClause::FromClause;
};

/// A common table expression (`select(...).cte("t")`); recursive CTEs are
/// completed with union_all()/union_().
class ALCHEMY_EXPORT CTE : public FromClause {
 public:
  using FromClause::FromClause;
  /// WITH RECURSIVE t AS (<this> UNION ALL <other>): `other` may refer to this CTE.
  CTE union_all(const Select& other) const;
  CTE union_(const Select& other) const;
};

/// Row locking options (SQLAlchemy's with_for_update keywords).
struct ForUpdate {
  bool nowait = false;
  bool read = false;  ///< FOR SHARE on PostgreSQL
  bool skip_locked = false;
  bool key_share = false;  ///< FOR NO KEY UPDATE / FOR KEY SHARE
  std::vector<FromClause> of;
};

/// One item of a columns clause: an expression, or a FROM clause (all its columns).
class ALCHEMY_EXPORT SelectItem {
 public:
  SelectItem(const ColumnElement& e) : node_(e.node()), is_from_(false) {}  // NOLINT
  SelectItem(const FromClause& f) : node_(f.node()), is_from_(true) {}      // NOLINT
  template <SqlValue V>
  SelectItem(const V& v) : SelectItem(ColumnElement(v)) {}           // NOLINT
  SelectItem(const TextClause& t) : SelectItem(ColumnElement(t)) {}  // NOLINT
  const NodeRef& node() const noexcept { return node_; }
  bool is_from() const noexcept { return is_from_; }

 private:
  NodeRef node_;
  bool is_from_;
};

namespace detail {
template <class E>
constexpr void check_criterion() {
  if constexpr (is_typed_expr_v<E>) {
    static_assert(std::remove_cvref_t<E>::is_boolean,
                  "alchemy: where()/having()/on-clause need a boolean expression (a comparison "
                  "such as col > 5, and_/or_ of them, or a bool column); this expression has "
                  "a non-boolean C++ type");
  }
}
}  // namespace detail

/// Base of SELECT and compound selects: what can be a subquery.
class ALCHEMY_EXPORT SelectBase : public Executable {
 public:
  SelectBase() = default;
  explicit SelectBase(NodeRef node) : node_(std::move(node)) {}
  const NodeRef& node() const noexcept { return node_; }
  /// A FROM-clause subquery; anonymous (anon_1) without a name.
  Subquery subquery(std::string name = {}) const;
  Subquery alias(std::string name = {}) const { return subquery(std::move(name)); }
  /// A CTE named `name`.
  CTE cte(std::string name = {}, bool recursive = false) const;
  /// The statement as a single value: (SELECT ...).
  ColumnElement scalar_subquery() const;
  /// scalar_subquery().label(name).
  ColumnElement label(std::string name) const;
  /// EXISTS (SELECT ...).
  ColumnElement exists() const;

  std::shared_ptr<const Compiled> compile(const SQLCompiler& compiler) const override;
  std::shared_ptr<const Compiled> compile_for(const SQLCompiler& compiler, CompiledCache* cache,
                                              const Params* first_params, bool executemany,
                                              std::vector<const Value*>& literals) const override;
  std::string str() const override;
  /// The rendering for a dialect, optionally with bind values inlined.
  std::string str(const SQLCompiler& compiler, bool literal_binds = false) const;

 protected:
  NodeRef node_;
};

/// A SELECT statement.
class ALCHEMY_EXPORT Select : public SelectBase {
 public:
  Select();
  explicit Select(NodeRef node) : SelectBase(std::move(node)) {}

  template <class... E>
  Select where(const E&... criteria) const& {
    (detail::check_criterion<E>(), ...);
    return Select(*this).where_impl({ColumnElement(criteria)...});
  }
  template <class... E>
  Select where(const E&... criteria) && {
    (detail::check_criterion<E>(), ...);
    return std::move(where_impl({ColumnElement(criteria)...}));
  }
  /// Alias of where() (SQLAlchemy's filter()).
  template <class... E>
  Select filter(const E&... criteria) const& {
    return where(criteria...);
  }
  template <class... E>
  Select having(const E&... criteria) const& {
    (detail::check_criterion<E>(), ...);
    return Select(*this).having_impl({ColumnElement(criteria)...});
  }
  template <class... E>
  Select group_by(const E&... cols) const& {
    return Select(*this).group_by_impl({ColumnElement(cols)...});
  }
  template <class... E>
  Select order_by(const E&... cols) const& {
    return Select(*this).order_by_impl({ColumnElement(cols)...});
  }
  template <class... E>
  Select order_by(const E&... cols) && {
    return std::move(order_by_impl({ColumnElement(cols)...}));
  }
  /// Adds columns to the columns clause.
  template <class... E>
  Select add_columns(const E&... cols) const& {
    return Select(*this).add_columns_impl({SelectItem(cols)...});
  }
  /// Replaces the columns clause.
  template <class... E>
  Select with_only_columns(const E&... cols) const& {
    return Select(*this).with_only_columns_impl({SelectItem(cols)...});
  }
  /// Explicit FROM clauses (`select(func.count()).select_from(users)`).
  template <class... F>
  Select select_from(const F&... froms) const& {
    return Select(*this).select_from_impl({FromClause(froms)...});
  }
  /// Joins `target` to the leftmost FROM it can join (ON inferred from foreign
  /// keys unless given).
  Select join(const FromClause& target, std::optional<ColumnElement> onclause = {},
              bool isouter = false, bool full = false) const;
  Select outerjoin(const FromClause& target, std::optional<ColumnElement> onclause = {},
                   bool full = false) const;
  Select join_from(const FromClause& left, const FromClause& right,
                   std::optional<ColumnElement> onclause = {}, bool isouter = false,
                   bool full = false) const;
  Select distinct() const;
  /// DISTINCT ON (cols) — PostgreSQL.
  template <class... E>
  Select distinct_on(const E&... cols) const& {
    return Select(*this).distinct_on_impl({ColumnElement(cols)...});
  }
  /// LIMIT (a bound value). A negative value clears it.
  Select limit(std::int64_t n) const&;
  Select limit(std::int64_t n) &&;
  Select offset(std::int64_t n) const&;
  Select offset(std::int64_t n) &&;
  /// SELECT ... FOR UPDATE (ignored by SQLite, which locks the whole database).
  Select with_for_update(ForUpdate options = {}) const;
  /// Correlates these FROMs explicitly when nested (or none: correlate_none()).
  template <class... F>
  Select correlate(const F&... froms) const& {
    return Select(*this).correlate_impl({FromClause(froms)...});
  }
  Select correlate_none() const;
  /// The exported columns (for a select used via subquery() use its .c).
  std::vector<ColumnElement> selected_columns() const;
  /// The WHERE criteria joined with AND (empty when there is no WHERE).
  std::optional<ColumnElement> whereclause() const;

  CompoundSelect union_(const Select& other) const;
  CompoundSelect union_all(const Select& other) const;
  CompoundSelect intersect(const Select& other) const;
  CompoundSelect except_(const Select& other) const;

  // Building blocks of the templates above.
  Select& where_impl(std::vector<ColumnElement> criteria);
  Select& having_impl(std::vector<ColumnElement> criteria);
  Select& group_by_impl(std::vector<ColumnElement> cols);
  Select& order_by_impl(std::vector<ColumnElement> cols);
  Select& add_columns_impl(std::vector<SelectItem> cols);
  Select& with_only_columns_impl(std::vector<SelectItem> cols);
  Select& select_from_impl(std::vector<FromClause> froms);
  Select& distinct_on_impl(std::vector<ColumnElement> cols);
  Select& correlate_impl(std::vector<FromClause> froms);

 private:
  friend class CompoundSelect;
  /// Makes the node exclusively ours before a mutation.
  void own();
};

/// SELECT cols... (columns, tables, aliases, literal values).
ALCHEMY_EXPORT Select select(std::vector<SelectItem> items);
template <class... A>
Select select(const A&... items) {
  return select(std::vector<SelectItem>{SelectItem(items)...});
}

/// UNION / UNION ALL / INTERSECT / EXCEPT of selects.
class ALCHEMY_EXPORT CompoundSelect : public SelectBase {
 public:
  explicit CompoundSelect(NodeRef node) : SelectBase(std::move(node)) {}
  template <class... E>
  CompoundSelect order_by(const E&... cols) const {
    return order_by_impl({ColumnElement(cols)...});
  }
  CompoundSelect limit(std::int64_t n) const;
  CompoundSelect offset(std::int64_t n) const;
  CompoundSelect order_by_impl(std::vector<ColumnElement> cols) const;
  /// The columns of the first select.
  std::vector<ColumnElement> selected_columns() const;
};

ALCHEMY_EXPORT CompoundSelect union_(std::vector<Select> selects);
ALCHEMY_EXPORT CompoundSelect union_all(std::vector<Select> selects);
ALCHEMY_EXPORT CompoundSelect intersect(std::vector<Select> selects);
ALCHEMY_EXPORT CompoundSelect intersect_all(std::vector<Select> selects);
ALCHEMY_EXPORT CompoundSelect except_(std::vector<Select> selects);
ALCHEMY_EXPORT CompoundSelect except_all(std::vector<Select> selects);
template <class... S>
CompoundSelect union_(const Select& a, const S&... s) {
  return union_(std::vector<Select>{a, s...});
}
template <class... S>
CompoundSelect union_all(const Select& a, const S&... s) {
  return union_all(std::vector<Select>{a, s...});
}
template <class... S>
CompoundSelect intersect(const Select& a, const S&... s) {
  return intersect(std::vector<Select>{a, s...});
}
template <class... S>
CompoundSelect except_(const Select& a, const S&... s) {
  return except_(std::vector<Select>{a, s...});
}

/// EXISTS built up with where(): `exists().where(orders.c["user_id"] == users.c["id"])`
/// renders EXISTS (SELECT * FROM orders WHERE ...), correlated with the enclosing query.
class ALCHEMY_EXPORT Exists : public ColumnElement {
 public:
  explicit Exists(Select inner);
  template <class... E>
  Exists where(const E&... criteria) const {
    (detail::check_criterion<E>(), ...);
    return Exists(inner_.where(criteria...));
  }
  const Select& select() const noexcept { return inner_; }

 private:
  Select inner_;
};
/// EXISTS (SELECT * ...) to be completed with where().
ALCHEMY_EXPORT Exists exists();
/// EXISTS (SELECT cols ...).
template <class... A>
Exists exists(const A&... items) {
  return Exists(select(items...));
}

}  // namespace alchemy
