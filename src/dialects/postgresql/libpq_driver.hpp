// The libpq driver: DriverConnection and DriverCursor over one PGconn.
//
// Private to the PostgreSQL dialect. base.cpp calls LibpqConnection::connect()
// from the Connector it builds; the engine reaches the classes only through the
// DriverConnection / DriverCursor interfaces (alchemy/engine/interfaces.hpp).
//
// libpq allows one command in flight per connection. A cursor that streams
// (single-row mode) keeps its command in flight while the caller reads rows, so
// the connection remembers that cursor and, before any other command starts,
// makes it read the rest of its rows into memory (LibpqCursor::buffer_rest()).
// That is why the cursor and the connection know each other's internals.
//
// Statements with parameters are prepared once per connection and kept in an
// LRU cache keyed by SQL text plus parameter type OIDs; evicted statements are
// deallocated lazily before a later command that starts outside a transaction
// (where a failing DEALLOCATE cannot abort anything).
//
// executemany uses libpq's pipeline mode: rows are sent in chunks of 1000 with
// a Sync after each chunk (after each row when no transaction is open, so each
// row commits on its own), one chunk in flight while the previous one's results
// are read.
//
// Threading: one thread at a time per connection and its cursors.
//
// Only libpq_driver.cpp and error_map.cpp include libpq-fe.h; this header
// repeats the few typedefs it needs (identical to libpq's) so base.cpp does not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alchemy/engine/interfaces.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef unsigned int Oid;

namespace alchemy::dialects::postgresql {

/// The connection keywords this libpq accepts (from PQconndefaults()).
const std::vector<std::string>& libpq_connection_keywords();

/// Frees a PGresult when it goes out of scope.
struct ResultDeleter {
  void operator()(PGresult* r) const noexcept;
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

/// Prepared statements of one connection, least recently used first out.
/// Keys are SQL text plus one character per parameter type; values are the
/// server-side statement names ("alc_1").
class StatementCache {
 public:
  explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}
  /// The statement name for `key`, marked most recently used; nullptr if absent.
  const std::string* find(std::string_view key);
  /// Adds `key` -> `name`; when full, the least recently used name is appended
  /// to `evicted` (the caller deallocates it on the server).
  const std::string& insert(std::string_view key, std::string name,
                            std::vector<std::string>& evicted);
  /// Forgets `key` (the server no longer has a usable statement for it).
  void erase(std::string_view key);
  /// Moves every statement name into `out` and empties the cache.
  void drain_names(std::vector<std::string>& out) noexcept;
  void clear() noexcept;
  std::size_t size() const noexcept { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    std::string name;
  };
  std::size_t capacity_;
  std::list<Entry> lru_;  // front = most recently used
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

/// Encoded parameters for PQsendQueryPrepared, reused across executions so the
/// hot paths (executemany over 100k rows) do not allocate per row.
struct ParamBuffers {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  std::vector<Oid> types;
  std::vector<std::ptrdiff_t> offsets;  // into text, or -1 when values[i] points elsewhere
  std::string text;                     // NUL-separated renderings of non-string values
  std::string key;                      // statement cache key being built
  std::vector<const Value*> row;        // one executemany row, filled by ParamBatch
};

class LibpqCursor;

/// One libpq connection (DriverConnection).
class LibpqConnection final : public DriverConnection {
 public:
  /// Connects with libpq keyword/value pairs (expand_dbname off) and prepares
  /// the session (DateStyle ISO, IntervalStyle postgres). Throws
  /// OperationalError with libpq's message (`password` masked) on failure.
  static std::unique_ptr<LibpqConnection> connect(const std::vector<std::string>& keywords,
                                                  const std::vector<std::string>& values,
                                                  const std::string& password);

  explicit LibpqConnection(PGconn* conn);
  ~LibpqConnection() override;
  LibpqConnection(const LibpqConnection&) = delete;
  LibpqConnection& operator=(const LibpqConnection&) = delete;

  std::unique_ptr<DriverCursor> cursor() override;
  void exec(std::string_view sql) override;
  void begin() override;
  void commit() override;
  void rollback() override;
  bool in_transaction() const override;
  void set_isolation_level(std::string_view level) override;
  std::string get_isolation_level() override;
  bool ping() noexcept override;
  bool is_closed() const noexcept override;
  void close() noexcept override;
  void* native_handle() noexcept override { return conn_; }

