#include "dialects/postgresql/libpq_driver.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "dialects/postgresql/error_map.hpp"
#include "dialects/postgresql/type_codec.hpp"

static_assert(std::is_same_v<Oid, unsigned int>, "libpq's Oid typedef changed");

namespace alchemy::dialects::postgresql {

namespace {

// Rows per Sync in an executemany pipeline: large enough to amortise round
// trips, small enough that results waiting in libpq's input buffer stay small.
constexpr std::size_t kPipelineChunk = 1000;

void ignore_notice(void*, const PGresult*) {}

[[noreturn]] void raise_closed() {
  throw_dbapi_error(DBAPIErrorKind::interface_error,
                    "the PostgreSQL connection is closed; get a new connection from the pool", {},
                    0, true);
}

std::int64_t cmd_tuples(const PGresult* r) noexcept {
  const char* s = PQcmdTuples(const_cast<PGresult*>(r));
  std::int64_t n = -1;
  if (s == nullptr || *s == '\0') return -1;
  auto [p, ec] = std::from_chars(s, s + std::strlen(s), n);
  return ec == std::errc{} ? n : -1;
}

// Statements the driver did not ask for a COPY in: finish the COPY so the
// connection stays usable; the caller reports NotSupportedError.
void refuse_copy(PGconn* pg, ExecStatusType status) noexcept {
  if (status == PGRES_COPY_IN || status == PGRES_COPY_BOTH)
    PQputCopyEnd(pg, "COPY FROM STDIN is not supported by alchemy's libpq driver");
  if (status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
    char* buf = nullptr;
    while (PQgetCopyData(pg, &buf, 0) > 0) PQfreemem(buf);
  }
}

bool is_copy(ExecStatusType s) noexcept {
  return s == PGRES_COPY_IN || s == PGRES_COPY_OUT || s == PGRES_COPY_BOTH;
}

// The results of one command (PQgetResult until NULL), as PQexec would reduce
// them: the last successful result, or the first error.
struct Collected {
  ResultPtr last;
  ResultPtr error;
  bool copy_refused = false;
};

Collected collect(PGconn* pg, ResultPtr first) {
  Collected out;
  auto take = [&](ResultPtr r) {
    const ExecStatusType s = PQresultStatus(r.get());
    switch (s) {
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
      case PGRES_SINGLE_TUPLE:
        if (!out.error) out.last = std::move(r);
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
      case PGRES_COPY_BOTH:
        refuse_copy(pg, s);
        out.copy_refused = true;
        break;
      default:
        if (!out.error) out.error = std::move(r);
        break;
    }
  };
  if (first) take(std::move(first));
  while (PGresult* r = PQgetResult(pg)) take(ResultPtr(r));
  return out;
}

// Throws for a collected command that failed; returns otherwise.
void check(PGconn* pg, const Collected& got) {
  // First: refusing a COPY IN makes the server report an error of its own.
  if (got.copy_refused)
    throw_dbapi_error(DBAPIErrorKind::not_supported_error,
                      "COPY ... FROM STDIN / TO STDOUT is not supported by alchemy's libpq "
                      "driver; use native_handle() with libpq's COPY functions",
                      "0A000", 0, false);
  if (got.error) raise_result_error(pg, got.error.get());
  if (!got.last && PQstatus(pg) == CONNECTION_BAD) raise_result_error(pg, nullptr);
}

// A prepared statement the server can no longer use as cached: it was
// deallocated behind our back (26000) or a table it reads changed shape (0A000).
bool is_stale_statement(const PGresult* r, bool* still_exists) noexcept {
  std::string_view state = result_sqlstate(r);
  if (state == "26000") {
    *still_exists = false;
    return true;
  }
  if (state == "0A000" &&
      result_primary_message(r).find("cached plan must not change result type") !=
          std::string_view::npos) {
    *still_exists = true;
    return true;
  }
  return false;
}

}  // namespace

void ResultDeleter::operator()(PGresult* r) const noexcept { PQclear(r); }

const std::vector<std::string>& libpq_connection_keywords() {
  static const std::vector<std::string> keywords = [] {
    std::vector<std::string> out;
    if (PQconninfoOption* opts = PQconndefaults()) {
      for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) out.emplace_back(o->keyword);
      PQconninfoFree(opts);
    }
    return out;
  }();
  return keywords;
}

