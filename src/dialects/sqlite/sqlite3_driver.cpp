// The SQLite driver over the sqlite3 C API. See sqlite3_driver.hpp.
//
// Behaviour follows CPython's sqlite3 module (pysqlite) where SQLAlchemy relies
// on it: the "one statement at a time" and bind-count checks, rowcount only for
// DML, commit()/rollback() as no-ops outside a transaction.
#include "dialects/sqlite/sqlite3_driver.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <utility>
#include <variant>

#include "alchemy/exc.hpp"
#include "dialects/sqlite/error_map.hpp"

namespace alchemy::dialects::sqlite {

namespace {

// Index of the first character of `sql` at or after `pos` that is not
// whitespace, a comment or an empty statement (';'); sql.size() when there is
// none. Same rules as CPython's lstrip_sql (Modules/_sqlite/statement.c), plus
// stray semicolons, which SQLite treats as empty statements.
std::size_t skip_blank(std::string_view sql, std::size_t pos = 0) {
  const std::size_t n = sql.size();
  while (pos < n) {
    const char c = sql[pos];
    if (c == ' ' || c == '\t' || c == '\f' || c == '\n' || c == '\r' || c == ';') {
      ++pos;
    } else if (c == '-' && pos + 1 < n && sql[pos + 1] == '-') {
      pos += 2;
      while (pos < n && sql[pos] != '\n') ++pos;
    } else if (c == '/' && pos + 1 < n && sql[pos + 1] == '*') {
      pos += 2;
      while (pos < n && !(sql[pos] == '*' && pos + 1 < n && sql[pos + 1] == '/')) ++pos;
      if (pos >= n) return n;  // an unterminated comment runs to the end
      pos += 2;
    } else {
      return pos;
    }
  }
  return n;
}

bool is_blank(std::string_view sql) { return skip_blank(sql) == sql.size(); }

bool keyword_is(std::string_view word, std::string_view upper) {
  if (word.size() != upper.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(word[i])) != upper[i]) return false;
  return true;
}

// Whether sqlite3_changes64() is meaningful after this statement (pysqlite's
// is_dml). A leading WITH can only introduce SELECT or DML; callers combine
// this with sqlite3_stmt_readonly(), which is true for a plain SELECT.
bool detect_dml(std::string_view sql) {
  std::size_t pos = skip_blank(sql);
  std::size_t end = pos;
  while (end < sql.size() && std::isalpha(static_cast<unsigned char>(sql[end]))) ++end;
  const std::string_view word = sql.substr(pos, end - pos);
  return keyword_is(word, "INSERT") || keyword_is(word, "UPDATE") || keyword_is(word, "DELETE") ||
         keyword_is(word, "REPLACE") || keyword_is(word, "WITH");
}

std::string bindings_message(std::size_t uses, std::size_t supplied) {
  return fmt::format(
      "Incorrect number of bindings supplied. The current statement uses {}, and there are {} "
      "supplied.",
      uses, supplied);
}

constexpr const char* kOneStatement = "You can only execute one statement at a time.";

int bind_text(sqlite3_stmt* st, int idx, std::string_view s, sqlite3_destructor_type mode) {
  // A non-null pointer even for "": a null pointer would bind NULL.
  return sqlite3_bind_text64(st, idx, s.empty() ? "" : s.data(), s.size(), mode, SQLITE_UTF8);
}

// Binds one value at 1-based `idx`. `mode` is SQLITE_TRANSIENT when the value
// may die before the statement is stepped to completion, SQLITE_STATIC when
// the caller keeps it alive (executemany). Values rendered to temporary text
// (calendar types, UUID) are always copied.
int bind_value(sqlite3_stmt* st, int idx, const Value& v, sqlite3_destructor_type mode) {
  const auto& s = v.storage();
  switch (v.kind()) {
    case ValueKind::null:
      return sqlite3_bind_null(st, idx);
    case ValueKind::boolean:
      return sqlite3_bind_int64(st, idx, *std::get_if<bool>(&s) ? 1 : 0);
    case ValueKind::integer:
      return sqlite3_bind_int64(st, idx, *std::get_if<std::int64_t>(&s));
    case ValueKind::floating: {
      const double d = *std::get_if<double>(&s);
      // SQLite stores NaN as NULL; refuse rather than lose the value silently.
      if (std::isnan(d))
        raise_data_error(
            "SQLite cannot store NaN (it would be stored as NULL); bind NULL explicitly, or keep "
            "NaN as text");
      return sqlite3_bind_double(st, idx, d);
    }
    case ValueKind::text:
      return bind_text(st, idx, *std::get_if<std::string>(&s), mode);
    case ValueKind::bytes: {
      const Bytes& b = *std::get_if<Bytes>(&s);
      if (b.empty()) return sqlite3_bind_zeroblob(st, idx, 0);
      return sqlite3_bind_blob64(st, idx, b.data(), b.size(), mode);
    }
    case ValueKind::decimal:
      // Text keeps every digit; SQLite's NUMERIC affinity may still convert it.
      return bind_text(st, idx, std::get_if<Decimal>(&s)->str(), mode);
    case ValueKind::date:
      return bind_text(st, idx, std::get_if<Date>(&s)->isoformat(), SQLITE_TRANSIENT);
    case ValueKind::time:
      return bind_text(st, idx, std::get_if<Time>(&s)->isoformat(), SQLITE_TRANSIENT);
    case ValueKind::datetime:
      return bind_text(st, idx, std::get_if<DateTime>(&s)->isoformat(' '), SQLITE_TRANSIENT);
    case ValueKind::interval:
      return bind_text(st, idx, std::get_if<Interval>(&s)->str(), SQLITE_TRANSIENT);
    case ValueKind::uuid:
      return bind_text(st, idx, std::get_if<Uuid>(&s)->str(), SQLITE_TRANSIENT);
    case ValueKind::json:
      return bind_text(st, idx, std::get_if<Json>(&s)->text, mode);
  }
  return sqlite3_bind_null(st, idx);
}

}  // namespace

