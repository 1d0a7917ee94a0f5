// Connection, Transaction, NestedTransaction and the execution path
// (ConnectionCore). Engine::connect() is here too.
#include "alchemy/engine/connection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "alchemy/core/schema.hpp"
#include "alchemy/core/types.hpp"
#include "alchemy/exc.hpp"
#include "engine/internal.hpp"

namespace alchemy {

namespace detail {

namespace {
using Clock = std::chrono::steady_clock;

// Parameter pointers for one execution; no heap allocation for the common case.
class BindArray {
 public:
  explicit BindArray(std::size_t n) : n_(n) {
    if (n > small_.size()) heap_.resize(n);
  }
  const Value** data() { return heap_.empty() ? small_.data() : heap_.data(); }
  std::span<const Value* const> span() {
    return {heap_.empty() ? small_.data() : heap_.data(), n_};
  }

 private:
  std::size_t n_;
  std::array<const Value*, 16> small_{};
  std::vector<const Value*> heap_;
};

// executemany over a list of named parameter sets. Lookups remember where each
// name was found in the previous set, so uniform sets cost one comparison.
class ParamsBatch final : public ParamBatch {
 public:
  ParamsBatch(const std::vector<Params>& rows, const std::vector<std::string>& names)
      : rows_(rows), names_(names), hint_(names.size(), 0) {}
  std::size_t size() const override { return rows_.size(); }
  std::size_t width() const override { return names_.size(); }
  void fill(std::size_t row, const Value** out) const override {
    const Params& p = rows_[row];
    for (std::size_t k = 0; k < names_.size(); ++k) {
      std::size_t h = hint_[k];
      if (h < p.size()) {
        const auto& item = p.begin()[h];
        if (item.first == names_[k]) {
          out[k] = &item.second;
          continue;
        }
      }
      const Value* v = nullptr;
      std::size_t i = 0;
      for (const auto& item : p) {
        if (item.first == names_[k]) {
          v = &item.second;
          hint_[k] = i;
          break;
        }
        ++i;
      }
      if (v == nullptr)
        throw InvalidRequestError(
            fmt::format("A value is required for bind parameter '{}', in parameter group {} of {}",
                        names_[k], row, rows_.size()));
      out[k] = v;
    }
  }

 private:
  const std::vector<Params>& rows_;
  const std::vector<std::string>& names_;
  mutable std::vector<std::size_t> hint_;
};

// executemany from a generator: one Params object, refilled for every set.
class GeneratedBatch final : public ParamBatch {
 public:
  GeneratedBatch(std::size_t count, const std::function<void(std::size_t, Params&)>& fill,
                 const std::vector<std::string>& names)
      : count_(count), fill_(fill), names_(names) {}
  std::size_t size() const override { return count_; }
  std::size_t width() const override { return names_.size(); }
  void fill(std::size_t row, const Value** out) const override {
    fill_(row, params_);
    for (std::size_t k = 0; k < names_.size(); ++k) {
      const Value* v = params_.find(names_[k]);
      if (v == nullptr)
        throw InvalidRequestError(
            fmt::format("A value is required for bind parameter '{}', in parameter group {} of {}",
                        names_[k], row, count_));
      out[k] = v;
    }
  }

 private:
  std::size_t count_;
  const std::function<void(std::size_t, Params&)>& fill_;
  const std::vector<std::string>& names_;
  mutable Params params_;
};

// Resolves the value of each placeholder of an expression statement: the
// execution's parameter of that name, else the statement's own literal, else
// the column default; then converts it with the slot's SQL type.
//
// Per execution (and per row of an executemany) this is the whole cost of the
// expression layer, so what does not depend on the values is worked out once
// in the constructor: whether a slot's type converts always (decorators,
// enums), only values of another kind, or never; and each parameter lookup
// starts where the name was found in the previous set.
class SlotResolver {
 public:
  SlotResolver(const SlotResolver&) = delete;
  SlotResolver& operator=(const SlotResolver&) = delete;
  SlotResolver(const Compiled& compiled, const std::vector<const Value*>& literals,
               const SQLCompiler& dialect)
      : c_(compiled), literals_(literals), dialect_(dialect), n_(compiled.slots.size()) {
    if (n_ > inline_.size()) heap_.resize(n_);
    plan_ = heap_.empty() ? inline_.data() : heap_.data();
    for (std::size_t i = 0; i < n_; ++i) {
      const BindSlot& slot = c_.slots[i];
      Plan& p = plan_[i];
      p.name = slot.name;
      if (!slot.type) continue;
      const TypeKind k = slot.type->kind();
      p.expect = slot.type->value_kind();
      if (k == TypeKind::decorator || k == TypeKind::enum_) {
        p.convert = Convert::always;
      } else if (p.expect != ValueKind::null) {
        p.convert = Convert::other_kind;
      }
    }
  }

