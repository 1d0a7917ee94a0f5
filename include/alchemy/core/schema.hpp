// Schema: MetaData, Table, Column, constraints and indexes (SQLAlchemy's
// sqlalchemy.schema), and the DDL constructs built from them.
//
//   MetaData metadata;
//   Table users("users", metadata,
//       Column("id", Integer, primary_key()),
//       Column("name", String(50), nullable(false)),
//       Column("email", String(100), unique()),
//       Column("created_at", types::DateTime, default_([] { return Value(DateTime::utcnow()); })),
//       CheckConstraint("age >= 18", "age_check"),
//       Index("idx_email", {"email"}));
//   metadata.create_all(engine);
//
// A Table belongs to one MetaData, which holds it by name; Table handles are
// cheap shared references (copying one copies a pointer). Expressions built from
// a table's columns keep the table alive. A MetaData and its tables are built by
// one thread and are read-only afterwards (then they may be shared).
//
// create_all/drop_all/create/drop and reflection take an Engine or Connection
// and are implemented by the engine library (alchemy::engine).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "alchemy/core/sql/dml.hpp"
#include "alchemy/core/sql/selectable.hpp"
#include "alchemy/core/types.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class Engine;
class Connection;
class MetaData;
class Table;

namespace detail {
struct MetaDataImpl;
struct TableNode;
struct ColumnNode;
struct ConstraintNode;
struct IndexNode;
}  // namespace detail

/// A Python-side default: a value, a callable, or a SQL expression rendered into the statement.
struct ColumnDefault {
  std::optional<Value> scalar;
  std::function<Value()> callable;
  NodeRef sql;
  bool is_set() const noexcept { return scalar || callable || sql; }
  /// The value for one row (scalar or callable).
  ALCHEMY_EXPORT Value produce() const;
};

/// Referential actions for ON DELETE / ON UPDATE: "CASCADE", "SET NULL",
/// "SET DEFAULT", "RESTRICT", "NO ACTION".
struct ForeignKeyOptions {
  std::string name;
  std::string ondelete;
  std::string onupdate;
  /// DEFERRABLE / INITIALLY DEFERRED (PostgreSQL).
  std::optional<bool> deferrable;
  std::string initially;
  /// Create the constraint with ALTER TABLE after the tables (for cycles).
  bool use_alter = false;
};

/// A column-level foreign key: `ForeignKey("users.id", {.ondelete = "CASCADE"})`.
class ALCHEMY_EXPORT ForeignKey {
 public:
  explicit ForeignKey(std::string target, ForeignKeyOptions options = {});
  explicit ForeignKey(const char* target, ForeignKeyOptions options = {})
      : ForeignKey(std::string(target), std::move(options)) {}
  /// Refers to a column object rather than a "table.column" string.
  explicit ForeignKey(const ColumnElement& target, ForeignKeyOptions options = {});
  const std::string& target() const noexcept { return target_; }
  const ForeignKeyOptions& options() const noexcept { return options_; }
  const NodeRef& target_column() const noexcept { return column_; }

 private:
  std::string target_;
  NodeRef column_;
  ForeignKeyOptions options_;
};

/// CHECK (sqltext), at table level or inside a Column.
class ALCHEMY_EXPORT CheckConstraint {
 public:
  explicit CheckConstraint(std::string sqltext, std::string name = {});
  explicit CheckConstraint(const char* sqltext, std::string name = {})
      : CheckConstraint(std::string(sqltext), std::move(name)) {}
  explicit CheckConstraint(const ColumnElement& condition, std::string name = {});
  const std::shared_ptr<detail::ConstraintNode>& node() const noexcept { return node_; }

 private:
  std::shared_ptr<detail::ConstraintNode> node_;
};

/// UNIQUE (cols).
class ALCHEMY_EXPORT UniqueConstraint {
 public:
  explicit UniqueConstraint(std::vector<std::string> columns, std::string name = {});
  const std::shared_ptr<detail::ConstraintNode>& node() const noexcept { return node_; }

 private:
  std::shared_ptr<detail::ConstraintNode> node_;
};