// ---------------------------------------------------------------- StatementCache

const std::string* StatementCache::find(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->name;
}

const std::string& StatementCache::insert(std::string_view key, std::string name,
                                          std::vector<std::string>& evicted) {
  if (index_.size() >= capacity_ && !lru_.empty()) {
    evicted.push_back(std::move(lru_.back().name));
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{std::string(key), std::move(name)});
  index_.emplace(lru_.front().key, lru_.begin());
  return lru_.front().name;
}

void StatementCache::erase(std::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  auto node = it->second;
  index_.erase(it);
  lru_.erase(node);
}

void StatementCache::drain_names(std::vector<std::string>& out) noexcept {
  try {
    out.reserve(out.size() + lru_.size());
    for (auto& e : lru_) out.push_back(std::move(e.name));
  } catch (...) {
    // Without memory to remember them the names leak until the session ends.
  }
  clear();
}

void StatementCache::clear() noexcept {
  index_.clear();
  lru_.clear();
}

// ---------------------------------------------------------------- LibpqConnection

std::unique_ptr<LibpqConnection> LibpqConnection::connect(const std::vector<std::string>& keywords,
                                                          const std::vector<std::string>& values,
                                                          const std::string& password) {
  std::vector<const char*> kw;
  std::vector<const char*> vals;
  kw.reserve(keywords.size() + 1);
  vals.reserve(values.size() + 1);
  for (std::size_t i = 0; i < keywords.size(); ++i) {
    kw.push_back(keywords[i].c_str());
    vals.push_back(values[i].c_str());
  }
  kw.push_back(nullptr);
  vals.push_back(nullptr);
  // expand_dbname = 0: a dbname is a name, never a connection string to parse.
  PGconn* raw = PQconnectdbParams(kw.data(), vals.data(), 0);
  if (raw == nullptr)
    throw_dbapi_error(DBAPIErrorKind::operational_error,
                      "out of memory allocating a libpq connection", {}, 0, false);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::unique_ptr<PGconn, void (*)(PGconn*)> guard(raw, &PQfinish);
    raise_connection_error(raw, "could not connect to the PostgreSQL server", password);
  }
  // libpq prints NOTICEs ("table does not exist, skipping") to stderr by
  // default; a library must not write to the application's stderr.
  PQsetNoticeReceiver(raw, &ignore_notice, nullptr);
  auto conn = std::make_unique<LibpqConnection>(raw);
  // The cell parsers read ISO dates and postgres-style intervals; make sure the
  // server writes them so whatever the role or database defaults say.
  std::string setup;
  const char* datestyle = PQparameterStatus(raw, "DateStyle");
  if (datestyle == nullptr || std::strncmp(datestyle, "ISO", 3) != 0)
    setup += "SET DateStyle TO 'ISO';";
  const char* intervalstyle = PQparameterStatus(raw, "IntervalStyle");
  if (intervalstyle == nullptr || std::strcmp(intervalstyle, "postgres") != 0)
    setup += "SET IntervalStyle TO 'postgres';";
  if (!setup.empty()) conn->exec(setup);
  return conn;
}

LibpqConnection::LibpqConnection(PGconn* conn)
    : conn_(conn), self_(std::make_shared<LibpqConnection*>(this)) {}

LibpqConnection::~LibpqConnection() {
  close();
  *self_ = nullptr;
}

PGconn* LibpqConnection::pg() const {
  if (conn_ == nullptr) raise_closed();
  return conn_;
}

std::unique_ptr<DriverCursor> LibpqConnection::cursor() {
  pg();
  return std::make_unique<LibpqCursor>(self_);
}

