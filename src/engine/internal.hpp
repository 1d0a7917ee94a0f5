// Private engine internals shared by engine.cpp, pool.cpp, connection.cpp and
// result.cpp. Never installed.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/engine.hpp"
#include "alchemy/engine/events.hpp"
#include "alchemy/engine/pool.hpp"

namespace alchemy {

namespace detail {

/// The listener lists of one engine (shared with its pools).
struct EngineEvents {
  event::ListenerList<DBAPIConnection&, ConnectionRecord&> connect;
  event::ListenerList<DBAPIConnection&, ConnectionRecord&> checkout;
  event::ListenerList<DBAPIConnection*, ConnectionRecord&> checkin;
  event::ListenerList<Connection&, const CursorExecuteContext&> before_cursor_execute;
  event::ListenerList<Connection&, const CursorExecuteContext&> after_cursor_execute;
  event::ListenerList<ExceptionContext&> handle_error;
  event::ListenerList<Connection&> begin;
  event::ListenerList<Connection&> commit;
  event::ListenerList<Connection&> rollback;
};

/// Logging for one engine: echo flag plus the handler.
struct EngineLogger {
  std::string name = "alchemy.engine.Engine";
  std::string pool_name = "alchemy.pool";
  LogHandler handler;  // empty: the process-wide handler
  std::atomic<bool> echo{false};
  bool echo_pool = false;
  void info(std::string_view msg) const { emit(LogLevel::info, name, msg); }
  void pool_debug(std::string_view msg) const {
    if (echo_pool) emit(LogLevel::info, pool_name, msg);
  }
  void warning(std::string_view msg) const { emit(LogLevel::warning, name, msg); }
  void emit(LogLevel level, std::string_view logger, std::string_view msg) const;
};

}  // namespace detail

/// Shared machinery of the pool classes. Called by Engine (creation, dispose)
/// and ConnectionCore (checkout, checkin, invalidation).
class PoolBase : public Pool {
 public:
  struct Config {
    Connector creator;
    int pool_size = 5;
    int max_overflow = 10;
    double timeout = 30.0;
    double recycle = -1;
    bool pre_ping = false;
    bool use_lifo = false;
    std::string isolation_level;  // applied to every new connection ("" = leave)
  };
  PoolBase(Config config, std::shared_ptr<detail::EngineEvents> events,
           std::shared_ptr<detail::EngineLogger> log)
      : config_(std::move(config)), events_(std::move(events)), log_(std::move(log)) {}

  /// A connected record, ready to use. Throws TimeoutError, OperationalError.
  virtual ConnectionRecord* checkout() = 0;
  /// Returns a record after the caller reset it (rolled back). Never throws.
  virtual void checkin(ConnectionRecord* rec) noexcept = 0;
  /// Closes idle connections and makes checked-out ones close on checkin.
  virtual void dispose() noexcept = 0;
  /// Marks every connection opened before now as stale: each is replaced at its
  /// next checkout (after a disconnect was detected on one of them).
  void invalidate_older() noexcept {
    std::lock_guard lock(stale_mu_);
    stale_before_ = std::chrono::steady_clock::now();
  }
  /// Closes a record's DBAPI connection (the record stays, unconnected).
  void invalidate(ConnectionRecord* rec, std::string_view reason) noexcept;
  double timeout() const override { return config_.timeout; }

 protected:
  /// Opens (or re-opens) `rec`'s connection if needed: unconnected, recycled,
  /// stale, or failing pre-ping. Fires connect/checkout listeners.
  void prepare_for_checkout(ConnectionRecord* rec, bool fresh_checkout, bool may_replace = true);
  void connect_record(ConnectionRecord* rec);
  /// Rolls back, fires checkin listeners; closes the connection on failure.
  void reset_for_checkin(ConnectionRecord* rec) noexcept;
  static std::unique_ptr<ConnectionRecord> new_record() {
    return std::make_unique<ConnectionRecord>();
  }
  static int& shares(ConnectionRecord* rec) { return rec->shares_; }
  static bool is_connected(ConnectionRecord* rec) { return rec->conn_ && !rec->conn_->is_closed(); }
  static void close_record(ConnectionRecord* rec) noexcept {
    if (rec->conn_) rec->conn_->close();
    rec->conn_.reset();
    rec->info_.clear();
  }

  Config config_;
  std::shared_ptr<detail::EngineEvents> events_;
  std::shared_ptr<detail::EngineLogger> log_;
  std::mutex stale_mu_;
  std::chrono::steady_clock::time_point stale_before_{};
};

std::shared_ptr<PoolBase> make_pool(PoolClass cls, PoolBase::Config config,
                                    std::shared_ptr<detail::EngineEvents> events,
                                    std::shared_ptr<detail::EngineLogger> log);

namespace detail {

struct EngineState {
  URL url;
  std::shared_ptr<const Dialect> dialect;
  EngineOptions options;
  PoolClass poolclass = PoolClass::queue;
  PoolBase::Config pool_config;
  std::shared_ptr<EngineEvents> events = std::make_shared<EngineEvents>();
  std::shared_ptr<EngineLogger> log = std::make_shared<EngineLogger>();
  std::string default_isolation_level;  // upper case
  mutable std::mutex pool_mu;
  std::shared_ptr<PoolBase> pool;  // replaced by dispose()
  /// Compiled forms of expression statements, shared by all connections.
  std::unique_ptr<CompiledCache> compiled_cache;