  /// Fills out[i] for every slot; `scratch` holds converted values (reserved
  /// so pointers stay valid). `group` >= 0 names the parameter set in errors.
  void resolve(const Params& params, const Value** out, std::vector<Value>& scratch,
               std::ptrdiff_t group, std::size_t groups) const {
    scratch.clear();
    const Params::Item* items = params.begin();
    const std::size_t n_items = params.size();
    for (std::size_t i = 0; i < n_; ++i) {
      Plan& p = plan_[i];
      const Value* v = nullptr;
      if (p.hint < n_items && items[p.hint].first == p.name) {
        v = &items[p.hint].second;
      } else {
        for (std::size_t j = 0; j < n_items; ++j)
          if (items[j].first == p.name) {
            v = &items[j].second;
            p.hint = j;
            break;
          }
      }
      if (v == nullptr) v = fallback(i, scratch, group, groups);
      if (p.convert == Convert::always ||
          (p.convert == Convert::other_kind && v->kind() != p.expect && !v->is_null())) {
        reserve(scratch);
        try {
          scratch.push_back(c_.slots[i].type->bind_value(*v, dialect_));
        } catch (const ArgumentError& e) {
          throw StatementError(fmt::format("(in parameter '{}') {}", p.name, e.what()), c_.sql, {});
        }
        v = &scratch.back();
      }
      out[i] = v;
    }
  }

 private:
  enum class Convert : std::uint8_t { never, always, other_kind };
  struct Plan {
    std::string_view name;
    ValueKind expect = ValueKind::null;
    Convert convert = Convert::never;
    std::size_t hint = 0;
  };

  // Reserved before the first push_back of an execution and never grown after
  // (a slot pushes at most a default and its conversion): the pointers handed
  // out stay valid.
  void reserve(std::vector<Value>& scratch) const { scratch.reserve(2 * n_); }

  // No parameter of this name: the statement's literal, else the column default.
  const Value* fallback(std::size_t i, std::vector<Value>& scratch, std::ptrdiff_t group,
                        std::size_t groups) const {
    const BindSlot& slot = c_.slots[i];
    if (slot.literal >= 0) {
      if (const Value* v = literals_[static_cast<std::size_t>(slot.literal)]) return v;
    }
    if (slot.default_value != nullptr) {
      reserve(scratch);
      scratch.push_back(slot.default_value->produce());
      return &scratch.back();
    }
    if (group >= 0)
      throw InvalidRequestError(
          fmt::format("A value is required for bind parameter '{}', in parameter group {} of {}",
                      slot.name, group, groups));
    throw InvalidRequestError(
        fmt::format("A value is required for bind parameter '{}'; pass it in the parameters, e.g. "
                    "{{{{\"{}\", value}}}}",
                    slot.name, slot.name));
  }

  const Compiled& c_;
  const std::vector<const Value*>& literals_;
  const SQLCompiler& dialect_;
  std::size_t n_;
  // The plan lives on the stack for up to 8 slots: a single execute() allocates nothing here.
  mutable std::array<Plan, 8> inline_{};
  mutable std::vector<Plan> heap_;
  Plan* plan_ = nullptr;
};

// executemany of an expression statement over parameter sets; `row(i)`
// returns parameter set i.
template <class RowFn>
class SlotBatch final : public ParamBatch {
 public:
  SlotBatch(const SlotResolver& r, std::size_t width, std::size_t count, RowFn row)
      : r_(r), width_(width), count_(count), row_(std::move(row)) {}
  std::size_t size() const override { return count_; }
  std::size_t width() const override { return width_; }
  void fill(std::size_t row, const Value** out) const override {
    r_.resolve(row_(row), out, scratch_, static_cast<std::ptrdiff_t>(row), count_);
  }

 private:
  const SlotResolver& r_;
  std::size_t width_, count_;
  RowFn row_;
  mutable std::vector<Value> scratch_;
};

// exec_driver_sql executemany over positional rows.
class PositionalBatch final : public ParamBatch {
 public:
  explicit PositionalBatch(const std::vector<std::vector<Value>>& rows) : rows_(rows) {}
  std::size_t size() const override { return rows_.size(); }
  std::size_t width() const override { return rows_.empty() ? 0 : rows_[0].size(); }
  void fill(std::size_t row, const Value** out) const override {
    const auto& r = rows_[row];
    if (r.size() != width())
      throw ArgumentError(
          fmt::format("exec_driver_sql: parameter set {} has {} values, the first "
                      "has {}; every set needs the same number",
                      row, r.size(), width()));
    for (std::size_t k = 0; k < r.size(); ++k) out[k] = &r[k];
  }

