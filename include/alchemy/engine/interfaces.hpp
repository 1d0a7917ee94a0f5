// The narrow contract between the engine and a database driver (DBAPI-like).
//
// A dialect (src/dialects/<name>/) implements three things:
//   * Dialect: names, the SQL flavour (SQLCompiler), URL -> connection arguments,
//     isolation levels and capability flags; registered by name with
//     register_dialect() so create_engine("name+driver://...") finds it.
//   * DriverConnection: one raw connection (sqlite3*, PGconn*), owned by the pool.
//   * DriverCursor: one execution and its rows, stepped one row at a time.
// Native error codes never cross this boundary: drivers throw the DBAPIError
// subclasses of alchemy/exc.hpp (via their error_map.cpp).
//
// Threading: a DriverConnection and its cursors are used by one thread at a time
// (the pool hands a connection to one Connection). Dialect objects are immutable
// and shared.
//
// The contract is step-shaped (execute, then fetch_next per row) so a
// non-blocking implementation (libpq's async calls, SQLite on a worker) can sit
// behind the same calls later.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/core/value.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class URL;
class Connection;
// Reflection results (<alchemy/engine/reflection.hpp>).
struct ReflectedColumn;
struct ReflectedPrimaryKeyConstraint;
struct ReflectedForeignKeyConstraint;
struct ReflectedIndex;
struct ReflectedUniqueConstraint;
struct ReflectedCheckConstraint;
struct ReflectedTableComment;

/// Per-execution options a driver honours.
struct CursorOptions {
  /// Stream rows from the server instead of buffering the whole result
  /// (PostgreSQL single-row mode). SQLite always steps row by row.
  bool stream_results = false;
};

/// The parameter sets of an executemany, in driver order.
class ALCHEMY_EXPORT ParamBatch {
 public:
  virtual ~ParamBatch();
  /// Number of parameter sets.
  virtual std::size_t size() const = 0;
  /// Parameters per set (== the statement's placeholder count).
  virtual std::size_t width() const = 0;
  /// Writes `width()` pointers to the values of set `row`; they stay valid
  /// until the next call to fill(). Throws ArgumentError for a missing value.
  virtual void fill(std::size_t row, const Value** out) const = 0;
  /// Called by drivers that know each row's rowid (SQLite) after set `row`
  /// executed: the last inserted rowid. The default ignores it.
  virtual void row_done(std::size_t row, std::int64_t lastrowid) const {
    (void)row, (void)lastrowid;
  }
};

/// One execution and its result rows. Obtained from DriverConnection::cursor().
class ALCHEMY_EXPORT DriverCursor {
 public:
  virtual ~DriverCursor();

  /// Executes `sql` once; `params` are in placeholder order. Statements with
  /// parameters are prepared and cached per connection by SQL text.
  /// Without parameters, `sql` may hold several statements separated by ';'
  /// (the result is the last one's). Throws DBAPIError subclasses.
  virtual void execute(std::string_view sql, std::span<const Value* const> params,
                       const CursorOptions& options) = 0;
  /// Executes `sql` once per parameter set (no rows come back); rowcount() is the
  /// total. PostgreSQL pipelines the executions.
  virtual void executemany(std::string_view sql, const ParamBatch& batch) = 0;

  /// Whether the statement produces rows (SELECT, RETURNING, PRAGMA ...).
  virtual bool returns_rows() const = 0;
  virtual std::size_t column_count() const = 0;
  virtual std::string_view column_name(std::size_t i) const = 0;

  /// Advances to the next row; false once the rows are exhausted.
  virtual bool fetch_next() = 0;