/// PRIMARY KEY (cols): a composite key declared at table level.
class ALCHEMY_EXPORT PrimaryKeyConstraint {
 public:
  explicit PrimaryKeyConstraint(std::vector<std::string> columns, std::string name = {});
  const std::shared_ptr<detail::ConstraintNode>& node() const noexcept { return node_; }

 private:
  std::shared_ptr<detail::ConstraintNode> node_;
};

/// FOREIGN KEY (cols) REFERENCES other (refcols): composite foreign keys.
class ALCHEMY_EXPORT ForeignKeyConstraint {
 public:
  ForeignKeyConstraint(std::vector<std::string> columns, std::vector<std::string> refcolumns,
                       ForeignKeyOptions options = {});
  const std::shared_ptr<detail::ConstraintNode>& node() const noexcept { return node_; }

 private:
  std::shared_ptr<detail::ConstraintNode> node_;
};

/// An index: `Index("idx_city_age", {"city", "age"})`, unique or functional
/// (`Index("ix_lower_email", {func.lower(users.c["email"])})`).
class ALCHEMY_EXPORT Index {
 public:
  /// An expression or a column key of the table the index belongs to.
  class Element {
   public:
    Element(std::string key) : key_(std::move(key)) {}          // NOLINT
    Element(const char* key) : key_(key) {}                     // NOLINT
    Element(const ColumnElement& expr) : expr_(expr.node()) {}  // NOLINT
    const std::string& key() const noexcept { return key_; }
    const NodeRef& expr() const noexcept { return expr_; }

   private:
    std::string key_;
    NodeRef expr_;
  };
  Index(std::string name, std::vector<Element> elements, bool unique = false);
  const std::shared_ptr<detail::IndexNode>& node() const noexcept { return node_; }
  /// CREATE INDEX / DROP INDEX for a table's index (checkfirst as in create_all).
  void create(const Engine& bind, bool checkfirst = false) const;
  void drop(const Engine& bind, bool checkfirst = false) const;

 private:
  std::shared_ptr<detail::IndexNode> node_;
};

// ---- Column options (SQLAlchemy's Column keyword arguments) ------------------------

/// One keyword of Column(...): primary_key(), nullable(false), unique(),
/// index(), autoincrement(false), default_(v), onupdate(v), server_default(...),
/// server_onupdate(...), comment("..."), key("..."), plus ForeignKey and
/// CheckConstraint objects.
class ALCHEMY_EXPORT ColumnOption {
 public:
  using Apply = std::function<void(detail::ColumnNode&)>;
  explicit ColumnOption(Apply f) : apply_(std::move(f)) {}
  ColumnOption(const ForeignKey& fk);       // NOLINT
  ColumnOption(const CheckConstraint& ck);  // NOLINT
  void apply(detail::ColumnNode& c) const { apply_(c); }

 private:
  Apply apply_;
};

ALCHEMY_EXPORT ColumnOption primary_key(bool on = true);
ALCHEMY_EXPORT ColumnOption nullable(bool on);
ALCHEMY_EXPORT ColumnOption unique(bool on = true);
ALCHEMY_EXPORT ColumnOption index(bool on = true);
/// autoincrement(true/false); the default ("auto") applies to a single integer
/// primary key without a foreign key.
ALCHEMY_EXPORT ColumnOption autoincrement(bool on);
/// A Python-side default: a value (`default_(true)`), a callable
/// (`default_([] { return Value(DateTime::utcnow()); })`) or a SQL expression
/// (`default_(func.now())`).
ALCHEMY_EXPORT ColumnOption default_(Value v);
ALCHEMY_EXPORT ColumnOption default_(std::function<Value()> f);
ALCHEMY_EXPORT ColumnOption default_(const ColumnElement& sql);
/// A plain function (`default_(utcnow)`, the guides' `default=datetime.utcnow`).
template <class F>
requires std::is_same_v<F, Value (*)()> ColumnOption default_(F f) {
  return default_(std::function<Value()>(f));
}
template <class V>
requires(SqlValue<V> && !std::is_invocable_v<V>) ColumnOption default_(const V& v) {
  return default_(Value(v));
}
/// The value an UPDATE sets when the statement does not (`onupdate(now)`).
ALCHEMY_EXPORT ColumnOption onupdate(Value v);
ALCHEMY_EXPORT ColumnOption onupdate(std::function<Value()> f);
ALCHEMY_EXPORT ColumnOption onupdate(const ColumnElement& sql);
template <class F>
requires std::is_same_v<F, Value (*)()> ColumnOption onupdate(F f) {
  return onupdate(std::function<Value()>(f));
}
/// DEFAULT in the DDL: a string is quoted as a literal ("0" -> DEFAULT '0'),
/// text("0") and expressions (func.now()) are rendered as SQL.
ALCHEMY_EXPORT ColumnOption server_default(std::string literal);
ALCHEMY_EXPORT ColumnOption server_default(const char* literal);
ALCHEMY_EXPORT ColumnOption server_default(const TextClause& sql);
ALCHEMY_EXPORT ColumnOption server_default(const ColumnElement& sql);
/// Marks a column whose value the database changes on UPDATE (a trigger); no DDL.
ALCHEMY_EXPORT ColumnOption server_onupdate(const ColumnElement& sql);
ALCHEMY_EXPORT ColumnOption comment(std::string text);
/// The key the column is known by in `table.c` and in parameters, when it
/// differs from its database name.
ALCHEMY_EXPORT ColumnOption key(std::string k);