void LibpqConnection::before_command(const LibpqCursor* requester) {
  pg();
  if (stream_ != nullptr && stream_ != requester) stream_->buffer_rest();
  if (!to_deallocate_.empty() && PQtransactionStatus(conn_) == PQTRANS_IDLE) deallocate_evicted();
}

// Only outside a transaction: a DEALLOCATE that fails (the statement is already
// gone) must not abort the caller's transaction, and there it cannot.
void LibpqConnection::deallocate_evicted() noexcept {
  try {
    std::string sql;
    for (const auto& name : to_deallocate_) sql += "DEALLOCATE " + name + ";";
    ResultPtr r(PQexec(conn_, sql.c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      // One failure stops a multi-statement string; do the rest one by one.
      for (const auto& name : to_deallocate_) {
        std::string one = "DEALLOCATE " + name;
        ResultPtr r1(PQexec(conn_, one.c_str()));
      }
    }
  } catch (...) {
    // Out of memory building the SQL: the statements stay until the session ends.
  }
  to_deallocate_.clear();
}

const char* LibpqConnection::c_str(std::string_view sql) {
  if (contains_nul(sql))
    throw_dbapi_error(DBAPIErrorKind::programming_error,
                      "the SQL text contains a NUL (0x00) character; pass data as bound "
                      "parameters",
                      {}, 0, false);
  sql_buffer_.assign(sql);
  return sql_buffer_.c_str();
}

const std::string& LibpqConnection::prepared(std::string_view key, std::string_view sql,
                                             std::span<const Oid> types) {
  if (const std::string* name = statements_.find(key)) return *name;
  std::string name = "alc_" + std::to_string(++statement_counter_);
  ResultPtr r(
      PQprepare(conn_, name.c_str(), c_str(sql), static_cast<int>(types.size()), types.data()));
  if (!r) raise_connection_error(conn_, "could not prepare the statement");
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) raise_result_error(conn_, r.get());
  return statements_.insert(key, std::move(name), to_deallocate_);
}

void LibpqConnection::forget_statement(std::string_view key, bool still_exists) noexcept {
  try {
    if (still_exists)
      if (const std::string* name = statements_.find(key)) to_deallocate_.push_back(*name);
    statements_.erase(key);
  } catch (...) {
    statements_.erase(key);
  }
}

void LibpqConnection::note_simple_sql(std::string_view sql) noexcept {
  if (statements_.size() == 0) return;
  // DISCARD ALL / DEALLOCATE ALL drop our statements without telling us. A
  // false alarm (the word inside a literal) only costs re-preparing: the old
  // names are deallocated later, outside a transaction, where failing is harmless.
  auto has = [sql](std::string_view word) {
    auto it = std::search(sql.begin(), sql.end(), word.begin(), word.end(), [](char a, char b) {
      return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
    });
    return it != sql.end();
  };
  if (!has("discard") && !has("deallocate")) return;
  statements_.drain_names(to_deallocate_);
}

void LibpqConnection::run_simple(const char* sql, bool check_commit) {
  PGconn* pg = this->pg();
  before_command(nullptr);
  if (PQsendQuery(pg, sql) == 0) raise_connection_error(pg, "could not send the query");
  Collected got = collect(pg, nullptr);
  check(pg, got);
  // The server answers COMMIT with "ROLLBACK" when the transaction had already
  // failed; that must not look like a successful commit.
  if (check_commit && got.last && std::strcmp(PQcmdStatus(got.last.get()), "ROLLBACK") == 0)
    throw_dbapi_error(DBAPIErrorKind::internal_error,
                      "the server rolled back instead of committing because an earlier "
                      "statement in the transaction failed; nothing was committed. Call "
                      "rollback() and retry the transaction",
                      "25P02", 0, false);
}

void LibpqConnection::exec(std::string_view sql) {
  const char* text = c_str(sql);
  note_simple_sql(sql);
  run_simple(text, false);
}