 private:
  const std::vector<std::vector<Value>>& rows_;
};

}  // namespace

ConnectionCore::~ConnectionCore() { close(); }

void ConnectionCore::ensure_open() const {
  if (closed) throw ResourceClosedError("This Connection is closed");
}

void ConnectionCore::ensure_connection() {
  ensure_open();
  if (dbapi != nullptr) return;
  if (invalid_in_tx)
    throw PendingRollbackError(
        "Can't reconnect until invalid transaction is rolled back. Please rollback() fully "
        "before proceeding (the connection was invalidated inside a transaction)");
  pool = engine->current_pool();
  record = pool->checkout();
  dbapi = record->dbapi_connection();
  if (!autocommit && isolation_changed) {
    try {
      dbapi->set_isolation_level(isolation_level);
    } catch (...) {
      pool->invalidate(record, "could not restore isolation level");
      pool->checkin(record);
      record = nullptr;
      dbapi = nullptr;
      throw;
    }
  }
}

void ConnectionCore::log_statement(std::string_view sql, const std::string& params,
                                   std::chrono::nanoseconds d) {
  engine->log->info(
      fmt::format("{}\n[{:.6f}s] {}", sql, std::chrono::duration<double>(d).count(), params));
}

void ConnectionCore::handle_error(std::string_view sql, const std::string& params_repr) {
  try {
    throw;
  } catch (StatementError& e) {
    if (e.statement().empty() && !sql.empty()) e.set_statement(std::string(sql), params_repr);
    ExceptionContext ctx;
    ctx.connection = handle;
    ctx.statement = sql;
    ctx.parameters = params_repr;
    ctx.sqlalchemy_exception = &e;
    auto* dbapi_error = dynamic_cast<DBAPIError*>(&e);
    ctx.is_disconnect = dbapi_error != nullptr && dbapi_error->is_disconnect();
    if (engine->log->echo) engine->log->info(fmt::format("[error] {}", e.what()));
    // A listener may throw another exception instead; it then propagates.
    if (!engine->events->handle_error.empty()) engine->events->handle_error(ctx);
    if (ctx.is_disconnect) {
      if (dbapi_error) dbapi_error->set_connection_invalidated(true);
      if (ctx.invalidate_pool_on_disconnect && pool) pool->invalidate_older();
      invalidate("disconnect detected");
    }
    throw;
  } catch (SQLAlchemyError& e) {
    ExceptionContext ctx;
    ctx.connection = handle;
    ctx.statement = sql;
    ctx.parameters = params_repr;
    ctx.sqlalchemy_exception = &e;
    if (!engine->events->handle_error.empty()) engine->events->handle_error(ctx);
    throw;
  }
}

void ConnectionCore::autobegin() {
  if (root_active) return;
  if (begin_block)
    throw InvalidRequestError(
        "Can't operate on closed transaction inside engine.begin(): the block's transaction was "
        "already committed or rolled back. Finish the block before running more statements, or "
        "use engine.connect() with commit() for several transactions");
  if (autocommit) return;
  if (dbapi->in_transaction()) {  // e.g. the user sent BEGIN through exec_driver_sql
    root_active = true;
    root_explicit = false;
    root_id = ++next_id;
    return;
  }
  do_begin();
  root_explicit = false;
}

void ConnectionCore::do_begin() {
  if (!autocommit) {
    if (engine->log->echo) engine->log->info(root_explicit ? "BEGIN" : "BEGIN (implicit)");
    try {
      dbapi->begin();
    } catch (const SQLAlchemyError&) {
      handle_error("BEGIN", {});
    }
  }
  root_active = true;
  root_id = ++next_id;
  savepoints.clear();
  if (!engine->events->begin.empty() && handle) engine->events->begin(*handle);
}

void ConnectionCore::do_commit() {
  if (!root_active) return;
  savepoints.clear();
  if (invalid_in_tx)
    throw PendingRollbackError(
        "Can't commit: the connection was invalidated inside this transaction, so its work is "
        "lost. Call rollback() and retry the transaction");
  if (!autocommit && dbapi != nullptr) {
    if (engine->log->echo) engine->log->info("COMMIT");
    try {
      dbapi->commit();
    } catch (const SQLAlchemyError&) {
      // PostgreSQL ends the transaction either way; SQLite keeps it on SQLITE_BUSY.
      root_active = dbapi != nullptr && !dbapi->is_closed() && dbapi->in_transaction();
      handle_error("COMMIT", {});
    }
  }
  root_active = false;
  if (!engine->events->commit.empty() && handle) engine->events->commit(*handle);
}

void ConnectionCore::do_rollback() {
  if (invalid_in_tx) {
    invalid_in_tx = false;
    root_active = false;
    savepoints.clear();
    if (engine->log->echo) engine->log->info("ROLLBACK (connection was invalidated)");
    return;
  }
  if (!root_active) return;
  root_active = false;
  savepoints.clear();
  if (!autocommit && dbapi != nullptr) {
    if (engine->log->echo) engine->log->info("ROLLBACK");
    try {
      dbapi->rollback();
    } catch (const SQLAlchemyError&) {
      handle_error("ROLLBACK", {});
    }
  }
  if (!engine->events->rollback.empty() && handle) engine->events->rollback(*handle);
}

Result ConnectionCore::run(std::string_view sql, std::span<const Value* const> params,
                           const std::shared_ptr<const Compiled>& compiled) {
  ensure_connection();
  autobegin();
  EngineEvents& ev = *engine->events;
  const bool before = !ev.before_cursor_execute.empty();
  const bool after = !ev.after_cursor_execute.empty();
  const bool echo = engine->log->echo;
  CursorExecuteContext ctx;
  if (before || after) {
    ctx.statement = sql;
    ctx.parameters = params;
  }
  if (before) ev.before_cursor_execute(*handle, ctx);
  Clock::time_point t0;
  if (echo || after) t0 = Clock::now();

  auto st = std::make_shared<ResultState>();
  st->cursor = take_cursor();
  try {
    st->cursor->execute(sql, params, cursor_options);
  } catch (const SQLAlchemyError&) {
    st->cursor.reset();
    handle_error(sql, render_params(params));
  }
  if (echo || after) {
    auto d = Clock::now() - t0;
    if (echo) log_statement(sql, render_params(params), d);
    if (after) {
      ctx.elapsed = d;
      ev.after_cursor_execute(*handle, ctx);
    }
  }
  st->core = shared_from_this();
  st->yield_per = yield_per;
  st->returns_rows = st->cursor->returns_rows();
  if (st->returns_rows) {
    st->meta = metadata_for(sql, *st->cursor, compiled);
    st->current.bind_view(st->meta, st->cursor.get());
    open_results.push_back(st.get());
  } else {
    st->rowcount = st->cursor->rowcount();
    st->lastrowid = st->cursor->lastrowid();
    st->cursor->close();
    recycle_cursor(std::move(st->cursor));
    st->closed = true;
  }
  return Result(std::move(st));
}

std::shared_ptr<const ResultMetaData> ConnectionCore::metadata_for(
    std::string_view sql, const DriverCursor& c, const std::shared_ptr<const Compiled>& owner) {
  const std::size_t n = c.column_count();
  if (owner) {
    for (const MetaEntry& e : meta_cache)
      if (e.owner == owner.get() && !e.owner_ref.expired() && e.meta->keys.size() == n)
        return e.meta;
  }
  const Compiled* compiled = owner && owner->result_processing ? owner.get() : nullptr;
  for (const MetaEntry& e : meta_cache) {
    if (e.sql != sql.data() || e.compiled != compiled || !e.meta || e.meta->keys.size() != n)
      continue;
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) same = e.meta->keys[i] == c.column_name(i);
    if (same) return e.meta;
  }
  auto meta = std::make_shared<ResultMetaData>();
  meta->keys.reserve(n);
  for (std::size_t i = 0; i < n; ++i) meta->keys.emplace_back(c.column_name(i));
  if (compiled && compiled->result_columns.size() == n) {
    meta->dialect = &engine->dialect->statement_compiler();
    meta->types.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      if (compiled->result_columns[i].processes) meta->types[i] = compiled->result_columns[i].type;
  }
  MetaEntry entry{sql.data(), compiled, meta};
  // Fixed columns: the compiler named each one exactly as the cursor does (so
  // no SELECT * whose columns follow the schema).
  if (owner && owner->result_columns.size() == n) {
    bool fixed = true;
    for (std::size_t i = 0; i < n && fixed; ++i)
      fixed =
          !owner->result_columns[i].key.empty() && owner->result_columns[i].key == meta->keys[i];
    if (fixed) {
      entry.owner = owner.get();
      entry.owner_ref = owner;
    }
  }
  meta_cache[meta_next] = std::move(entry);
  meta_next = (meta_next + 1) % meta_cache.size();
  return meta;
}

Result ConnectionCore::run_many(std::string_view sql, const ParamBatch& batch) {
  ensure_connection();
  autobegin();
  EngineEvents& ev = *engine->events;
  const bool before = !ev.before_cursor_execute.empty();
  const bool after = !ev.after_cursor_execute.empty();
  const bool echo = engine->log->echo;
  CursorExecuteContext ctx;
  ctx.statement = sql;
  ctx.batch = &batch;
  ctx.executemany = true;
  if (before) ev.before_cursor_execute(*handle, ctx);
  Clock::time_point t0;
  if (echo || after) t0 = Clock::now();
  auto cursor = take_cursor();
  try {
    cursor->executemany(sql, batch);
  } catch (const SQLAlchemyError&) {
    cursor.reset();
    handle_error(sql, render_batch(batch));
  }
  if (echo || after) {
    auto d = Clock::now() - t0;
    if (echo) log_statement(sql, render_batch(batch), d);
    if (after) {
      ctx.elapsed = d;
      ev.after_cursor_execute(*handle, ctx);
    }
  }
  auto st = std::make_shared<ResultState>();
  st->core = shared_from_this();
  st->rowcount = cursor->rowcount();
  st->lastrowid = cursor->lastrowid();
  cursor->close();
  recycle_cursor(std::move(cursor));
  st->closed = true;
  return Result(std::move(st));
}

void ConnectionCore::close_results() noexcept {
  auto results = std::move(open_results);
  open_results.clear();
  for (ResultState* r : results) r->detach();
}

void ConnectionCore::invalidate(std::string_view reason) noexcept {
  close_results();
  spare_cursor.reset();
  if (record != nullptr) {
    pool->invalidate(record, reason);
    pool->checkin(record);
  }
  record = nullptr;
  dbapi = nullptr;
  savepoints.clear();
  if (root_active) invalid_in_tx = true;
}

void ConnectionCore::close() noexcept {
  if (closed) return;
  close_results();
  spare_cursor.reset();
  if (record != nullptr) {
    try {
      if (root_active && !autocommit && engine->log->echo) engine->log->info("ROLLBACK");
      if (dbapi->in_transaction()) dbapi->rollback();
      if (isolation_changed) {
        // Back to the engine's level before another Connection gets this DBAPI connection.
        const auto& base = engine->pool_config.isolation_level;
        dbapi->set_isolation_level(base.empty() ? engine->dialect->default_isolation_level()
                                                : base);
      }
    } catch (const std::exception& e) {
      engine->log->warning(
          fmt::format("Exception during connection reset: {}; invalidating", e.what()));
      pool->invalidate(record, "reset failed");
    }
    pool->checkin(record);
  }
  record = nullptr;
  dbapi = nullptr;
  root_active = false;
  invalid_in_tx = false;
  savepoints.clear();
  closed = true;
}

}  // namespace detail