// ---------------------------------------------------------------------------
// connect

std::unique_ptr<DriverConnection> connect(const ConnectParams& params) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (params.uri) flags |= SQLITE_OPEN_URI;
  const int rc = sqlite3_open_v2(params.filename.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw_dbapi_error(DBAPIErrorKind::operational_error,
                      fmt::format("unable to open database file '{}': {}", params.filename, msg),
                      /*sqlstate=*/"", code, /*is_disconnect=*/false);
  }
  sqlite3_extended_result_codes(db, 1);
  const double ms = std::round(params.timeout * 1000.0);
  sqlite3_busy_timeout(db, ms >= static_cast<double>(INT_MAX) ? INT_MAX : static_cast<int>(ms));
  try {
    return std::make_unique<SQLite3Connection>(db, params.cached_statements);
  } catch (...) {
    sqlite3_close_v2(db);
    throw;
  }
}

// ---------------------------------------------------------------------------
// SQLite3Connection

SQLite3Connection::SQLite3Connection(sqlite3* db, std::size_t cache_capacity)
    : db_(db), capacity_(cache_capacity) {
  index_.reserve(std::min<std::size_t>(cache_capacity, 1024));
}

SQLite3Connection::~SQLite3Connection() { close(); }

std::unique_ptr<DriverCursor> SQLite3Connection::cursor() {
  if (db_ == nullptr) raise_closed_database();
  auto c = std::make_unique<SQLite3Cursor>(this);
  register_cursor(c.get());
  return c;
}

void SQLite3Connection::unregister_cursor(SQLite3Cursor* c) noexcept {
  auto it = std::find(cursors_.begin(), cursors_.end(), c);
  if (it == cursors_.end()) return;
  *it = cursors_.back();
  cursors_.pop_back();
}

