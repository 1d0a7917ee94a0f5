// INSERT, UPDATE and DELETE (SQLAlchemy's sqlalchemy.sql.dml).
//
//   conn.execute(users.insert().values({{"name", "Ali"}, {"email", "ali@test.com"}}));
//   conn.execute(insert(users), {{{"name", "Ahmad"}}, {{"name", "Fateme"}}});   // executemany
//   conn.execute(update(users).where(users.c["id"] == 1).values({{"name", "Ali Ahmadi"}}));
//   conn.execute(delete_(users).where(users.c["age"] < 18));
//
// Without values(), the columns come from the execution's parameters (the first
// set for an executemany), as in SQLAlchemy; column defaults (value or
// callable) and onupdate fill the columns the parameters leave out.
// Upserts (ON CONFLICT) are in <alchemy/dialects/postgresql/dml.hpp> and
// <alchemy/dialects/sqlite/dml.hpp>.
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alchemy/core/sql/selectable.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class Table;

/// Column key -> value or SQL expression, in order: {{"name", "Ali"}, {"n", col + 1}}.
using ValuesList = std::vector<std::pair<std::string, ColumnElement>>;

/// Base of INSERT/UPDATE/DELETE.
class ALCHEMY_EXPORT UpdateBase : public Executable {
 public:
  UpdateBase() = default;
  explicit UpdateBase(NodeRef node) : node_(std::move(node)) {}
  const NodeRef& node() const noexcept { return node_; }
  std::shared_ptr<const Compiled> compile(const SQLCompiler& compiler) const override;
  std::shared_ptr<const Compiled> compile_for(const SQLCompiler& compiler, CompiledCache* cache,
                                              const Params* first_params, bool executemany,
                                              std::vector<const Value*>& literals) const override;
  std::string str() const override;
  std::string str(const SQLCompiler& compiler, bool literal_binds = false) const;

 protected:
  void own();
  void set_returning(std::vector<SelectItem> cols);
  NodeRef node_;
};

/// INSERT.
class ALCHEMY_EXPORT Insert : public UpdateBase {
 public:
  explicit Insert(NodeRef node) : UpdateBase(std::move(node)) {}
  /// One row of values (call again to add more keys):
  /// `values({{"name", "Ali"}, {"n", col + 1}})`.
  Insert values(const ValuesList& values) const;
  /// One row from a Params object.
  template <class P>
  requires std::same_as<P, Params> Insert values(const P& values)
  const { return values_params(values); }
  /// A multi-row VALUES clause: INSERT ... VALUES (...), (...):
  /// `values(std::vector<Params>{{{"name", "a"}}, {{"name", "b"}}})`.
  template <class V>
  requires std::same_as<V, std::vector<Params>> Insert values(const V& rows)
  const { return values_rows(rows); }
  Insert values_params(const Params& values) const;
  Insert values_rows(const std::vector<Params>& rows) const;
  /// INSERT INTO t (cols) SELECT ...
  Insert from_select(std::vector<std::string> column_keys, const SelectBase& select) const;
  /// RETURNING cols (tables expand to their columns).
  template <class... A>
  Insert returning(const A&... cols) const {
    Insert i(*this);
    i.set_returning({SelectItem(cols)...});
    return i;
  }
  /// RETURNING from a list built at run time.
  Insert returning(std::vector<SelectItem> cols) const {
    Insert i(*this);
    i.set_returning(std::move(cols));
    return i;
  }

 protected:
  friend ALCHEMY_EXPORT Insert insert(const Table& table);
};

