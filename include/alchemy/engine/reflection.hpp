// Reflection: reading table definitions back from a database (SQLAlchemy's
// Inspector, sqlalchemy.engine.reflection).
//
//   Inspector insp = inspect(engine);
//   for (const auto& name : insp.get_table_names())
//     for (const ReflectedColumn& c : insp.get_columns(name))
//       std::cout << name << "." << c.name << " " << c.type->repr() << "\n";
//
// Each method asks the dialect, which runs catalog queries (SQLite's PRAGMAs
// and sqlite_master, PostgreSQL's pg_catalog) and returns plain structs: the
// C++ form of SQLAlchemy's ReflectedColumn, ReflectedForeignKeyConstraint ...
// typed dictionaries. Results are not cached: every call queries the database,
// so an Inspector always describes the current state.
//
// To turn what is reflected into Table objects, use MetaData::reflect() or the
// autoload_with() table option (<alchemy/core/schema.hpp>).
//
// An Inspector made from an Engine checks a connection out of the pool for
// each call and may be shared between threads. One made from a Connection runs
// its queries on that connection (inside its transaction, so it sees tables the
// transaction created); like the Connection, it belongs to one thread, and the
// Connection must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/core/types.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class Connection;
class Dialect;
class Engine;

/// One column of a reflected table.
struct ReflectedColumn {
  std::string name;
  /// The column's type mapped back onto alchemy's types (VARCHAR(50) ->
  /// String(50), TIMESTAMP WITH TIME ZONE -> types::DateTime(true), a
  /// PostgreSQL enum -> Enum(values, name) ...); NullType when the database
  /// type has no counterpart.
  TypeRef type;
  bool nullable = true;
  /// The server default as the database reports it (SQL text such as
  /// "'active'::character varying", "CURRENT_TIMESTAMP" or "'0'"); empty when
  /// the column has none. SQLAlchemy calls this key "default".
  std::optional<std::string> default_;
  /// true/false, or empty for SQLAlchemy's "auto" (SQLite, which decides from
  /// the primary key). PostgreSQL reports true for SERIAL and identity columns.
  std::optional<bool> autoincrement;
  /// The column comment (PostgreSQL); empty when there is none.
  std::optional<std::string> comment;

  /// Equal when every field is, types compared by kind and repr().
  friend ALCHEMY_EXPORT bool operator==(const ReflectedColumn& a, const ReflectedColumn& b);
};

/// The primary key: its columns in key order, and its name where the database
/// keeps one. A table without a primary key has no constrained_columns.
struct ReflectedPrimaryKeyConstraint {
  std::optional<std::string> name;
  std::vector<std::string> constrained_columns;
  friend bool operator==(const ReflectedPrimaryKeyConstraint&,
                         const ReflectedPrimaryKeyConstraint&) = default;
};

/// The options of a reflected foreign key. An empty string means the database
/// default (NO ACTION is never reported, as in SQLAlchemy).
struct ReflectedForeignKeyOptions {
  /// "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT".
  std::string ondelete;
  std::string onupdate;
  /// Set when the constraint is DEFERRABLE (true) or explicitly NOT DEFERRABLE (false).
  std::optional<bool> deferrable;
  /// "DEFERRED" or "IMMEDIATE" when the DDL said so.
  std::string initially;
  /// "FULL" or "PARTIAL" (PostgreSQL's MATCH); empty for the default SIMPLE.
  std::string match;
  friend bool operator==(const ReflectedForeignKeyOptions&,
                         const ReflectedForeignKeyOptions&) = default;
};

/// One foreign key: constrained_columns[i] refers to referred_columns[i].
struct ReflectedForeignKeyConstraint {
  std::optional<std::string> name;
  std::vector<std::string> constrained_columns;
  /// Empty when the referred table is found without a schema (it is in the
  /// default schema, or on the search path); set otherwise.
  std::optional<std::string> referred_schema;
  std::string referred_table;
  std::vector<std::string> referred_columns;
  ReflectedForeignKeyOptions options;
  friend bool operator==(const ReflectedForeignKeyConstraint&,
                         const ReflectedForeignKeyConstraint&) = default;
};

