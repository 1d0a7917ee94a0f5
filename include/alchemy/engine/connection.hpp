// Connection and Transaction (SQLAlchemy 2.0 semantics).
//
// A Connection is a checked-out DBAPI connection plus transaction state. It is
// an RAII handle: destroying or close()-ing it rolls back anything uncommitted
// and returns the DBAPI connection to the pool.
//
// Transactions begin implicitly ("autobegin") at the first execute() and end
// with commit() or rollback() ("commit as you go"); or explicitly with begin(),
// which returns a Transaction that rolls back unless committed. A Connection
// scope that ends without commit() rolls back — SQLAlchemy 2.0's rule.
// begin_nested() issues a SAVEPOINT.
//
// A Connection is not thread-safe; share the Engine, not a Connection.
#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/core/sql/text.hpp"
#include "alchemy/core/value.hpp"
#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/result.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class Engine;
class Transaction;
class NestedTransaction;

namespace detail {
struct ConnectionCore;
}

/// Per-connection execution options (SQLAlchemy's Connection.execution_options()).
struct ExecutionOptions {
  /// "AUTOCOMMIT", "READ COMMITTED", "SERIALIZABLE", ... for the transactions that
  /// follow on this connection; reset when the connection returns to the pool.
  std::optional<std::string> isolation_level;
  /// Stream rows from the server instead of buffering the whole result
  /// (PostgreSQL; SQLite always streams).
  std::optional<bool> stream_results;
  /// Rows per batch when streaming; implies stream_results.
  std::optional<std::size_t> yield_per;
};

/// A database connection checked out of an Engine's pool.
class ALCHEMY_EXPORT Connection {
 public:
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  /// Rolls back an open transaction and returns the DBAPI connection to the pool.
  ~Connection();

  /// Executes a statement with named parameters: `conn.execute(text("... :id"), {{"id", 5}})`.
  /// Begins a transaction first if none is open (unless AUTOCOMMIT).
  /// Throws DBAPIError subclasses (with the SQL and parameters in the message).
  Result execute(const Executable& statement, const Params& params = {});
  /// executemany: runs the statement once per parameter set (rowcount is the
  /// total). An empty list executes once without parameters. An INSERT with
  /// RETURNING returns the rows of every set, in parameter order (SQLAlchemy
  /// 2.0's "insertmanyvalues": the sets travel as multi-row VALUES pages).
  Result execute(const Executable& statement, const std::vector<Params>& params);
  /// executemany from a generator, for bulk loads that should not build every
  /// parameter set first: `fill(i, params)` is called for i = 0 .. count-1 and
  /// sets parameter set i into `params`, which is reused from one call to the
  /// next. Values are bound as soon as fill() returns. fill() should depend only
  /// on i: echo and error messages call it again for the sets they show.
  ///   conn.execute(insert, rows.size(), [&](std::size_t i, Params& p) {
  ///     p.set("name", rows[i].name).set("age", rows[i].age);
  ///   });
  Result execute(const Executable& statement, std::size_t count,
                 const std::function<void(std::size_t, Params&)>& fill);
  /// Executes SQL in the driver's own paramstyle (`?` / `?1` for SQLite, `$1` for
  /// PostgreSQL) with positional parameters, bypassing text() parsing.
  Result exec_driver_sql(std::string_view sql, const std::vector<Value>& params = {});
  /// exec_driver_sql as executemany.
  Result exec_driver_sql(std::string_view sql, const std::vector<std::vector<Value>>& params);

  /// Commits the current transaction, if any (commit as you go).
  void commit();
  /// Rolls back the current transaction, if any. Also the way out after the
  /// connection was invalidated inside a transaction.
  void rollback();
  /// Begins a transaction explicitly; InvalidRequestError if one is already begun
  /// (autobegun by an execute(), or begin() called before).
  Transaction begin();
  /// Begins a SAVEPOINT (beginning the outer transaction first if needed).
  NestedTransaction begin_nested();
  bool in_transaction() const noexcept;
  bool in_nested_transaction() const noexcept;