// ---------------------------------------------------------------- Engine::connect

Connection Engine::connect() const {
  auto core = std::make_shared<detail::ConnectionCore>();
  core->engine = state_;
  core->isolation_level = state_->default_isolation_level;
  core->autocommit = core->isolation_level == "AUTOCOMMIT";
  core->pool = state_->current_pool();
  core->record = core->pool->checkout();
  core->dbapi = core->record->dbapi_connection();
  return Connection(std::move(core));
}

// ---------------------------------------------------------------- Connection

Connection::Connection(std::shared_ptr<detail::ConnectionCore> core) : core_(std::move(core)) {
  core_->handle = this;
}
Connection::Connection(Connection&& o) noexcept : core_(std::move(o.core_)) {
  if (core_) core_->handle = this;
}
Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (core_) core_->close();
    core_ = std::move(o.core_);
    if (core_) core_->handle = this;
  }
  return *this;
}
Connection::~Connection() {
  if (core_) {
    core_->close();
    core_->handle = nullptr;
  }
}

detail::ConnectionCore& Connection::core() const {
  if (!core_) throw ResourceClosedError("This Connection was moved from");
  return *core_;
}

namespace {

// inserted_primary_key of a single-row insert(): given values first, then the
// generated key (RETURNING row or lastrowid).
void fill_inserted_pk(detail::ResultState& st, const Compiled& c,
                      std::span<const Value* const> binds, const std::vector<Value>* returned) {
  st.is_insert = true;
  st.pk_keys = c.pk_keys;
  if (c.pk_keys.empty()) return;
  std::vector<Value> pk(c.pk_keys.size());
  for (std::size_t k = 0; k < c.pk_keys.size(); ++k) {
    for (std::size_t i = 0; i < c.slots.size(); ++i)
      if (c.slots[i].name == c.pk_keys[k] && binds[i] != nullptr) pk[k] = *binds[i];
    if (pk[k].is_null() && returned && k < returned->size()) pk[k] = (*returned)[k];
    if (pk[k].is_null() && static_cast<std::int32_t>(k) == c.autoinc_pk && st.lastrowid)
      pk[k] = Value(*st.lastrowid);
  }
  st.inserted_pk = std::move(pk);
}

}  // namespace