/// A table column. Before it is given to a Table it is free-standing; a Column
/// belongs to at most one table.
class ALCHEMY_EXPORT Column : public ColumnElement {
 public:
  Column(std::string name, TypeArg type, std::vector<ColumnOption> options);
  template <class... O>
  Column(std::string name, TypeArg type, const O&... options)
      : Column(std::move(name), std::move(type),
               std::vector<ColumnOption>{ColumnOption(options)...}) {}
  /// Internal: a handle to an existing column node.
  explicit Column(NodeRef node) : ColumnElement(std::move(node)) {}

  const std::string& name() const;
  const std::string& key() const;
  bool primary_key() const;
  bool nullable() const;
  bool unique() const;
  bool index() const;
  /// The table the column belongs to (empty before).
  std::optional<Table> table() const;
  const detail::ColumnNode& impl() const;
};

/// Table-level schema items that Table(...) accepts after its columns.
class ALCHEMY_EXPORT SchemaItem {
 public:
  SchemaItem(const Column& c);                // NOLINT
  SchemaItem(const CheckConstraint& c);       // NOLINT
  SchemaItem(const UniqueConstraint& c);      // NOLINT
  SchemaItem(const PrimaryKeyConstraint& c);  // NOLINT
  SchemaItem(const ForeignKeyConstraint& c);  // NOLINT
  SchemaItem(const Index& i);                 // NOLINT
  /// Options of the table itself: schema("reporting"), table comment.
  struct TableOption {
    std::function<void(detail::TableNode&)> apply;
  };
  SchemaItem(TableOption o);  // NOLINT
  std::variant<NodeRef, std::shared_ptr<detail::ConstraintNode>, std::shared_ptr<detail::IndexNode>,
               TableOption>
      item;
};
/// The database schema (namespace) a table lives in.
ALCHEMY_EXPORT SchemaItem::TableOption schema(std::string name);
/// A table comment (COMMENT ON TABLE on PostgreSQL).
ALCHEMY_EXPORT SchemaItem::TableOption table_comment(std::string text);
/// Reflects the table's columns and constraints from the database when it is
/// constructed (SQLAlchemy's autoload_with).
ALCHEMY_EXPORT SchemaItem::TableOption autoload_with(const Engine& engine);

/// A table: columns, constraints, indexes.
class ALCHEMY_EXPORT Table : public FromClause {
 public:
  Table(std::string name, MetaData& metadata, std::vector<SchemaItem> items);
  template <class... I>
  Table(std::string name, MetaData& metadata, const I&... items)
      : Table(std::move(name), metadata, std::vector<SchemaItem>{SchemaItem(items)...}) {}
  /// Internal: a handle to an existing table node.
  explicit Table(std::shared_ptr<detail::TableNode> node);

  const std::string& name() const;
  const std::optional<std::string>& schema() const;
  /// "schema.name" or "name" (the key in MetaData::tables()).
  std::string fullname() const;
  std::vector<Column> columns_list() const;
  std::vector<Column> primary_key() const;
  /// Appends a column after construction.
  void append_column(const Column& c);
  void append_constraint(const SchemaItem& c);