  /// Applies execution options to this connection (in place); returns *this.
  /// Changing isolation_level inside a transaction raises InvalidRequestError.
  Connection& execution_options(const ExecutionOptions& options);
  /// The isolation level in effect for this connection ("AUTOCOMMIT" included).
  std::string get_isolation_level();
  /// The level connections of this engine start with.
  std::string default_isolation_level() const;

  /// Closes the DBAPI connection and discards it from the pool. If a transaction
  /// was open, the Connection must be rolled back before it is used again
  /// (PendingRollbackError); otherwise the next execute() reconnects.
  void invalidate();
  bool invalidated() const noexcept;

  /// Returns the DBAPI connection to the pool (after rolling back). Idempotent.
  void close() noexcept;
  bool closed() const noexcept;

  /// The DBAPI connection (reconnecting first if it was invalidated outside a transaction).
  DBAPIConnection& connection();
  /// Free-form storage that lives as long as the DBAPI connection (SQLAlchemy's
  /// Connection.info): what listeners put in ConnectionRecord::info().
  std::map<std::string, std::any>& info();
  /// The Engine this connection came from.
  Engine engine() const;

  /// Internal: created by Engine::connect().
  explicit Connection(std::shared_ptr<detail::ConnectionCore> core);

 private:
  friend class Transaction;
  friend class NestedTransaction;
  friend class Engine;
  /// executemany of an INSERT with RETURNING ("insertmanyvalues"): the rows are
  /// sent as multi-row VALUES pages; `row(i, storage)` returns parameter set i
  /// (filling `storage` if it builds one).
  Result insertmanyvalues(const std::shared_ptr<const Compiled>& compiled, std::size_t count,
                          const std::function<const Params&(std::size_t, Params&)>& row);
  /// Engine::begin(): after the block's transaction ends inside the block,
  /// further statements raise instead of starting a transaction nobody commits.
  void set_begin_block(bool on);
  detail::ConnectionCore& core() const;
  std::shared_ptr<detail::ConnectionCore> core_;
};

/// The root transaction started by Connection::begin(). Rolls back on
/// destruction unless committed (or rolled back) first.
class ALCHEMY_EXPORT Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  /// COMMIT; InvalidRequestError when the transaction is no longer active.
  void commit();
  /// ROLLBACK; a no-op when no longer active.
  void rollback();
  /// Whether this transaction is still the connection's open transaction.
  bool is_active() const noexcept;

 private:
  friend class Connection;
  Transaction(std::shared_ptr<detail::ConnectionCore> core, std::uint64_t id)
      : core_(std::move(core)), id_(id) {}
  std::shared_ptr<detail::ConnectionCore> core_;
  std::uint64_t id_ = 0;
};

/// A SAVEPOINT started by Connection::begin_nested(). Rolls back to the
/// savepoint on destruction unless committed (released) first.
class ALCHEMY_EXPORT NestedTransaction {
 public:
  NestedTransaction(NestedTransaction&&) noexcept;
  NestedTransaction& operator=(NestedTransaction&&) noexcept;
  NestedTransaction(const NestedTransaction&) = delete;
  NestedTransaction& operator=(const NestedTransaction&) = delete;
  ~NestedTransaction();
  /// RELEASE SAVEPOINT (the work joins the enclosing transaction).
  void commit();
  /// ROLLBACK TO SAVEPOINT.
  void rollback();
  bool is_active() const noexcept;
  /// The savepoint's name ("sa_savepoint_1").
  const std::string& name() const noexcept { return name_; }

 private:
  friend class Connection;
  NestedTransaction(std::shared_ptr<detail::ConnectionCore> core, std::string name,
                    std::uint64_t root_id)
      : core_(std::move(core)), name_(std::move(name)), root_id_(root_id) {}
  std::shared_ptr<detail::ConnectionCore> core_;
  std::string name_;
  std::uint64_t root_id_ = 0;
};

}  // namespace alchemy