Result Connection::execute(const Executable& statement, const Params& params) {
  auto& c = core();
  c.ensure_open();
  const SQLCompiler& dialect = c.engine->dialect->statement_compiler();
  auto compiled =
      statement.compile_for(dialect, c.engine->compiled_cache.get(), &params, false, c.literals);
  if (compiled->slots.empty() && compiled->kind == Compiled::Kind::other) {
    const auto& names = compiled->bind_names;
    detail::BindArray binds(names.size());
    const Value** out = binds.data();
    for (std::size_t i = 0; i < names.size(); ++i) {
      const Value* v = params.find(names[i]);
      if (v == nullptr)
        throw InvalidRequestError(fmt::format(
            "A value is required for bind parameter '{}' (statement: {}); pass it in the "
            "parameters, e.g. {{{{\"{}\", value}}}}",
            names[i], statement.str(), names[i]));
      out[i] = v;
    }
    return c.run(compiled->sql, binds.span());
  }
  detail::BindArray binds(compiled->slots.size());
  // Converted values live in a local vector: a listener may execute again on
  // this connection while these pointers are in use.
  std::vector<Value> scratch;
  detail::SlotResolver(*compiled, c.literals, dialect)
      .resolve(params, binds.data(), scratch, -1, 0);
  Result r = c.run(compiled->sql, binds.span(), compiled);
  if (compiled->kind == Compiled::Kind::insert) {
    auto& st = *r.state_;
    if (compiled->returning_pk) {
      // The RETURNING row is ours, not the caller's: read it, show no rows.
      std::vector<Value> returned;
      if (auto row = r.fetchone()) returned = row->values();
      st.returns_rows = false;
      st.rowcount = 1;
      r.close();
      st.hard_closed = false;
      st.closed = true;
      fill_inserted_pk(st, *compiled, binds.span(), &returned);
    } else {
      fill_inserted_pk(st, *compiled, binds.span(), nullptr);
    }
  }
  if (r.state_) r.state_->compiled = std::move(compiled);
  return r;
}

Result Connection::execute(const Executable& statement, const std::vector<Params>& params) {
  if (params.empty()) return execute(statement, Params{});
  auto& c = core();
  c.ensure_open();
  const SQLCompiler& dialect = c.engine->dialect->statement_compiler();
  auto compiled = statement.compile_for(dialect, c.engine->compiled_cache.get(), &params.front(),
                                        true, c.literals);
  if (compiled->slots.empty() && compiled->kind == Compiled::Kind::other) {
    detail::ParamsBatch batch(params, compiled->bind_names);
    return c.run_many(compiled->sql, batch);
  }
  if (compiled->user_returning)
    return insertmanyvalues(compiled, params.size(),
                            [&params](std::size_t i, Params&) -> const Params& { return params[i]; });
  std::vector<const Value*> literals = c.literals;
  detail::SlotResolver resolver(*compiled, literals, dialect);
  detail::SlotBatch batch(resolver, compiled->slots.size(), params.size(),
                          [&params](std::size_t i) -> const Params& { return params[i]; });
  Result r = c.run_many(compiled->sql, batch);
  if (r.state_) {
    r.state_->executemany = true;
    r.state_->is_insert = compiled->kind == Compiled::Kind::insert;
  }
  return r;
}