  // Accessors for the current row. `get_*` on a NULL cell throws
  // InvalidRequestError; on a cell of another type they convert as
  // Value::as<T>() does (text "42" -> 42) or throw InvalidRequestError.
  virtual bool is_null(std::size_t i) const = 0;
  virtual std::int64_t get_int64(std::size_t i) const = 0;
  virtual double get_double(std::size_t i) const = 0;
  virtual bool get_bool(std::size_t i) const = 0;
  /// Text of the cell; the view is valid until fetch_next() or close().
  virtual std::string_view get_text(std::size_t i) const = 0;
  /// The cell as a Value of the most specific kind the driver knows
  /// (PostgreSQL: from the column type; SQLite: from the storage class).
  virtual Value get_value(std::size_t i) const = 0;

  /// Rows changed by INSERT/UPDATE/DELETE (summed over an executemany); -1 when
  /// not applicable.
  virtual std::int64_t rowcount() const = 0;
  /// The rowid of the last inserted row where the driver knows it (SQLite).
  virtual std::optional<std::int64_t> lastrowid() const = 0;

  /// Finishes the execution and releases the statement for reuse. Idempotent.
  virtual void close() noexcept = 0;
};

/// One raw database connection (what a DBAPI connection is in SQLAlchemy).
/// Listeners for the `connect`/`checkout` events receive it.
class ALCHEMY_EXPORT DriverConnection {
 public:
  virtual ~DriverConnection();

  /// A new cursor on this connection.
  virtual std::unique_ptr<DriverCursor> cursor() = 0;
  /// Runs SQL without parameters or result rows (PRAGMA, SET, DDL; several
  /// statements allowed). Throws DBAPIError subclasses.
  virtual void exec(std::string_view sql) = 0;

  /// Starts a transaction (BEGIN).
  virtual void begin() = 0;
  /// Commits. Throws (InternalError, SQLSTATE 25P02) when the server answered
  /// the COMMIT by rolling back, so a failed transaction never looks committed.
  virtual void commit() = 0;
  virtual void rollback() = 0;
  /// Whether the server side has a transaction open (the driver's truth).
  virtual bool in_transaction() const = 0;

  /// Session isolation level for the transactions that follow. The level was
  /// validated by the Dialect (AUTOCOMMIT never reaches the driver).
  virtual void set_isolation_level(std::string_view level) = 0;
  virtual std::string get_isolation_level() = 0;

  /// A round trip proving the connection is alive (pool_pre_ping). Never throws.
  virtual bool ping() noexcept = 0;
  /// Whether the connection is known to be unusable (closed or broken).
  virtual bool is_closed() const noexcept = 0;
  /// Closes the connection; idempotent, never throws.
  virtual void close() noexcept = 0;
  /// The C handle (sqlite3*, PGconn*) for code that must call the C API itself.
  virtual void* native_handle() noexcept = 0;
};

/// What SQLAlchemy's events call the DBAPI connection.
using DBAPIConnection = DriverConnection;

/// Which pool a dialect wants for a URL when the user does not choose.
enum class PoolKind {
  queue,    ///< QueuePool: pool_size + max_overflow connections (servers, files)
  static_,  ///< StaticPool: one connection shared for the engine's life (sqlite :memory:)
};

/// Connection arguments as strings (the URL's query plus create_engine's connect_args).
using ConnectArgs = std::map<std::string, std::string, std::less<>>;

/// Makes a new DriverConnection (called by the pool, possibly from several threads).
using Connector = std::function<std::unique_ptr<DriverConnection>()>;

/// A database flavour plus its driver.
class ALCHEMY_EXPORT Dialect {
 public:
  virtual ~Dialect();
  /// "sqlite", "postgresql".
  virtual std::string_view name() const = 0;
  /// "sqlite3", "libpq".
  virtual std::string_view driver() const = 0;
  /// The compiler flavour (paramstyle, quoting, ...).
  virtual const SQLCompiler& statement_compiler() const = 0;
  /// Validates the URL and connect_args (URL query parameters are merged in,
  /// connect_args win) and returns a function that opens connections.
  /// Throws ArgumentError naming an unknown or malformed argument.
  virtual Connector connector(const URL& url, const ConnectArgs& connect_args) const = 0;
  /// The pool to use when create_engine's options do not say.
  virtual PoolKind default_pool(const URL& url) const = 0;
  /// Isolation levels the backend accepts, upper case, including "AUTOCOMMIT".
  virtual std::vector<std::string> isolation_levels() const = 0;
  /// The level connections start with.
  virtual std::string default_isolation_level() const = 0;
  virtual bool supports_savepoints() const { return true; }