/// An index (not the one backing the primary key).
struct ReflectedIndex {
  std::string name;
  /// One entry per indexed element; empty for an expression (see expressions).
  std::vector<std::optional<std::string>> column_names;
  /// Only for indexes with an expression: every element as SQL text, plain
  /// columns by name ("lower(email)", "city"). Empty otherwise.
  std::vector<std::string> expressions;
  bool unique = false;
  /// The name of the UNIQUE constraint this index implements (PostgreSQL
  /// reports those indexes too); empty for a stand-alone index.
  std::optional<std::string> duplicates_constraint;
  friend bool operator==(const ReflectedIndex&, const ReflectedIndex&) = default;
};

/// A UNIQUE constraint (a unique index made with CREATE UNIQUE INDEX is a
/// ReflectedIndex instead).
struct ReflectedUniqueConstraint {
  std::optional<std::string> name;
  std::vector<std::string> column_names;
  friend bool operator==(const ReflectedUniqueConstraint&,
                         const ReflectedUniqueConstraint&) = default;
};

/// A CHECK constraint: its condition without the surrounding CHECK (...).
struct ReflectedCheckConstraint {
  std::optional<std::string> name;
  std::string sqltext;
  friend bool operator==(const ReflectedCheckConstraint&,
                         const ReflectedCheckConstraint&) = default;
};

/// A table comment; empty text when there is none (always on SQLite).
struct ReflectedTableComment {
  std::optional<std::string> text;
  friend bool operator==(const ReflectedTableComment&, const ReflectedTableComment&) = default;
};

/// Reads schema information through a dialect. Cheap to copy.
///
/// Every method taking a table name throws NoSuchTableError when the table
/// does not exist, and DBAPIError subclasses when the catalog query fails.
/// `schema` empty means the default schema ("main" on SQLite, the first schema
/// of the search_path on PostgreSQL).
class ALCHEMY_EXPORT Inspector {
 public:
  /// Checks out a connection for each call.
  explicit Inspector(const Engine& bind);
  /// Runs every query on `bind`, which must outlive the Inspector.
  explicit Inspector(Connection& bind);

  const Dialect& dialect() const;
  /// "main" on SQLite; current_schema() on PostgreSQL.
  std::string default_schema_name() const;

  /// The tables (not views) of a schema, sorted by name; SQLite's internal
  /// tables (sqlite_sequence ...) are left out.
  std::vector<std::string> get_table_names(const std::optional<std::string>& schema = {}) const;
  /// Whether a table or view exists. Never throws NoSuchTableError.
  bool has_table(std::string_view table_name, const std::optional<std::string>& schema = {}) const;
  /// The columns in table order.
  std::vector<ReflectedColumn> get_columns(std::string_view table_name,
                                           const std::optional<std::string>& schema = {}) const;
  ReflectedPrimaryKeyConstraint get_pk_constraint(
      std::string_view table_name, const std::optional<std::string>& schema = {}) const;
  std::vector<ReflectedForeignKeyConstraint> get_foreign_keys(
      std::string_view table_name, const std::optional<std::string>& schema = {}) const;
  /// Indexes sorted by name, without the primary key's (and, on SQLite, without
  /// the automatic indexes behind UNIQUE constraints).
  std::vector<ReflectedIndex> get_indexes(std::string_view table_name,
                                          const std::optional<std::string>& schema = {}) const;
  std::vector<ReflectedUniqueConstraint> get_unique_constraints(
      std::string_view table_name, const std::optional<std::string>& schema = {}) const;
  std::vector<ReflectedCheckConstraint> get_check_constraints(
      std::string_view table_name, const std::optional<std::string>& schema = {}) const;
  ReflectedTableComment get_table_comment(std::string_view table_name,
                                          const std::optional<std::string>& schema = {}) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// An Inspector for an Engine or a Connection (SQLAlchemy's inspect(bind)).
ALCHEMY_EXPORT Inspector inspect(const Engine& bind);
ALCHEMY_EXPORT Inspector inspect(Connection& bind);

}  // namespace alchemy