void LibpqConnection::begin() { run_simple("BEGIN", false); }

void LibpqConnection::commit() { run_simple("COMMIT", true); }

void LibpqConnection::rollback() { run_simple("ROLLBACK", false); }

bool LibpqConnection::in_transaction() const {
  if (conn_ == nullptr) return false;
  const PGTransactionStatusType s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

void LibpqConnection::set_isolation_level(std::string_view level) {
  std::string upper;
  for (char ch : level)
    upper.push_back(ch == '_' ? ' '
                              : (ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch));
  static constexpr std::array<std::string_view, 4> kLevels{"READ COMMITTED", "READ UNCOMMITTED",
                                                           "REPEATABLE READ", "SERIALIZABLE"};
  if (std::find(kLevels.begin(), kLevels.end(), upper) == kLevels.end())
    throw ArgumentError("invalid isolation level '" + std::string(level) +
                        "' for PostgreSQL; use READ COMMITTED, READ UNCOMMITTED, "
                        "REPEATABLE READ or SERIALIZABLE (AUTOCOMMIT is handled by the engine)");
  const std::string sql = "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + upper;
  run_simple(sql.c_str(), false);
}

std::string LibpqConnection::get_isolation_level() {
  PGconn* pg = this->pg();
  before_command(nullptr);
  if (PQsendQuery(pg, "SHOW transaction_isolation") == 0)
    raise_connection_error(pg, "could not send the query");
  Collected got = collect(pg, nullptr);
  check(pg, got);
  if (!got.last || PQntuples(got.last.get()) != 1)
    throw_dbapi_error(DBAPIErrorKind::interface_error, "SHOW transaction_isolation returned no row",
                      {}, 0, false);
  std::string level = PQgetvalue(got.last.get(), 0, 0);
  for (char& ch : level)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  return level;
}

bool LibpqConnection::ping() noexcept {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return false;
  if (stream_ != nullptr) stream_->buffer_rest();
  // An empty query is the cheapest full round trip: the server answers
  // EmptyQueryResponse without parsing or planning anything.
  ResultPtr r(PQexec(conn_, ""));
  return r && PQresultStatus(r.get()) == PGRES_EMPTY_QUERY && PQstatus(conn_) == CONNECTION_OK;
}

bool LibpqConnection::is_closed() const noexcept {
  return conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD;
}

void LibpqConnection::close() noexcept {
  if (stream_ != nullptr) {
    stream_->abandon_stream();
    stream_ = nullptr;
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  statements_.clear();
  to_deallocate_.clear();
}

// ---------------------------------------------------------------- LibpqCursor

LibpqCursor::~LibpqCursor() { close(); }

LibpqConnection& LibpqCursor::connection() const {
  LibpqConnection* c = *conn_;
  if (c == nullptr || c->conn_ == nullptr) raise_closed();
  return *c;
}

void LibpqCursor::discard_stream() noexcept {
  LibpqConnection* c = *conn_;
  if (c == nullptr || c->stream_ != this) return;
  c->stream_ = nullptr;
  // Abandoning a stream means reading it to the end: cancelling instead would
  // fail the statement and with it the caller's transaction.
  while (PGresult* r = PQgetResult(c->conn_)) {
    const ExecStatusType s = PQresultStatus(r);
    PQclear(r);
    if (is_copy(s)) refuse_copy(c->conn_, s);
  }
}

void LibpqCursor::reset() noexcept {
  discard_stream();
  PQclear(res_);
  PQclear(tail_);
  res_ = nullptr;
  tail_ = nullptr;
  tail_error_ = nullptr;
  row_ = -1;
  nrows_ = 0;
  returns_rows_ = false;
  rowcount_ = -1;
  state_ = State::idle;
  stream_names_.clear();
}

void LibpqCursor::close() noexcept { reset(); }

void LibpqCursor::take_result(ResultPtr r) {
  state_ = State::buffered;
  const ExecStatusType s = PQresultStatus(r.get());
  returns_rows_ = s == PGRES_TUPLES_OK || s == PGRES_SINGLE_TUPLE;
  nrows_ = returns_rows_ ? PQntuples(r.get()) : 0;
  row_ = -1;
  rowcount_ = cmd_tuples(r.get());
  res_ = r.release();
}

bool LibpqCursor::start_results(LibpqConnection& c, bool stream, std::string_view key,
                                bool may_retry) {
  PGconn* pg = c.conn_;
  ResultPtr first;
  if (stream) {
    // Fails only when no command is in flight, which cannot be the case here;
    // the results would then simply arrive whole.
    PQsetSingleRowMode(pg);
    first.reset(PQgetResult(pg));
    if (first && PQresultStatus(first.get()) == PGRES_SINGLE_TUPLE) {
      state_ = State::streaming;
      returns_rows_ = true;
      const int n = PQnfields(first.get());
      stream_names_.reserve(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) stream_names_.emplace_back(PQfname(first.get(), i));
      res_ = first.release();
      row_ = -1;
      nrows_ = 1;
      c.stream_ = this;
      return true;
    }
  }
  Collected got = collect(pg, std::move(first));
  if (got.error && !key.empty()) {
    bool still_exists = false;
    if (is_stale_statement(got.error.get(), &still_exists)) {
      c.forget_statement(key, still_exists);
      if (may_retry) return false;
    }
  }
  check(pg, got);
  if (got.last) {
    take_result(std::move(got.last));
  } else {
    state_ = State::buffered;
  }
  return true;
}

void LibpqCursor::execute(std::string_view sql, std::span<const Value* const> params,
                          const CursorOptions& options) {
  reset();
  LibpqConnection& c = connection();
  c.before_command(this);
  PGconn* pg = c.conn_;
  if (params.empty()) {
    // Simple protocol: several statements allowed, nothing to prepare.
    const char* text = c.c_str(sql);
    c.note_simple_sql(sql);
    if (PQsendQuery(pg, text) == 0) raise_connection_error(pg, "could not send the query");
    start_results(c, options.stream_results, {}, false);
    return;
  }
  ParamBuffers& b = c.params_;
  encode_params(b, params, true);
  build_key(b, sql);
  // A statement that went stale can be re-prepared and re-run only when no
  // transaction was open: inside one, the failure has already aborted it.
  const bool may_retry = PQtransactionStatus(pg) == PQTRANS_IDLE;
  for (int attempt = 0;; ++attempt) {
    const std::string& name = c.prepared(b.key, sql, b.types);
    if (PQsendQueryPrepared(pg, name.c_str(), static_cast<int>(params.size()), b.values.data(),
                            b.lengths.data(), b.formats.data(), 0) == 0)
      raise_connection_error(pg, "could not send the query");
    if (start_results(c, options.stream_results, b.key, may_retry && attempt == 0)) return;
  }
}

void LibpqCursor::buffer_rest() noexcept {
  LibpqConnection* c = *conn_;
  if (c == nullptr || c->stream_ != this) return;
  c->stream_ = nullptr;
  state_ = State::buffered;
  PGconn* pg = c->conn_;
  // The remaining rows go into one result (PQsetvalue appends tuples to it),
  // which is far more compact than keeping one PGresult per row.
  PGresult* tail = nullptr;
  bool failed = false;
  while (PGresult* raw = PQgetResult(pg)) {
    ResultPtr r(raw);
    const ExecStatusType s = PQresultStatus(raw);
    if (s == PGRES_SINGLE_TUPLE && !failed) {
      if (tail == nullptr) tail = PQcopyResult(raw, PG_COPYRES_ATTRS);
      const int nf = PQnfields(raw);
      const int t = tail == nullptr ? 0 : PQntuples(tail);
      bool ok = tail != nullptr;
      for (int f = 0; ok && f < nf; ++f) {
        ok = PQgetisnull(raw, 0, f)
                 ? PQsetvalue(tail, t, f, nullptr, -1) != 0
                 : PQsetvalue(tail, t, f, PQgetvalue(raw, 0, f), PQgetlength(raw, 0, f)) != 0;
      }
      if (!ok) {
        failed = true;
        tail_error_ = std::make_exception_ptr(std::bad_alloc());
      }
    } else if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
      rowcount_ = cmd_tuples(raw);
    } else if (is_copy(s)) {
      refuse_copy(pg, s);
    } else if (s != PGRES_SINGLE_TUPLE && s != PGRES_EMPTY_QUERY && !tail_error_) {
      // Reported when the reader reaches this point of the stream.
      try {
        raise_result_error(pg, raw);
      } catch (...) {
        tail_error_ = std::current_exception();
      }
    }
  }
  if (!tail_error_ && PQstatus(pg) == CONNECTION_BAD) {
    try {
      raise_result_error(pg, nullptr);
    } catch (...) {
      tail_error_ = std::current_exception();
    }
  }
  tail_ = tail;
}

void LibpqCursor::abandon_stream() noexcept { state_ = State::buffered; }

bool LibpqCursor::fetch_next() {
  if (row_ + 1 < nrows_) {
    ++row_;
    return true;
  }
  if (tail_ != nullptr) {
    PQclear(res_);
    res_ = std::exchange(tail_, nullptr);
    row_ = -1;
    nrows_ = PQntuples(res_);
    if (nrows_ > 0) {
      row_ = 0;
      return true;
    }
  }
  if (tail_error_) {
    row_ = nrows_;
    std::rethrow_exception(std::exchange(tail_error_, nullptr));
  }
  if (state_ == State::streaming) {
    LibpqConnection* c = *conn_;
    if (c == nullptr || c->stream_ != this) {
      state_ = State::buffered;
      row_ = nrows_;
      return false;
    }
    PGconn* pg = c->conn_;
    ResultPtr r(PQgetResult(pg));
    if (r && PQresultStatus(r.get()) == PGRES_SINGLE_TUPLE) {
      PQclear(res_);
      res_ = r.release();
      row_ = 0;
      nrows_ = 1;
      return true;
    }
    // The end of the stream: its final (row-less) result, an error, or a
    // connection that broke. Rows of later statements in the same string are
    // not part of the stream.
    c->stream_ = nullptr;
    state_ = State::buffered;
    Collected got = collect(pg, std::move(r));
    PQclear(res_);
    res_ = nullptr;
    row_ = 0;
    nrows_ = 0;
    check(pg, got);
    if (got.last) {
      rowcount_ = cmd_tuples(got.last.get());
      res_ = got.last.release();
    }
    return false;
  }
  row_ = nrows_;
  return false;
}

std::size_t LibpqCursor::column_count() const {
  if (!stream_names_.empty()) return stream_names_.size();
  return res_ == nullptr ? 0 : static_cast<std::size_t>(PQnfields(res_));
}

std::string_view LibpqCursor::column_name(std::size_t i) const {
  if (i >= column_count())
    throw NoSuchColumnError("no column at index " + std::to_string(i) + "; the result has " +
                            std::to_string(column_count()) + " columns");
  if (!stream_names_.empty()) return stream_names_[i];
  return PQfname(res_, static_cast<int>(i));
}

void LibpqCursor::check_row(std::size_t i) const {
  if (res_ == nullptr || row_ < 0 || row_ >= nrows_)
    throw InvalidRequestError("no current row: call fetch_next() and check that it returned true");
  if (i >= static_cast<std::size_t>(PQnfields(res_)))
    throw NoSuchColumnError("no column at index " + std::to_string(i) + "; the result has " +
                            std::to_string(PQnfields(res_)) + " columns");
}

const char* LibpqCursor::cell(std::size_t i, int* len, std::string_view wanted) const {
  check_row(i);
  const int col = static_cast<int>(i);
  // A NULL cell has length 0: only an empty cell needs the PQgetisnull() probe.
  *len = PQgetlength(res_, row_, col);
  if (*len == 0 && PQgetisnull(res_, row_, col)) detail::throw_null_value(wanted);
  return PQgetvalue(res_, row_, col);
}

bool LibpqCursor::is_null(std::size_t i) const {
  check_row(i);
  return PQgetisnull(res_, row_, static_cast<int>(i)) != 0;
}

std::int64_t LibpqCursor::get_int64(std::size_t i) const {
  int len = 0;
  const char* s = cell(i, &len, "std::int64_t");
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s, s + len, v);
  if (ec == std::errc{} && p == s + len) return v;
  return get_value(i).as<std::int64_t>();
}

