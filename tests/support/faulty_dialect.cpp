#include "support/faulty_dialect.hpp"

#include <alchemy/alchemy.hpp>
#include <alchemy/engine/reflection.hpp>

namespace alchemy::testing {

namespace {

bool fire(std::atomic<bool>& flag) { return flag.exchange(false); }

[[noreturn]] void raise(const char* message, bool disconnect) {
  throw_dbapi_error(DBAPIErrorKind::operational_error, message, "", disconnect ? 0 : 5, disconnect);
}

class FaultyCursor final : public DriverCursor {
 public:
  explicit FaultyCursor(std::unique_ptr<DriverCursor> inner) : inner_(std::move(inner)) {}
  void execute(std::string_view sql, std::span<const Value* const> params,
               const CursorOptions& options) override {
    if (fire(faults().disconnect_on_execute)) raise("injected: connection lost", true);
    if (fire(faults().busy_on_execute)) raise("injected: database is locked", false);
    inner_->execute(sql, params, options);
  }
  void executemany(std::string_view sql, const ParamBatch& batch) override {
    if (fire(faults().disconnect_on_execute)) raise("injected: connection lost", true);
    inner_->executemany(sql, batch);
  }
  bool returns_rows() const override { return inner_->returns_rows(); }
  std::size_t column_count() const override { return inner_->column_count(); }
  std::string_view column_name(std::size_t i) const override { return inner_->column_name(i); }
  bool fetch_next() override { return inner_->fetch_next(); }
  bool is_null(std::size_t i) const override { return inner_->is_null(i); }
  std::int64_t get_int64(std::size_t i) const override { return inner_->get_int64(i); }
  double get_double(std::size_t i) const override { return inner_->get_double(i); }
  bool get_bool(std::size_t i) const override { return inner_->get_bool(i); }
  std::string_view get_text(std::size_t i) const override { return inner_->get_text(i); }
  Value get_value(std::size_t i) const override { return inner_->get_value(i); }
  std::int64_t rowcount() const override { return inner_->rowcount(); }
  std::optional<std::int64_t> lastrowid() const override { return inner_->lastrowid(); }
  void close() noexcept override { inner_->close(); }

 private:
  std::unique_ptr<DriverCursor> inner_;
};

class FaultyConnection final : public DriverConnection {
 public:
  explicit FaultyConnection(std::unique_ptr<DriverConnection> inner) : inner_(std::move(inner)) {}
  std::unique_ptr<DriverCursor> cursor() override {
    return std::make_unique<FaultyCursor>(inner_->cursor());
  }
  void exec(std::string_view sql) override { inner_->exec(sql); }
  void begin() override { inner_->begin(); }
  void commit() override {
    if (fire(faults().busy_on_commit)) raise("injected: database is locked", false);
    inner_->commit();
  }
  void rollback() override {
    if (fire(faults().fail_rollback)) raise("injected: connection lost during rollback", true);
    inner_->rollback();
  }
  bool in_transaction() const override { return inner_->in_transaction(); }
  void set_isolation_level(std::string_view level) override { inner_->set_isolation_level(level); }
  std::string get_isolation_level() override { return inner_->get_isolation_level(); }
  bool ping() noexcept override { return !fire(faults().fail_ping) && inner_->ping(); }
  bool is_closed() const noexcept override { return inner_->is_closed(); }
  void close() noexcept override { inner_->close(); }
  void* native_handle() noexcept override { return inner_->native_handle(); }

 private:
  std::unique_ptr<DriverConnection> inner_;
};

class FaultyDialect final : public Dialect {
 public:
  FaultyDialect() : inner_(load_dialect("sqlite", "")) {}
  std::string_view name() const override { return "faulty"; }
  std::string_view driver() const override { return "sqlite"; }
  const SQLCompiler& statement_compiler() const override { return inner_->statement_compiler(); }
  Connector connector(const URL& url, const ConnectArgs& args) const override {
    Connector real = inner_->connector(url.set_drivername("sqlite"), args);
    return [real]() -> std::unique_ptr<DriverConnection> {
      if (fire(faults().fail_connect)) raise("injected: could not connect", false);
      ++faults().connects;
      return std::make_unique<FaultyConnection>(real());
    };
  }
  PoolKind default_pool(const URL& url) const override {
    return inner_->default_pool(url.set_drivername("sqlite"));
  }
  std::vector<std::string> isolation_levels() const override { return inner_->isolation_levels(); }
  std::string default_isolation_level() const override { return inner_->default_isolation_level(); }
  bool has_table(Connection& conn, std::string_view table,
                 const std::optional<std::string>& schema) const override {
    return inner_->has_table(conn, table, schema);
  }
  bool has_type(Connection& conn, std::string_view type,
                const std::optional<std::string>& schema) const override {
    return inner_->has_type(conn, type, schema);
  }
  std::string default_schema_name(Connection& conn) const override {
    return inner_->default_schema_name(conn);
  }
  std::vector<std::string> get_table_names(
      Connection& conn, const std::optional<std::string>& schema) const override {
    return inner_->get_table_names(conn, schema);
  }
  std::vector<ReflectedColumn> get_columns(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override {
    return inner_->get_columns(conn, table, schema);
  }
  ReflectedPrimaryKeyConstraint get_pk_constraint(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override {
    return inner_->get_pk_constraint(conn, table, schema);
  }
  std::vector<ReflectedForeignKeyConstraint> get_foreign_keys(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override {
    return inner_->get_foreign_keys(conn, table, schema);
  }
  std::vector<ReflectedIndex> get_indexes(Connection& conn, std::string_view table,
                                          const std::optional<std::string>& schema) const override {
    return inner_->get_indexes(conn, table, schema);
  }
  std::vector<ReflectedUniqueConstraint> get_unique_constraints(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override {
    return inner_->get_unique_constraints(conn, table, schema);
  }
  std::vector<ReflectedCheckConstraint> get_check_constraints(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override {
    return inner_->get_check_constraints(conn, table, schema);
  }
  ReflectedTableComment get_table_comment(Connection& conn, std::string_view table,
                                          const std::optional<std::string>& schema) const override {
    return inner_->get_table_comment(conn, table, schema);
  }

 private:
  std::shared_ptr<const Dialect> inner_;
};

}  // namespace

FaultPlan& faults() {
  static FaultPlan plan;
  static const bool registered = [] {
    register_dialect("faulty", {"sqlite"}, [] { return std::make_shared<const FaultyDialect>(); });
    return true;
  }();
  (void)registered;
  return plan;
}

}  // namespace alchemy::testing