/// UPDATE.
class ALCHEMY_EXPORT Update : public UpdateBase {
 public:
  explicit Update(NodeRef node) : UpdateBase(std::move(node)) {}
  Update values(const ValuesList& values) const;
  template <class P>
  requires std::same_as<P, Params> Update values(const P& values)
  const { return values_params(values); }
  Update values_params(const Params& values) const;
  template <class... E>
  Update where(const E&... criteria) const {
    (detail::check_criterion<E>(), ...);
    return where_impl({ColumnElement(criteria)...});
  }
  template <class... A>
  Update returning(const A&... cols) const {
    Update u(*this);
    u.set_returning({SelectItem(cols)...});
    return u;
  }
  /// RETURNING from a list built at run time.
  Update returning(std::vector<SelectItem> cols) const {
    Update u(*this);
    u.set_returning(std::move(cols));
    return u;
  }
  Update where_impl(std::vector<ColumnElement> criteria) const;
};

/// DELETE.
class ALCHEMY_EXPORT Delete : public UpdateBase {
 public:
  explicit Delete(NodeRef node) : UpdateBase(std::move(node)) {}
  template <class... E>
  Delete where(const E&... criteria) const {
    (detail::check_criterion<E>(), ...);
    return where_impl({ColumnElement(criteria)...});
  }
  template <class... A>
  Delete returning(const A&... cols) const {
    Delete d(*this);
    d.set_returning({SelectItem(cols)...});
    return d;
  }
  /// RETURNING from a list built at run time.
  Delete returning(std::vector<SelectItem> cols) const {
    Delete d(*this);
    d.set_returning(std::move(cols));
    return d;
  }
  Delete where_impl(std::vector<ColumnElement> criteria) const;
};

ALCHEMY_EXPORT Insert insert(const Table& table);
ALCHEMY_EXPORT Update update(const Table& table);
/// DELETE FROM table (delete is a C++ keyword).
ALCHEMY_EXPORT Delete delete_(const Table& table);

namespace detail {
/// ON CONFLICT for dialects that share PostgreSQL's syntax (PostgreSQL, SQLite).
struct ALCHEMY_EXPORT OnConflict {
  static Insert do_nothing(const Insert& stmt, std::vector<std::string> index_elements,
                           std::string constraint);
  static Insert do_update(const Insert& stmt, std::vector<std::string> index_elements,
                          std::string constraint, const ValuesList& set,
                          std::optional<ColumnElement> where);
  /// The `excluded` pseudo-table's column `key`.
  static ColumnElement excluded(const Insert& stmt, std::string_view key);
};

/// Options of on_conflict_do_update (SQLAlchemy's keyword arguments).
struct OnConflictDoUpdate {
  /// The unique columns whose conflict triggers the update (or a constraint name).
  std::vector<std::string> index_elements;
  std::string constraint;
  /// SET column = value/expression; use stmt.excluded("col") for the proposed row.
  ValuesList set_;
  std::optional<ColumnElement> where;
};

/// INSERT with ON CONFLICT, shared by the PostgreSQL and SQLite dialects
/// (both spell it the same way); use dialects::postgresql::insert() or
/// dialects::sqlite::insert().
class OnConflictInsert : public Insert {
 public:
  explicit OnConflictInsert(Insert base) : Insert(std::move(base)) {}
  OnConflictInsert values(const ValuesList& v) const { return OnConflictInsert(Insert::values(v)); }
  template <class... A>
  OnConflictInsert returning(const A&... cols) const {
    return OnConflictInsert(Insert::returning(cols...));
  }
  /// ON CONFLICT [(cols)] DO NOTHING.
  OnConflictInsert on_conflict_do_nothing(std::vector<std::string> index_elements = {},
                                          std::string constraint = {}) const {
    return OnConflictInsert(
        OnConflict::do_nothing(*this, std::move(index_elements), std::move(constraint)));
  }
  /// ON CONFLICT (cols) DO UPDATE SET ... [WHERE ...].
  OnConflictInsert on_conflict_do_update(const OnConflictDoUpdate& o) const {
    return OnConflictInsert(
        OnConflict::do_update(*this, o.index_elements, o.constraint, o.set_, o.where));
  }
  /// The row proposed for insertion (`excluded.col` in SQL).
  ColumnElement excluded(std::string_view key) const { return OnConflict::excluded(*this, key); }
};
}  // namespace detail

using detail::OnConflictDoUpdate;

}  // namespace alchemy