Result Connection::execute(const Executable& statement, std::size_t count,
                           const std::function<void(std::size_t, Params&)>& fill) {
  auto& c = core();
  c.ensure_open();
  const SQLCompiler& dialect = c.engine->dialect->statement_compiler();
  Params first;
  if (count > 0) fill(0, first);
  auto compiled =
      statement.compile_for(dialect, c.engine->compiled_cache.get(), &first, true, c.literals);
  if (compiled->slots.empty() && compiled->kind == Compiled::Kind::other) {
    detail::GeneratedBatch batch(count, fill, compiled->bind_names);
    return c.run_many(compiled->sql, batch);
  }
  if (compiled->user_returning)
    return insertmanyvalues(compiled, count, [&fill](std::size_t i, Params& p) -> const Params& {
      fill(i, p);
      return p;
    });
  std::vector<const Value*> literals = c.literals;
  detail::SlotResolver resolver(*compiled, literals, dialect);
  Params current;
  detail::SlotBatch batch(resolver, compiled->slots.size(), count,
                          [&fill, &current](std::size_t i) -> const Params& {
                            fill(i, current);
                            return current;
                          });
  Result r = c.run_many(compiled->sql, batch);
  if (r.state_) {
    r.state_->executemany = true;
    r.state_->is_insert = compiled->kind == Compiled::Kind::insert;
  }
  return r;
}

namespace {

// The placeholders of one VALUES row, found once per statement: where each one
// is in the row's text and its number ($n styles), skipping quoted literals.
struct RowTemplate {
  std::string_view text;
  struct Mark {
    std::size_t pos, len;
    std::size_t number;  // 0 for '?'
  };
  std::vector<Mark> marks;
};

RowTemplate scan_row(std::string_view text) {
  RowTemplate t{text, {}};
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\'' || ch == '"') {
      const std::size_t close = text.find(ch, i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (ch == '?') {
      t.marks.push_back({i, 1, 0});
    } else if (ch == '$' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      std::size_t j = i + 1, n = 0;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])))
        n = n * 10 + static_cast<std::size_t>(text[j++] - '0');
      t.marks.push_back({i, j - i, n});
      i = j - 1;
    }
  }
  return t;
}

// INSERT ... VALUES (row), (row), ... for `rows` rows: row r's $n become $(n + r*width).
std::string expand_values(const Compiled& c, const RowTemplate& t, std::size_t rows,
                          std::size_t width) {
  std::string sql;
  sql.reserve(c.sql.size() + (t.text.size() + 2) * rows);
  sql.append(c.sql, 0, c.values_begin);
  for (std::size_t r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    std::size_t at = 0;
    for (const auto& m : t.marks) {
      sql.append(t.text.substr(at, m.pos - at));
      if (m.number == 0) {
        sql += '?';
      } else {
        sql += '$';
        sql += std::to_string(m.number + r * width);
      }
      at = m.pos + m.len;
    }
    sql.append(t.text.substr(at));
  }
  sql.append(c.sql, c.values_end, std::string::npos);
  return sql;
}

}  // namespace