PreparedStatement* SQLite3Connection::acquire(std::string_view sql, bool allow_cache,
                                              PreparedStatement& scratch, std::string_view& tail) {
  if (db_ == nullptr) raise_closed_database();
  tail = {};
  const bool use_cache = allow_cache && capacity_ > 0;
  bool busy_hit = false;
  if (use_cache) {
    auto it = index_.find(sql);
    if (it != index_.end()) {
      auto node = it->second;
      if (!node->in_use) {
        cache_.splice(cache_.begin(), cache_, node);
        node->in_use = true;
        return &*node;
      }
      // Lent to another open cursor: this execution gets its own statement.
      busy_hit = true;
    }
  }

  scratch = PreparedStatement{};
  scratch.in_use = true;
  if (sql.empty()) return &scratch;
  if (sql.size() > static_cast<std::size_t>(INT_MAX))
    raise_sqlite_error(SQLITE_TOOBIG, "query string is too large");

  const bool want_cache = use_cache && !busy_hit;
  sqlite3_stmt* stmt = nullptr;
  const char* tail_ptr = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    want_cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, &tail_ptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    raise_from_db(db_);
  }
  const std::size_t used =
      tail_ptr != nullptr ? static_cast<std::size_t>(tail_ptr - sql.data()) : sql.size();
  tail = sql.substr(used);

  PreparedStatement info;
  info.stmt = stmt;
  info.readonly = stmt == nullptr || sqlite3_stmt_readonly(stmt) != 0;
  info.is_dml = stmt != nullptr && !info.readonly && detect_dml(sql.substr(0, used));
  info.in_use = true;

  if (want_cache && stmt != nullptr && is_blank(tail)) {
    bool room = cache_.size() < capacity_;
    if (!room) {
      // Evict the least recently used statement no cursor is holding.
      for (auto it = cache_.end(); it != cache_.begin();) {
        --it;
        if (it->in_use) continue;
        index_.erase(std::string_view(it->sql));
        sqlite3_finalize(it->stmt);
        cache_.erase(it);
        room = true;
        break;
      }
    }
    if (room) {
      info.cached = true;
      info.sql.assign(sql.data(), sql.size());
      cache_.push_front(std::move(info));
      index_.emplace(std::string_view(cache_.front().sql), cache_.begin());
      return &cache_.front();
    }
  }
  scratch = std::move(info);
  return &scratch;
}

void SQLite3Connection::release(PreparedStatement* ps) noexcept {
  if (ps == nullptr) return;
  if (ps->cached) {
    if (ps->stmt != nullptr && db_ != nullptr) {
      sqlite3_reset(ps->stmt);
      sqlite3_clear_bindings(ps->stmt);
    }
    ps->in_use = false;
  } else {
    sqlite3_finalize(ps->stmt);
    ps->stmt = nullptr;
    ps->in_use = false;
  }
}

void SQLite3Connection::run_to_completion(PreparedStatement* ps) {
  if (ps->stmt == nullptr) return;
  for (;;) {
    const int rc = sqlite3_step(ps->stmt);
    if (rc == SQLITE_ROW) continue;
    if (rc == SQLITE_DONE) return;
    const int code = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    release(ps);
    raise_sqlite_error(code, std::move(msg));
  }
}

void SQLite3Connection::run_script(std::string_view sql) {
  if (db_ == nullptr) raise_closed_database();
  std::string_view rest = sql;
  bool whole = true;
  for (;;) {
    PreparedStatement scratch;
    std::string_view tail;
    PreparedStatement* ps = acquire(rest, whole, scratch, tail);
    whole = false;
    run_to_completion(ps);  // releases on error
    release(ps);
    if (is_blank(tail)) return;
    rest = tail;
  }
}

void SQLite3Connection::exec(std::string_view sql) { run_script(sql); }

void SQLite3Connection::begin() { run_script("BEGIN"); }

void SQLite3Connection::commit() {
  // As pysqlite: nothing to commit outside a transaction.
  if (in_transaction()) run_script("COMMIT");
}

void SQLite3Connection::rollback() {
  if (in_transaction()) run_script("ROLLBACK");
}