double LibpqCursor::get_double(std::size_t i) const {
  int len = 0;
  const char* s = cell(i, &len, "double");
  double v = 0;
  auto [p, ec] = std::from_chars(s, s + len, v);
  if (ec == std::errc{} && p == s + len) return v;
  return get_value(i).as<double>();
}

bool LibpqCursor::get_bool(std::size_t i) const {
  int len = 0;
  const char* s = cell(i, &len, "bool");
  if (len == 1 && (s[0] == 't' || s[0] == 'f')) return s[0] == 't';
  return get_value(i).as<bool>();
}

std::string_view LibpqCursor::get_text(std::size_t i) const {
  int len = 0;
  const char* s = cell(i, &len, "std::string");
  return {s, static_cast<std::size_t>(len)};
}

Value LibpqCursor::get_value(std::size_t i) const {
  check_row(i);
  const int col = static_cast<int>(i);
  if (PQgetisnull(res_, row_, col)) return Value();
  const char* s = PQgetvalue(res_, row_, col);
  const int len = PQgetlength(res_, row_, col);
  try {
    return parse_cell(PQftype(res_, col), s, len);
  } catch (const ArgumentError&) {
    // Values outside what the Value types model ('infinity' timestamps, year
    // 10000, "24:00:00") come back as their text rather than failing the row.
    return Value(std::string(s, static_cast<std::size_t>(len)));
  }
}

