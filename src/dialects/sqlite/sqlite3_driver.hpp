// The SQLite driver: DriverConnection and DriverCursor over the sqlite3 C API.
//
// Private to the SQLite dialect: base.cpp's Connector calls connect(); the
// engine then uses the objects only through alchemy/engine/interfaces.hpp.
// sqlite3_driver.cpp is the only translation unit that steps statements;
// error_map.cpp turns result codes into exceptions.
//
// Each connection keeps an LRU cache of prepared statements keyed by SQL text.
// A cached statement is lent to one cursor at a time; a second cursor running
// the same SQL while the first is still open gets a fresh, uncached statement.
// A connection and its cursors are used by one thread at a time (the pool
// hands a connection to one Connection), so nothing here locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alchemy/engine/interfaces.hpp"

struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_value;

namespace alchemy::dialects::sqlite {

/// What a Connector needs to open one connection (validated by base.cpp).
struct ConnectParams {
  /// File name, ":memory:" or (with `uri`) a "file:" URI, as sqlite3_open_v2 takes it.
  std::string filename = ":memory:";
  /// Busy timeout in seconds (sqlite3_busy_timeout).
  double timeout = 5.0;
  /// Open with SQLITE_OPEN_URI.
  bool uri = false;
  /// Capacity of the per-connection prepared-statement cache (0 disables it).
  std::size_t cached_statements = 128;
};

/// Opens a connection; throws OperationalError
/// "unable to open database file '<path>': <sqlite message>" on failure.
std::unique_ptr<DriverConnection> connect(const ConnectParams& params);

class SQLite3Cursor;

/// One prepared statement and what the driver learnt about it when preparing.
/// Cached entries live in the connection's LRU list; uncached ones inside the
/// cursor that owns them.
struct PreparedStatement {
  sqlite3_stmt* stmt = nullptr;
  /// sqlite3_stmt_readonly(): SELECT, BEGIN, COMMIT, most PRAGMAs.
  bool readonly = true;
  /// INSERT/UPDATE/DELETE/REPLACE (or a WITH clause leading to one): the
  /// statements whose sqlite3_changes64() is meaningful.
  bool is_dml = false;
  /// Lent to a cursor right now (cached entries only).
  bool in_use = false;
  /// Lives in the connection's cache (else the holder finalizes it).
  bool cached = false;
  /// The cache key (cached entries only).
  std::string sql;
};

/// A sqlite3* plus its statement cache.
class SQLite3Connection final : public DriverConnection {
 public:
  SQLite3Connection(sqlite3* db, std::size_t cache_capacity);
  ~SQLite3Connection() override;
  SQLite3Connection(const SQLite3Connection&) = delete;
  SQLite3Connection& operator=(const SQLite3Connection&) = delete;

  std::unique_ptr<DriverCursor> cursor() override;
  void exec(std::string_view sql) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  bool in_transaction() const override;
  void set_isolation_level(std::string_view level) override;
  std::string get_isolation_level() override;
  bool ping() noexcept override;
  bool is_closed() const noexcept override { return db_ == nullptr; }
  void close() noexcept override;
  void* native_handle() noexcept override { return db_; }

  /// Number of statements currently in the cache (for tests and diagnostics).
  std::size_t cached_statement_count() const noexcept { return cache_.size(); }

 private:
  friend class SQLite3Cursor;

  // Called by SQLite3Cursor. Returns the statement for the first statement in
  // `sql`, marked in use: a cached one when `allow_cache` and the SQL is one
  // statement, else `scratch` filled with a fresh uncached statement. `tail`
  // receives the text after the first statement ("" on a cache hit).
  PreparedStatement* acquire(std::string_view sql, bool allow_cache, PreparedStatement& scratch,
                             std::string_view& tail);
  // Resets the statement, clears its bindings and returns it to the cache (or
  // finalizes it when uncached). Never throws.
  void release(PreparedStatement* ps) noexcept;
  // Runs every statement in `sql`, discarding rows.
  void run_script(std::string_view sql);
  // Steps `ps` to completion; on error captures the message, resets and throws.
  void run_to_completion(PreparedStatement* ps);

  void register_cursor(SQLite3Cursor* c) { cursors_.push_back(c); }
  void unregister_cursor(SQLite3Cursor* c) noexcept;

  using CacheList = std::list<PreparedStatement>;
  sqlite3* db_ = nullptr;
  std::size_t capacity_;
  CacheList cache_;                                                  // most recently used first
  std::unordered_map<std::string_view, CacheList::iterator> index_;  // keys view cache_[i].sql
  std::vector<SQLite3Cursor*> cursors_;  // live cursors, detached on close()
};

/// One execution on a SQLite3Connection.
class SQLite3Cursor final : public DriverCursor {
 public:
  explicit SQLite3Cursor(SQLite3Connection* conn) : conn_(conn) {}
  ~SQLite3Cursor() override;
  SQLite3Cursor(const SQLite3Cursor&) = delete;
  SQLite3Cursor& operator=(const SQLite3Cursor&) = delete;

  void execute(std::string_view sql, std::span<const Value* const> params,
               const CursorOptions& options) override;
  void executemany(std::string_view sql, const ParamBatch& batch) override;
  bool returns_rows() const override;
  std::size_t column_count() const override;
  std::string_view column_name(std::size_t i) const override;
  bool fetch_next() override;
  bool is_null(std::size_t i) const override;
  std::int64_t get_int64(std::size_t i) const override;
  double get_double(std::size_t i) const override;
  bool get_bool(std::size_t i) const override;
  std::string_view get_text(std::size_t i) const override;
  Value get_value(std::size_t i) const override;
  std::int64_t rowcount() const override { return rowcount_; }
  std::optional<std::int64_t> lastrowid() const override { return lastrowid_; }
  void close() noexcept override;

 private:
  friend class SQLite3Connection;

  // Called by SQLite3Connection::close(): finalize what we own, forget the rest.
  void detach() noexcept;
  // The connection's handle; throws the closed-database error when detached.
  sqlite3* db() const;
  // Throws unless a row is current and `i` names one of its columns.
  void check_cell(std::size_t i) const;
  sqlite3_value* cell(std::size_t i) const;
  // First sqlite3_step after binding; records rowcount/lastrowid.
  void step_first();
  // Captures the connection's error, releases the statement and throws.
  [[noreturn]] void fail();

  SQLite3Connection* conn_;
  PreparedStatement* ps_ = nullptr;  // cached entry or &own_
  PreparedStatement own_;            // an uncached statement we finalize
  bool pending_row_ = false;         // step_first produced a row not yet fetched
  bool has_row_ = false;             // accessors may read the current row
  bool done_ = true;                 // sqlite3_step returned SQLITE_DONE (or no statement)
  bool many_ = false;                // last call was executemany: no rows
  std::size_t ncols_ = 0;            // result columns of the current statement
  std::int64_t rowcount_ = -1;
  std::optional<std::int64_t> lastrowid_;
  std::vector<const Value*> batch_ptrs_;           // executemany's fill() target, reused
  mutable std::vector<std::string> text_scratch_;  // get_text() of non-TEXT cells
};

}  // namespace alchemy::dialects::sqlite