  Insert insert() const;
  Update update() const;
  /// DELETE (delete is a C++ keyword).
  Delete delete_() const;

  /// CREATE TABLE (and its indexes); with checkfirst, only when missing.
  void create(const Engine& bind, bool checkfirst = false) const;
  void create(Connection& bind, bool checkfirst = false) const;
  void drop(const Engine& bind, bool checkfirst = false) const;
  void drop(Connection& bind, bool checkfirst = false) const;

  detail::TableNode& impl() const;

 private:
  std::shared_ptr<detail::TableNode> table_;
};

/// A collection of tables (SQLAlchemy's MetaData).
class ALCHEMY_EXPORT MetaData {
 public:
  /// naming_convention: keys "ix", "uq", "ck", "fk", "pk" with tokens
  /// %(table_name)s, %(column_0_name)s, %(column_0_N_name)s, %(referred_table_name)s,
  /// %(referred_column_0_name)s, %(constraint_name)s.
  explicit MetaData(std::map<std::string, std::string> naming_convention = {},
                    std::optional<std::string> schema = {});
  MetaData(const MetaData&) = delete;
  MetaData& operator=(const MetaData&) = delete;
  MetaData(MetaData&&) noexcept;
  MetaData& operator=(MetaData&&) noexcept;
  ~MetaData();

  /// The tables by fullname.
  std::map<std::string, Table> tables() const;
  /// The table with this fullname, or empty.
  std::optional<Table> table(std::string_view fullname) const;
  /// Tables ordered so that each comes after the tables it references.
  std::vector<Table> sorted_tables() const;
  /// Removes a table from this MetaData (not from the database).
  void remove(const Table& t);
  void clear();

  /// CREATE TABLE for every table (checkfirst: only the missing ones), in
  /// dependency order; foreign keys in a cycle are added with ALTER TABLE
  /// where the dialect can (PostgreSQL) and inline otherwise (SQLite).
  void create_all(const Engine& bind, bool checkfirst = true) const;
  void create_all(Connection& bind, bool checkfirst = true) const;
  /// DROP TABLE in reverse dependency order.
  void drop_all(const Engine& bind, bool checkfirst = true) const;
  void drop_all(Connection& bind, bool checkfirst = true) const;
  /// Loads table definitions from the database (all tables, or `only`).
  void reflect(const Engine& bind, std::vector<std::string> only = {},
               std::optional<std::string> schema = {});

  detail::MetaDataImpl& impl() const;
  const std::shared_ptr<detail::MetaDataImpl>& shared_impl() const noexcept { return impl_; }

 private:
  std::shared_ptr<detail::MetaDataImpl> impl_;
};

// ---- DDL constructs, compiled per dialect -------------------------------------------

/// A DDL statement (CREATE TABLE, CREATE INDEX ...) as an Executable.
class ALCHEMY_EXPORT DDLElement : public Executable {
 public:
  enum class Kind { create_table, drop_table, create_index, drop_index, add_constraint };
  DDLElement(Kind kind, NodeRef table, std::shared_ptr<const void> item = {},
             bool if_exists = false);
  std::shared_ptr<const Compiled> compile(const SQLCompiler& compiler) const override;
  std::string str() const override;
  /// The DDL for a dialect (one statement; CREATE TABLE on PostgreSQL may
  /// need CREATE TYPE first: see ddl_statements()).
  std::string str(const SQLCompiler& compiler) const;
  /// Every statement this construct needs on `compiler`'s dialect, in order.
  std::vector<std::string> ddl_statements(const SQLCompiler& compiler) const;
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
  NodeRef table_;
  std::shared_ptr<const void> item_;
  bool if_exists_;
};

ALCHEMY_EXPORT DDLElement CreateTable(const Table& table);
ALCHEMY_EXPORT DDLElement DropTable(const Table& table, bool if_exists = false);
ALCHEMY_EXPORT DDLElement CreateIndex(const Index& index);
ALCHEMY_EXPORT DDLElement DropIndex(const Index& index, bool if_exists = false);

}  // namespace alchemy