Result Connection::insertmanyvalues(
    const std::shared_ptr<const Compiled>& compiled, std::size_t count,
    const std::function<const Params&(std::size_t, Params&)>& row) {
  auto& c = core();
  const Compiled& cp = *compiled;
  const SQLCompiler& dialect = c.engine->dialect->statement_compiler();
  if (cp.kind != Compiled::Kind::insert || cp.values_end == 0)
    throw InvalidRequestError(
        "RETURNING with several parameter sets (executemany) is supported for INSERT ... "
        "VALUES only; execute UPDATE/DELETE ... RETURNING once per parameter set");
  const std::size_t width = cp.slots.size();
  const RowTemplate tmpl =
      scan_row(std::string_view(cp.sql).substr(cp.values_begin, cp.values_end - cp.values_begin));
  // Every placeholder must sit in the VALUES row, numbered 1..width, for the
  // row to be repeated; otherwise each set is its own execution.
  bool repeatable = tmpl.marks.size() == width;
  for (std::size_t k = 0; k < tmpl.marks.size() && repeatable; ++k)
    repeatable = tmpl.marks[k].number == 0 || tmpl.marks[k].number == k + 1;
  // 32766 placeholders is SQLite's limit (PostgreSQL's is 65535).
  std::size_t page = width == 0 ? 1000 : std::min<std::size_t>(1000, 32766 / width);
  if (!repeatable || page == 0) page = 1;

  // With RETURNING of an autoincrement key the database assigns ascending ids
  // in row order; sorting each page by it restores parameter order whatever
  // order the rows come back in (SQLAlchemy's sort_by_parameter_order).
  std::ptrdiff_t sort_col = -1;
  if (cp.autoinc_pk >= 0) {
    const std::string& key = cp.pk_keys[static_cast<std::size_t>(cp.autoinc_pk)];
    bool bound = false;
    for (const auto& s : cp.slots) bound = bound || s.name == key;
    for (std::size_t i = 0; i < cp.result_columns.size() && !bound; ++i)
      if (cp.result_columns[i].key == key) {
        sort_col = static_cast<std::ptrdiff_t>(i);
        break;
      }
  }

  std::vector<const Value*> literals = c.literals;
  detail::SlotResolver resolver(cp, literals, dialect);
  auto st = std::make_shared<detail::ResultState>();
  st->core = c.shared_from_this();
  st->returns_rows = true;
  st->rowcount = static_cast<std::int64_t>(count);
  st->executemany = true;
  st->is_insert = true;
  st->compiled = compiled;

  // Only the autoincrement key is wanted and the driver reports each row's
  // rowid: a plain executemany without RETURNING, as fast as single inserts get.
  if (c.engine->dialect->supports_executemany_rowid() && cp.returning_begin > 0 &&
      sort_col == 0 && cp.result_columns.size() == 1) {
    class RowidBatch final : public ParamBatch {
     public:
      RowidBatch(const detail::SlotResolver& r, std::size_t width, std::size_t count,
                 const std::function<const Params&(std::size_t, Params&)>& row,
                 std::vector<std::int64_t>& ids)
          : r_(r), width_(width), count_(count), row_(row), ids_(ids) {}
      std::size_t size() const override { return count_; }
      std::size_t width() const override { return width_; }
      void fill(std::size_t i, const Value** out) const override {
        r_.resolve(row_(i, storage_), out, scratch_, static_cast<std::ptrdiff_t>(i), count_);
      }
      void row_done(std::size_t i, std::int64_t rowid) const override { ids_[i] = rowid; }

     private:
      const detail::SlotResolver& r_;
      std::size_t width_, count_;
      const std::function<const Params&(std::size_t, Params&)>& row_;
      std::vector<std::int64_t>& ids_;
      mutable Params storage_;
      mutable std::vector<Value> scratch_;
    };
    std::vector<std::int64_t> ids(count, 0);
    RowidBatch batch(resolver, width, count, row, ids);
    c.run_many(std::string_view(cp.sql).substr(0, cp.returning_begin), batch);
    auto meta = std::make_shared<detail::ResultMetaData>();
    meta->keys.push_back(cp.result_columns[0].key);
    st->meta = meta;
    st->buffered.reserve(count);
    for (std::int64_t id : ids) st->buffered.emplace_back(meta, std::vector<Value>{Value(id)});
    return Result(std::move(st));
  }

  std::vector<Params> storage(page);
  std::vector<std::vector<Value>> scratch(page);
  std::vector<const Value*> binds(page * width);
  std::string full_sql, tail_sql;
  st->buffered.reserve(count);
  std::int64_t total = 0;
  for (std::size_t first = 0; first < count; first += page) {
    const std::size_t n = std::min(page, count - first);
    for (std::size_t r = 0; r < n; ++r) {
      const Params& p = row(first + r, storage[r]);
      resolver.resolve(p, binds.data() + r * width, scratch[r],
                       static_cast<std::ptrdiff_t>(first + r), count);
    }
    std::string_view sql = cp.sql;
    if (n > 1) {
      std::string& s = n == page ? full_sql : tail_sql;
      if (s.empty() || n != page) s = expand_values(cp, tmpl, n, width);
      sql = s;
    }
    Result r = c.run(sql, std::span<const Value* const>(binds.data(), n * width), compiled);
    const std::size_t before = st->buffered.size();
    while (const Row* one = r.state().advance()) st->buffered.emplace_back(*one);
    if (!st->meta && r.state_->meta) st->meta = r.state_->meta;
    total += static_cast<std::int64_t>(n);
    auto key_less = [sort_col](const Row& a, const Row& b) {
      return a.get<std::int64_t>(static_cast<std::size_t>(sort_col)) <
             b.get<std::int64_t>(static_cast<std::size_t>(sort_col));
    };
    if (sort_col >= 0 && st->buffered.size() - before > 1 &&
        !std::is_sorted(st->buffered.begin() + static_cast<std::ptrdiff_t>(before),
                        st->buffered.end(), key_less))
      std::stable_sort(st->buffered.begin() + static_cast<std::ptrdiff_t>(before),
                       st->buffered.end(), key_less);
  }
  st->rowcount = total;
  return Result(std::move(st));
}

Result Connection::exec_driver_sql(std::string_view sql, const std::vector<Value>& params) {
  auto& c = core();
  detail::BindArray binds(params.size());
  const Value** out = binds.data();
  for (std::size_t i = 0; i < params.size(); ++i) out[i] = &params[i];
  return c.run(sql, binds.span());
}

Result Connection::exec_driver_sql(std::string_view sql,
                                   const std::vector<std::vector<Value>>& params) {
  if (params.empty()) return exec_driver_sql(sql, std::vector<Value>{});
  detail::PositionalBatch batch(params);
  return core().run_many(sql, batch);
}

void Connection::commit() {
  auto& c = core();
  c.ensure_open();
  c.do_commit();
}

void Connection::rollback() {
  auto& c = core();
  c.ensure_open();
  c.do_rollback();
}

Transaction Connection::begin() {
  auto& c = core();
  c.ensure_connection();
  if (c.root_active)
    throw InvalidRequestError(
        "a transaction is already begun on this Connection (explicitly, or implicitly by a "
        "previous execute()); call commit() or rollback() first, or use begin_nested() for a "
        "SAVEPOINT");
  c.root_explicit = true;
  c.do_begin();
  return Transaction(core_, c.root_id);
}

NestedTransaction Connection::begin_nested() {
  auto& c = core();
  c.ensure_connection();
  if (!c.engine->dialect->supports_savepoints())
    throw NotSupportedError(
        fmt::format("the {} dialect does not support SAVEPOINT", c.engine->dialect->name()));
  if (c.autocommit)
    throw InvalidRequestError(
        "begin_nested() needs a transaction, but this connection uses isolation_level "
        "AUTOCOMMIT; SAVEPOINTs only exist inside transactions");
  c.autobegin();
  std::string name = fmt::format("sa_savepoint_{}", ++c.savepoint_counter);
  std::string sql = "SAVEPOINT " + name;
  if (c.engine->log->echo) c.engine->log->info(sql);
  try {
    c.dbapi->exec(sql);
  } catch (const SQLAlchemyError&) {
    c.handle_error(sql, {});
  }
  c.savepoints.push_back(name);
  return NestedTransaction(core_, std::move(name), c.root_id);
}

bool Connection::in_transaction() const noexcept { return core_ && core_->root_active; }
bool Connection::in_nested_transaction() const noexcept {
  return core_ && core_->root_active && !core_->savepoints.empty();
}