  std::shared_ptr<PoolBase> current_pool() const {
    std::lock_guard lock(pool_mu);
    return pool;
  }
  /// Upper-cases and validates an isolation level name; throws ArgumentError.
  std::string validate_isolation_level(std::string_view level) const;
};

class ResultCursorBase;

/// The state behind a Connection (and its Transactions and Results).
struct ConnectionCore : std::enable_shared_from_this<ConnectionCore> {
  std::shared_ptr<EngineState> engine;
  std::shared_ptr<PoolBase> pool;      // the pool `record` came from
  ConnectionRecord* record = nullptr;  // null: closed, or invalidated awaiting reconnect
  DriverConnection* dbapi = nullptr;
  Connection* handle = nullptr;  // the Connection object, for listeners
  bool closed = false;
  bool invalid_in_tx = false;  // invalidated inside a transaction: rollback() needed
  bool begin_block = false;    // inside Engine::begin(): no autobegin once its transaction ended

  // Transactions
  bool root_active = false;
  bool root_explicit = false;
  std::uint64_t root_id = 0;
  std::uint64_t next_id = 0;
  std::vector<std::string> savepoints;
  std::uint64_t savepoint_counter = 0;

  // Options
  std::string isolation_level;  // effective, upper case
  bool isolation_changed = false;
  bool autocommit = false;
  CursorOptions cursor_options;
  std::size_t yield_per = 0;  // execution option: default partition size

  // Open results (closed when the connection closes)
  std::vector<ResultState*> open_results;

  // Hot-path reuse for repeated statements: a closed cursor of `dbapi`, and
  // the column names of recent statements (keyed by SQL text address and
  // re-validated against the cursor's column names, so a stale key is harmless).
  // An expression statement whose compiler named every result column (as the
  // cursor names them) is known by its Compiled instead: while that Compiled
  // lives its SQL, and so its columns, cannot change, and the names are not
  // compared again.
  std::unique_ptr<DriverCursor> spare_cursor;
  struct MetaEntry {
    const char* sql = nullptr;
    const Compiled* compiled = nullptr;
    std::shared_ptr<const ResultMetaData> meta;
    const Compiled* owner = nullptr;          // set for the fixed-columns case only
    std::weak_ptr<const Compiled> owner_ref;  // whether `owner` is still that Compiled
  };
  std::array<MetaEntry, 8> meta_cache{};
  std::size_t meta_next = 0;
  std::unique_ptr<DriverCursor> take_cursor() {
    if (spare_cursor) return std::move(spare_cursor);
    return dbapi->cursor();
  }
  void recycle_cursor(std::unique_ptr<DriverCursor> c) noexcept {
    if (!spare_cursor && dbapi != nullptr) spare_cursor = std::move(c);
  }
  std::shared_ptr<const ResultMetaData> metadata_for(
      std::string_view sql, const DriverCursor& c, const std::shared_ptr<const Compiled>& compiled);
  /// Scratch for compile_for()'s literal values and processed binds (reused).
  std::vector<const Value*> literals;
  std::vector<Value> processed;

  ~ConnectionCore();
  void ensure_open() const;
  /// Makes sure a DBAPI connection is present (reconnects after invalidate()).
  void ensure_connection();
  void autobegin();
  /// Executes one statement; `compiled` is the expression statement's compiled
  /// form (null for text() and driver SQL), for its result columns' types.
  Result run(std::string_view sql, std::span<const Value* const> params,
             const std::shared_ptr<const Compiled>& compiled = nullptr);
  Result run_many(std::string_view sql, const ParamBatch& batch);
  void do_begin();
  void do_commit();
  void do_rollback();
  void close() noexcept;
  void close_results() noexcept;
  /// Invalidates the DBAPI connection (after a disconnect or invalidate()).
  void invalidate(std::string_view reason) noexcept;
  /// Translates/augments a driver error, runs handle_error listeners, invalidates
  /// on disconnect; always rethrows.
  [[noreturn]] void handle_error(std::string_view sql, const std::string& params_repr);
  void log_statement(std::string_view sql, const std::string& params, std::chrono::nanoseconds d);
};

/// A Result's state: the cursor and the current row.
struct ResultState {
  std::shared_ptr<ConnectionCore> core;
  std::unique_ptr<DriverCursor> cursor;
  std::shared_ptr<const ResultMetaData> meta;
  Row current;  // view of cursor's current row
  bool has_current = false;
  bool closed = false;       // no more rows will be read (exhausted or closed)
  bool hard_closed = false;  // close() or connection closed: fetching raises
  bool returns_rows = false;
  std::size_t yield_per = 0;
  std::int64_t rowcount = -1;
  std::optional<std::int64_t> lastrowid;
  /// insert(): the primary key of the inserted row (see Result::inserted_primary_key).
  std::optional<std::vector<Value>> inserted_pk;
  std::vector<std::string> pk_keys;
  bool is_insert = false;
  bool executemany = false;
  /// Keeps a compiled statement's types alive while its rows are read.
  std::shared_ptr<const Compiled> compiled;
  /// Rows read ahead of the caller (executemany with RETURNING): served before
  /// (and instead of) the cursor.
  std::vector<Row> buffered;
  std::size_t buffered_pos = 0;

  ~ResultState();
  /// Advances; returns the current view row or nullptr at the end.
  const Row* advance();
  void soft_close() noexcept;
  void detach() noexcept;  // called by the connection when it closes
};

/// Renders parameters for logs and error messages (truncated).
std::string render_params(std::span<const Value* const> params);
std::string render_batch(const ParamBatch& batch);

}  // namespace detail
}  // namespace alchemy