// ---------------------------------------------------------------- executemany

void LibpqCursor::executemany(std::string_view sql, const ParamBatch& batch) {
  reset();
  LibpqConnection& c = connection();
  c.before_command(this);
  state_ = State::buffered;
  rowcount_ = 0;
  if (batch.size() == 0) return;
  for (int attempt = 0;; ++attempt) {
    rowcount_ = 0;
    if (run_pipeline(c, sql, batch, attempt == 0)) return;
  }
}

// One executemany attempt in libpq pipeline mode. Returns false when the cached
// statement was stale before any row ran and the whole batch may be retried.
//
// Inside a transaction, a Sync closes each chunk of kPipelineChunk rows, and one
// chunk is kept in flight while the previous chunk's results are read, so the
// server never waits for us (a failure aborts the transaction, so rows sent
// after it do nothing). In autocommit every row is its own transaction: each is
// sent with its own Sync only after the previous one succeeded, so the batch
// stops at the first failing row exactly as it would without pipelining.
bool LibpqCursor::run_pipeline(LibpqConnection& c, std::string_view sql, const ParamBatch& batch,
                               bool may_retry) {
  PGconn* pg = c.conn_;
  ParamBuffers& b = c.params_;
  const std::size_t n = batch.size();
  const std::size_t width = batch.width();
  b.row.assign(width, nullptr);
  // The first row decides the parameter types (bytea for Bytes) and so the
  // prepared statement; encode_params adapts later rows to those types.
  batch.fill(0, b.row.data());
  encode_params(b, b.row, true);
  build_key(b, sql);
  const bool autocommit = PQtransactionStatus(pg) == PQTRANS_IDLE;
  const std::size_t chunk = autocommit ? 1 : kPipelineChunk;
  const std::string name = c.prepared(b.key, sql, b.types);
  if (PQenterPipelineMode(pg) == 0) raise_connection_error(pg, "could not enter pipeline mode");

  std::size_t sent = 0;
  std::size_t received = 0;
  std::size_t succeeded = 0;
  bool stop_sending = false;
  ResultPtr first_error;
  std::size_t error_row = n;
  std::exception_ptr local_error;  // a row that could not even be sent
  std::size_t local_error_row = n;
  const int nparams = static_cast<int>(width);

  auto sync_follows = [&](std::size_t row) {
    return autocommit || (row + 1) % chunk == 0 || row + 1 == n ||
           (stop_sending && row + 1 == sent);
  };
  auto send_chunk = [&] {
    const std::size_t chunk_start = sent;
    const std::size_t end = std::min(n, (sent / chunk + 1) * chunk);
    try {
      while (sent < end) {
        if (sent > 0) {
          batch.fill(sent, b.row.data());
          encode_params(b, b.row, false);
        }
        if (PQsendQueryPrepared(pg, name.c_str(), nparams, b.values.data(), b.lengths.data(),
                                b.formats.data(), 0) == 0)
          raise_connection_error(pg, "could not send the query");
        ++sent;
        if (sync_follows(sent - 1) && PQpipelineSync(pg) == 0)
          raise_connection_error(pg, "could not send the pipeline sync");
      }
    } catch (...) {
      if (PQstatus(pg) == CONNECTION_BAD) throw;
      local_error = std::current_exception();
      local_error_row = sent;
      stop_sending = true;
      // Close the partial chunk so its results can be read to a Sync.
      if (!autocommit && sent > chunk_start && (sent % chunk) != 0 &&
          PQpipelineSync(pg) == 0)
        raise_connection_error(pg, "could not send the pipeline sync");
    }
  };
  auto unexpected = [&] {
    if (PQstatus(pg) == CONNECTION_BAD) raise_result_error(pg, nullptr);
    // We no longer know where the pipeline stands, so the connection cannot be
    // trusted: close it and report a disconnect so the pool discards it.
    c.close();
    throw_dbapi_error(DBAPIErrorKind::interface_error,
                      "unexpected result sequence from libpq in pipeline mode; the connection "
                      "was closed",
                      {}, 0, true);
  };
  auto read_row = [&](std::size_t row) {
    ResultPtr r(PQgetResult(pg));
    if (!r) unexpected();
    switch (PQresultStatus(r.get())) {
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
        rowcount_ += std::max<std::int64_t>(cmd_tuples(r.get()), 0);
        ++succeeded;
        break;
      case PGRES_PIPELINE_ABORTED:
        break;
      case PGRES_PIPELINE_SYNC:
        unexpected();
        break;
      default:
        if (!first_error) {
          first_error = std::move(r);
          error_row = row;
          stop_sending = true;
        }
        break;
    }
    // NULL ends each query's results in pipeline mode.
    if (ResultPtr extra{PQgetResult(pg)}) unexpected();
    if (sync_follows(row)) {
      ResultPtr s(PQgetResult(pg));
      if (!s || PQresultStatus(s.get()) != PGRES_PIPELINE_SYNC) unexpected();
    }
  };

  send_chunk();
  while (received < sent) {
    if (!autocommit && !stop_sending && sent < n) send_chunk();  // keep one chunk in flight
    const std::size_t end = std::min(sent, (received / chunk + 1) * chunk);
    for (; received < end; ++received) read_row(received);
    if (autocommit && !stop_sending && sent < n) send_chunk();  // next row only after success
  }
  if (PQexitPipelineMode(pg) == 0) unexpected();

  if (first_error && error_row < local_error_row) {
    bool still_exists = false;
    if (is_stale_statement(first_error.get(), &still_exists)) {
      c.forget_statement(b.key, still_exists);
      // Safe to run the whole batch again only if no row took effect.
      if (may_retry && autocommit && succeeded == 0) return false;
    }
    raise_result_error(pg, first_error.get());
  }
  if (local_error) std::rethrow_exception(local_error);
  return true;
}

}  // namespace alchemy::dialects::postgresql