Connection& Connection::execution_options(const ExecutionOptions& options) {
  auto& c = core();
  c.ensure_open();
  if (options.isolation_level) {
    if (c.root_active)
      throw InvalidRequestError(
          "This connection has already begun a transaction (by begin() or an autobegin "
          "execute()); isolation_level may not be altered until the transaction ends: call "
          "commit() or rollback() first");
    std::string level = c.engine->validate_isolation_level(*options.isolation_level);
    c.ensure_connection();
    if (level == "AUTOCOMMIT") {
      c.autocommit = true;
    } else {
      c.autocommit = false;
      c.dbapi->set_isolation_level(level);
      c.isolation_changed = true;
    }
    c.isolation_level = level;
  }
  if (options.stream_results) c.cursor_options.stream_results = *options.stream_results;
  if (options.yield_per) {
    c.cursor_options.stream_results = true;
    c.yield_per = *options.yield_per;
  }
  return *this;
}

std::string Connection::get_isolation_level() {
  auto& c = core();
  if (c.autocommit) return "AUTOCOMMIT";
  c.ensure_connection();
  return c.dbapi->get_isolation_level();
}

std::string Connection::default_isolation_level() const {
  return core().engine->default_isolation_level;
}

void Connection::invalidate() {
  auto& c = core();
  c.ensure_open();
  if (c.engine->log->echo) c.engine->log->info("Connection invalidated by the application");
  c.invalidate("invalidate() called");
}

bool Connection::invalidated() const noexcept {
  return core_ && !core_->closed && core_->dbapi == nullptr;
}

void Connection::close() noexcept {
  if (core_) core_->close();
}

bool Connection::closed() const noexcept { return !core_ || core_->closed; }

void Connection::set_begin_block(bool on) { core().begin_block = on; }

DBAPIConnection& Connection::connection() {
  auto& c = core();
  c.ensure_connection();
  return *c.dbapi;
}

std::map<std::string, std::any>& Connection::info() {
  auto& c = core();
  c.ensure_connection();
  return c.record->info();
}

Engine Connection::engine() const { return Engine(core().engine); }

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Transaction&& o) noexcept
    : core_(std::move(o.core_)), id_(std::exchange(o.id_, 0)) {}
Transaction& Transaction::operator=(Transaction&& o) noexcept {
  if (this != &o) {
    if (is_active()) {
      try {
        rollback();
      } catch (...) {
      }
    }
    core_ = std::move(o.core_);
    id_ = std::exchange(o.id_, 0);
  }
  return *this;
}
Transaction::~Transaction() {
  if (!is_active()) return;
  try {
    core_->do_rollback();
  } catch (const std::exception& e) {
    core_->engine->log->warning(
        fmt::format("Exception during Transaction rollback in destructor: {}", e.what()));
    core_->invalidate("rollback failed");
  }
}

bool Transaction::is_active() const noexcept {
  return core_ && !core_->closed && core_->root_active && core_->root_id == id_;
}

void Transaction::commit() {
  if (!is_active())
    throw InvalidRequestError(
        "This transaction is inactive: it was already committed or rolled back, or its "
        "connection was closed");
  core_->do_commit();
}

void Transaction::rollback() {
  if (!is_active()) return;
  core_->do_rollback();
}

// ---------------------------------------------------------------- NestedTransaction

NestedTransaction::NestedTransaction(NestedTransaction&& o) noexcept
    : core_(std::move(o.core_)), name_(std::move(o.name_)), root_id_(o.root_id_) {}
NestedTransaction& NestedTransaction::operator=(NestedTransaction&& o) noexcept {
  if (this != &o) {
    if (is_active()) {
      try {
        rollback();
      } catch (...) {
      }
    }
    core_ = std::move(o.core_);
    name_ = std::move(o.name_);
    root_id_ = o.root_id_;
  }
  return *this;
}
NestedTransaction::~NestedTransaction() {
  if (!is_active()) return;
  try {
    rollback();
  } catch (const std::exception& e) {
    core_->engine->log->warning(
        fmt::format("Exception during SAVEPOINT rollback in destructor: {}", e.what()));
  }
}

bool NestedTransaction::is_active() const noexcept {
  if (!core_ || core_->closed || !core_->root_active || core_->root_id != root_id_) return false;
  const auto& sp = core_->savepoints;
  return std::find(sp.begin(), sp.end(), name_) != sp.end();
}

namespace {
void end_savepoint(detail::ConnectionCore& c, const std::string& name, const std::string& sql) {
  if (c.engine->log->echo) c.engine->log->info(sql);
  auto& sp = c.savepoints;
  auto it = std::find(sp.begin(), sp.end(), name);
  // Inner savepoints end with this one (as in SQL).
  sp.erase(it, sp.end());
  try {
    c.ensure_connection();
    c.dbapi->exec(sql);
  } catch (const SQLAlchemyError&) {
    c.handle_error(sql, {});
  }
}
}  // namespace

void NestedTransaction::commit() {
  if (!is_active())
    throw InvalidRequestError("This nested transaction (SAVEPOINT " + name_ +
                              ") is inactive: it was already released or rolled back");
  end_savepoint(*core_, name_, "RELEASE SAVEPOINT " + name_);
}

void NestedTransaction::rollback() {
  if (!is_active()) return;
  end_savepoint(*core_, name_, "ROLLBACK TO SAVEPOINT " + name_);
}

}  // namespace alchemy