bool SQLite3Connection::in_transaction() const {
  return db_ != nullptr && sqlite3_get_autocommit(db_) == 0;
}

void SQLite3Connection::set_isolation_level(std::string_view level) {
  // SQLAlchemy's SQLiteDialect.set_isolation_level: the only knob SQLite has.
  if (level == "READ UNCOMMITTED") {
    run_script("PRAGMA read_uncommitted = 1");
  } else if (level == "SERIALIZABLE") {
    run_script("PRAGMA read_uncommitted = 0");
  } else {
    throw ArgumentError(
        fmt::format("Invalid value '{}' for isolation_level. Valid isolation levels for sqlite are "
                    "AUTOCOMMIT, READ UNCOMMITTED, SERIALIZABLE",
                    level));
  }
}

std::string SQLite3Connection::get_isolation_level() {
  auto c = cursor();
  c->execute("PRAGMA read_uncommitted", {}, CursorOptions{});
  const std::int64_t v = c->fetch_next() ? c->get_int64(0) : 0;
  c->close();
  return v != 0 ? "READ UNCOMMITTED" : "SERIALIZABLE";
}

bool SQLite3Connection::ping() noexcept { return db_ != nullptr; }

void SQLite3Connection::close() noexcept {
  if (db_ == nullptr) return;
  for (SQLite3Cursor* c : cursors_) c->detach();
  cursors_.clear();
  index_.clear();
  for (PreparedStatement& ps : cache_) sqlite3_finalize(ps.stmt);
  cache_.clear();
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

// ---------------------------------------------------------------------------
// SQLite3Cursor

SQLite3Cursor::~SQLite3Cursor() {
  close();
  if (conn_ != nullptr) conn_->unregister_cursor(this);
}

void SQLite3Cursor::detach() noexcept {
  // The connection finalizes cached statements itself; ours is ours.
  if (ps_ == &own_) {
    sqlite3_finalize(own_.stmt);
    own_.stmt = nullptr;
  }
  ps_ = nullptr;
  conn_ = nullptr;
  pending_row_ = has_row_ = false;
  done_ = true;
}

sqlite3* SQLite3Cursor::db() const {
  if (conn_ == nullptr || conn_->db_ == nullptr) raise_closed_database();
  return conn_->db_;
}

void SQLite3Cursor::close() noexcept {
  if (ps_ != nullptr && conn_ != nullptr) conn_->release(ps_);
  ps_ = nullptr;
  pending_row_ = has_row_ = false;
  done_ = true;
}

void SQLite3Cursor::fail() {
  sqlite3* h = conn_->db_;
  const int code = sqlite3_extended_errcode(h);
  std::string msg = sqlite3_errmsg(h);
  close();
  raise_sqlite_error(code, std::move(msg));
}

void SQLite3Cursor::step_first() {
  pending_row_ = has_row_ = false;
  done_ = true;
  ncols_ = 0;
  if (ps_ == nullptr || ps_->stmt == nullptr) return;
  sqlite3* h = conn_->db_;
  ncols_ = static_cast<std::size_t>(sqlite3_column_count(ps_->stmt));
  if (text_scratch_.size() < ncols_) text_scratch_.resize(ncols_);
  const int rc = sqlite3_step(ps_->stmt);
  if (rc == SQLITE_ROW) {
    pending_row_ = true;
    done_ = false;
    if (!ps_->readonly) lastrowid_ = sqlite3_last_insert_rowid(h);
    return;
  }
  if (rc == SQLITE_DONE) {
    if (!ps_->readonly) lastrowid_ = sqlite3_last_insert_rowid(h);
    if (ps_->is_dml) rowcount_ = sqlite3_changes64(h);
    return;
  }
  fail();
}

void SQLite3Cursor::execute(std::string_view sql, std::span<const Value* const> params,
                            const CursorOptions& options) {
  (void)options;  // SQLite always steps row by row
  close();
  many_ = false;
  ncols_ = 0;
  rowcount_ = -1;
  lastrowid_.reset();
  (void)db();  // throws when the connection is closed

  if (!params.empty()) {
    std::string_view tail;
    ps_ = conn_->acquire(sql, /*allow_cache=*/true, own_, tail);
    if (!is_blank(tail)) {
      close();
      raise_programming_error(kOneStatement);
    }
    const std::size_t uses = ps_->stmt != nullptr
                                 ? static_cast<std::size_t>(sqlite3_bind_parameter_count(ps_->stmt))
                                 : 0;
    if (uses != params.size()) {
      close();
      raise_programming_error(bindings_message(uses, params.size()));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (bind_value(ps_->stmt, static_cast<int>(i + 1), *params[i], SQLITE_TRANSIENT) != SQLITE_OK)
        fail();
    }
    step_first();
    return;
  }

  // No parameters: run every statement in order; the last one is the result.
  std::string_view rest = sql;
  bool whole = true;
  for (;;) {
    std::string_view tail;
    ps_ = conn_->acquire(rest, /*allow_cache=*/whole, own_, tail);
    whole = false;
    if (ps_->stmt != nullptr) {
      const int uses = sqlite3_bind_parameter_count(ps_->stmt);
      if (uses != 0) {
        close();
        raise_programming_error(bindings_message(static_cast<std::size_t>(uses), 0));
      }
    }
    if (is_blank(tail)) {
      step_first();
      return;
    }
    PreparedStatement* ps = ps_;
    ps_ = nullptr;
    conn_->run_to_completion(ps);  // releases on error
    conn_->release(ps);
    rest = tail;
  }
}

void SQLite3Cursor::executemany(std::string_view sql, const ParamBatch& batch) {
  close();
  many_ = true;
  ncols_ = 0;
  rowcount_ = -1;
  lastrowid_.reset();
  sqlite3* h = db();

  std::string_view tail;
  ps_ = conn_->acquire(sql, /*allow_cache=*/true, own_, tail);
  if (!is_blank(tail)) {
    close();
    raise_programming_error(kOneStatement);
  }
  sqlite3_stmt* st = ps_->stmt;
  const std::size_t width = batch.width();
  const std::size_t uses =
      st != nullptr ? static_cast<std::size_t>(sqlite3_bind_parameter_count(st)) : 0;
  if (uses != width) {
    close();
    raise_programming_error(bindings_message(uses, width));
  }
  if (st == nullptr) {
    close();
    return;
  }
  batch_ptrs_.resize(width);
  const Value** ptrs = batch_ptrs_.data();
  const bool is_dml = ps_->is_dml;
  std::int64_t total = 0;
  const std::size_t n = batch.size();
  for (std::size_t row = 0; row < n; ++row) {
    try {
      batch.fill(row, ptrs);
    } catch (...) {
      close();
      throw;
    }
    for (std::size_t k = 0; k < width; ++k) {
      if (bind_value(st, static_cast<int>(k + 1), *ptrs[k], SQLITE_STATIC) != SQLITE_OK) fail();
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) fail();
    if (is_dml) {
      total += sqlite3_changes64(h);
      batch.row_done(row, sqlite3_last_insert_rowid(h));
    }
    sqlite3_reset(st);
  }
  if (!ps_->readonly) lastrowid_ = sqlite3_last_insert_rowid(h);
  rowcount_ = is_dml ? total : -1;
  close();
}

bool SQLite3Cursor::returns_rows() const { return !many_ && ncols_ > 0; }

std::size_t SQLite3Cursor::column_count() const { return many_ ? 0 : ncols_; }

std::string_view SQLite3Cursor::column_name(std::size_t i) const {
  if (ps_ == nullptr || ps_->stmt == nullptr) throw ResourceClosedError("This cursor is closed.");
  if (i >= ncols_)
    throw NoSuchColumnError(
        fmt::format("No column at index {} (the result has {} columns)", i, ncols_));
  const char* name = sqlite3_column_name(ps_->stmt, static_cast<int>(i));
  return name != nullptr ? std::string_view(name) : std::string_view();
}

bool SQLite3Cursor::fetch_next() {
  if (pending_row_) {
    pending_row_ = false;
    has_row_ = true;
    return true;
  }
  has_row_ = false;
  if (done_ || ps_ == nullptr || ps_->stmt == nullptr) return false;
  const int rc = sqlite3_step(ps_->stmt);
  if (rc == SQLITE_ROW) {
    has_row_ = true;
    return true;
  }
  if (rc == SQLITE_DONE) {
    done_ = true;
    // RETURNING: the changes are known once the rows are exhausted.
    if (ps_->is_dml) rowcount_ = sqlite3_changes64(conn_->db_);
    return false;
  }
  fail();
}

void SQLite3Cursor::check_cell(std::size_t i) const {
  if (!has_row_) throw InvalidRequestError("No current row: call fetch_next() first");
  if (i >= ncols_)
    throw NoSuchColumnError(
        fmt::format("No column at index {} (the result has {} columns)", i, ncols_));
}

// One cell of the current row. sqlite3_column_value() does the statement's
// API bookkeeping once per cell; the sqlite3_value_*() reads after it do none
// (sqlite3_column_text() and friends repeat it per call, a third of the cost of
// reading a wide row). SQLite calls such a value unprotected, which matters
// only when another thread uses the connection at the same time: a Connection
// belongs to one thread, and connections are opened SQLITE_OPEN_NOMUTEX.
sqlite3_value* SQLite3Cursor::cell(std::size_t i) const {
  check_cell(i);
  return sqlite3_column_value(ps_->stmt, static_cast<int>(i));
}

bool SQLite3Cursor::is_null(std::size_t i) const {
  return sqlite3_value_type(cell(i)) == SQLITE_NULL;
}

std::int64_t SQLite3Cursor::get_int64(std::size_t i) const {
  sqlite3_value* v = cell(i);
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return sqlite3_value_int64(v);
    case SQLITE_NULL:
      detail::throw_null_value("std::int64_t");
    default:
      return get_value(i).as<std::int64_t>();
  }
}