  // ---- used by LibpqCursor ----

  /// The PGconn; throws InterfaceError (is_disconnect) when closed.
  PGconn* pg() const;
  /// Makes the connection ready for a new command from `requester` (nullptr for
  /// the connection itself): buffers another cursor's stream, deallocates
  /// evicted statements.
  void before_command(const LibpqCursor* requester);
  /// The prepared statement for `key` (SQL + parameter type OIDs), preparing it
  /// on a cache miss. The reference is valid until the next cache change.
  const std::string& prepared(std::string_view key, std::string_view sql,
                              std::span<const Oid> types);
  /// Drops a statement the server rejected; `still_exists` when the server still
  /// has it (a changed result type), so it is deallocated later.
  void forget_statement(std::string_view key, bool still_exists) noexcept;
  /// Notes SQL sent through the simple protocol that may drop prepared
  /// statements behind our back (DISCARD ALL, DEALLOCATE).
  void note_simple_sql(std::string_view sql) noexcept;
  /// `sql` as a NUL-terminated string (copied into a reused buffer); throws
  /// ProgrammingError when the text itself contains NUL.
  const char* c_str(std::string_view sql);

 private:
  void run_simple(const char* sql, bool check_commit);
  void deallocate_evicted() noexcept;

  PGconn* conn_;
  // The cursor whose rows are still on the wire, if any (set by the cursor).
  LibpqCursor* stream_ = nullptr;
  StatementCache statements_{128};
  std::vector<std::string> to_deallocate_;
  std::uint64_t statement_counter_ = 0;
  std::string sql_buffer_;
  // Shared by the cursors: one command is encoded at a time, and keeping the
  // buffers here lets short-lived cursors reuse their capacity.
  ParamBuffers params_;
  // Cursors hold this to notice that their connection was destroyed.
  std::shared_ptr<LibpqConnection*> self_;

  friend class LibpqCursor;
};

/// One execution on a LibpqConnection (DriverCursor).
class LibpqCursor final : public DriverCursor {
 public:
  explicit LibpqCursor(std::shared_ptr<LibpqConnection*> conn) : conn_(std::move(conn)) {}
  ~LibpqCursor() override;
  LibpqCursor(const LibpqCursor&) = delete;
  LibpqCursor& operator=(const LibpqCursor&) = delete;

  void execute(std::string_view sql, std::span<const Value* const> params,
               const CursorOptions& options) override;
  void executemany(std::string_view sql, const ParamBatch& batch) override;
  bool returns_rows() const override { return returns_rows_; }
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
  std::optional<std::int64_t> lastrowid() const override { return std::nullopt; }
  void close() noexcept override;

  // ---- used by LibpqConnection ----

  /// Reads the rest of this cursor's stream into memory so another command can
  /// start; rows (and a deferred error) are then served from memory.
  void buffer_rest() noexcept;
  /// The connection is closing under a live stream: stop reading from it.
  void abandon_stream() noexcept;

 private:
  LibpqConnection& connection() const;
  void reset() noexcept;
  void discard_stream() noexcept;
  /// Reads the first result(s) of the command just sent: starts a stream, or
  /// buffers the whole result. Returns false (after dropping the statement)
  /// when the prepared statement `key` was stale and `may_retry` allows a retry.
  bool start_results(LibpqConnection& c, bool stream, std::string_view key, bool may_retry);
  void take_result(ResultPtr r);
  bool run_pipeline(LibpqConnection& c, std::string_view sql, const ParamBatch& batch,
                    bool may_retry);
  void check_row(std::size_t i) const;
  /// The raw text of cell `i` of the current row; throws for NULL (naming `wanted`).
  const char* cell(std::size_t i, int* len, std::string_view wanted) const;

  std::shared_ptr<LibpqConnection*> conn_;
  enum class State : std::uint8_t { idle, buffered, streaming } state_ = State::idle;
  PGresult* res_ = nullptr;   // rows being read: the whole result, or one streamed row
  PGresult* tail_ = nullptr;  // rest of a stream buffered by buffer_rest()
  std::exception_ptr tail_error_;
  int row_ = -1;
  int nrows_ = 0;
  bool returns_rows_ = false;
  std::int64_t rowcount_ = -1;
  std::vector<std::string> stream_names_;  // column names while streaming
};

}  // namespace alchemy::dialects::postgresql