  // ---- schema queries (create_all's checkfirst; reflection builds on them)
  /// Whether a table (or view) of this name exists; `schema` empty: the default.
  virtual bool has_table(Connection& conn, std::string_view table,
                         const std::optional<std::string>& schema) const = 0;
  /// Whether a named type exists (PostgreSQL ENUM types); false elsewhere.
  virtual bool has_type(Connection& conn, std::string_view type,
                        const std::optional<std::string>& schema) const {
    (void)conn, (void)type, (void)schema;
    return false;
  }
  virtual bool supports_returning() const { return true; }
  /// Whether executemany reports each row's rowid (ParamBatch::row_done): then
  /// an executemany INSERT that only needs the autoincrement key back skips
  /// RETURNING (SQLite).
  virtual bool supports_executemany_rowid() const { return false; }

  // ---- reflection (SQLAlchemy's Dialect.get_* methods; Inspector calls them)
  // A missing table raises NoSuchTableError. `schema` empty: the default schema.
  /// The schema unqualified names resolve to ("main", current_schema()).
  virtual std::string default_schema_name(Connection& conn) const = 0;
  /// Table names (no views, no internal tables) of a schema, sorted.
  virtual std::vector<std::string> get_table_names(
      Connection& conn, const std::optional<std::string>& schema) const = 0;
  virtual std::vector<ReflectedColumn> get_columns(
      Connection& conn, std::string_view table, const std::optional<std::string>& schema) const = 0;
  virtual ReflectedPrimaryKeyConstraint get_pk_constraint(
      Connection& conn, std::string_view table, const std::optional<std::string>& schema) const = 0;
  virtual std::vector<ReflectedForeignKeyConstraint> get_foreign_keys(
      Connection& conn, std::string_view table, const std::optional<std::string>& schema) const = 0;
  /// Indexes other than the primary key's, sorted by name.
  virtual std::vector<ReflectedIndex> get_indexes(
      Connection& conn, std::string_view table, const std::optional<std::string>& schema) const = 0;
  virtual std::vector<ReflectedUniqueConstraint> get_unique_constraints(
      Connection& conn, std::string_view table, const std::optional<std::string>& schema) const = 0;
  virtual std::vector<ReflectedCheckConstraint> get_check_constraints(
      Connection& conn, std::string_view table, const std::optional<std::string>& schema) const = 0;
  /// The default (for backends without comments) checks that the table exists
  /// and reports no comment.
  virtual ReflectedTableComment get_table_comment(Connection& conn, std::string_view table,
                                                  const std::optional<std::string>& schema) const;
};

/// Makes the dialect object (called once per create_engine).
using DialectFactory = std::function<std::shared_ptr<const Dialect>()>;

/// Registers a dialect under `name` for the given driver names ("" is the
/// default driver: `sqlite://` as well as `sqlite+pysqlite://`). Thread-safe;
/// dialect libraries call it from a static initializer.
ALCHEMY_EXPORT void register_dialect(std::string name, std::vector<std::string> drivers,
                                     DialectFactory factory);

/// Finds the dialect for a URL's drivername ("postgresql+libpq"); throws
/// NoSuchModuleError naming the available dialects when there is none.
ALCHEMY_EXPORT std::shared_ptr<const Dialect> load_dialect(std::string_view backend,
                                                           std::string_view driver);

/// Names of the registered dialects ("postgresql", "sqlite").
ALCHEMY_EXPORT std::vector<std::string> registered_dialects();

}  // namespace alchemy