double SQLite3Cursor::get_double(std::size_t i) const {
  sqlite3_value* v = cell(i);
  switch (sqlite3_value_type(v)) {
    case SQLITE_FLOAT:
    case SQLITE_INTEGER:
      return sqlite3_value_double(v);
    case SQLITE_NULL:
      detail::throw_null_value("double");
    default:
      return get_value(i).as<double>();
  }
}

bool SQLite3Cursor::get_bool(std::size_t i) const {
  sqlite3_value* v = cell(i);
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return sqlite3_value_int64(v) != 0;
    case SQLITE_NULL:
      detail::throw_null_value("bool");
    default:
      return get_value(i).as<bool>();
  }
}

std::string_view SQLite3Cursor::get_text(std::size_t i) const {
  sqlite3_value* v = cell(i);
  switch (sqlite3_value_type(v)) {
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      const int n = sqlite3_value_bytes(v);
      return p != nullptr ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
    }
    case SQLITE_NULL:
      detail::throw_null_value("std::string");
    default:
      // Numbers and blobs are rendered the way Value renders them, into a
      // per-column buffer that lives until the next fetch_next() or close().
      text_scratch_[i] = get_value(i).as<std::string>();
      return text_scratch_[i];
  }
}

Value SQLite3Cursor::get_value(std::size_t i) const {
  sqlite3_value* v = cell(i);
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      return Value(static_cast<std::int64_t>(sqlite3_value_int64(v)));
    case SQLITE_FLOAT:
      return Value(sqlite3_value_double(v));
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      const int n = sqlite3_value_bytes(v);
      return Value(p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string());
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const std::uint8_t*>(sqlite3_value_blob(v));
      const int n = sqlite3_value_bytes(v);
      return Value(p != nullptr ? Bytes(p, p + n) : Bytes());
    }
    default:
      return Value();
  }
}

}  // namespace alchemy::dialects::sqlite
