// The PostgreSQL dialect: its SQL flavour (PGCompiler), its Dialect object and
// its registration under "postgresql" for the libpq driver.
//
// The engine finds this file only through register_dialect(): nothing includes
// it. The CMake target forces the linker to keep it (-u on the anchor below),
// because a static archive would otherwise drop an object nobody references.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/core/types.hpp"
#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"
#include "alchemy/export.hpp"
#include "dialects/postgresql/libpq_driver.hpp"
#include "dialects/postgresql/reflection.hpp"

extern "C" ALCHEMY_EXPORT void alchemy_dialect_postgresql_anchor() {}

namespace alchemy::dialects::postgresql {

namespace {

/// PostgreSQL's statement compiler (SQLAlchemy's PGCompiler): `$1` placeholders.
class PGCompiler final : public SQLCompiler {
 public:
  std::string_view dialect_name() const override { return "postgresql"; }
  ParamStyle paramstyle() const override { return ParamStyle::numeric_dollar; }
  bool supports_ilike() const override { return true; }
  bool supports_distinct_on() const override { return true; }
  bool supports_native_enum() const override { return true; }
  bool supports_comments() const override { return true; }

  std::string type_ddl(const TypeEngine& type) const override {
    const TypeEngine& t = type.dialect_impl();
    switch (t.kind()) {
      case TypeKind::datetime:
        return static_cast<const types::TemporalType&>(t).timezone()
                   ? "TIMESTAMP WITH TIME ZONE"
                   : "TIMESTAMP WITHOUT TIME ZONE";
      case TypeKind::time:
        return static_cast<const types::TemporalType&>(t).timezone() ? "TIME WITH TIME ZONE"
                                                                     : "TIME WITHOUT TIME ZONE";
      case TypeKind::large_binary:
        return "BYTEA";
      case TypeKind::uuid:
        return "UUID";
      case TypeKind::float_: {
        const auto& f = static_cast<const types::FloatType&>(t);
        return f.precision() ? "FLOAT(" + std::to_string(*f.precision()) + ")" : "FLOAT";
      }
      case TypeKind::enum_: {
        const auto& e = static_cast<const types::EnumType&>(t);
        if (!e.native_enum()) return SQLCompiler::type_ddl(type);
        if (e.name().empty())
          throw CompileError("PostgreSQL ENUM type requires a name: Enum({...}, \"name\")");
        std::string out;
        quote_identifier(out, e.name());
        return out;
      }
      case TypeKind::array: {
        const auto& a = static_cast<const types::ArrayType&>(t);
        std::string out = type_ddl(*a.item_type());
        for (int i = 0; i < a.dimensions(); ++i) out += "[]";
        return out;
      }
      default:
        return SQLCompiler::type_ddl(type);
    }
  }

  void render_bind_cast(std::string& out, const TypeEngine& type) const override {
    const TypeEngine& t = type.dialect_impl();
    switch (t.kind()) {
      case TypeKind::null:
      case TypeKind::large_binary:  // bytea travels typed (binary format)
        return;
      case TypeKind::string:
      case TypeKind::unicode:
        out += "::VARCHAR";  // no length: an explicit cast to VARCHAR(n) would truncate
        return;
      case TypeKind::numeric:
        out += "::NUMERIC";  // no scale: an explicit cast would round
        return;
      case TypeKind::float_:
        out += "::FLOAT";
        return;
      case TypeKind::array: {
        out += "::";
        out += type_ddl(t);
        return;
      }
      default:
        out += "::";
        out += type_ddl(t);
    }
  }

  std::string column_type_ddl(const TypeEngine& type, bool autoincrement) const override {
    if (autoincrement) {
      switch (type.dialect_impl().kind()) {
        case TypeKind::big_integer:
          return "BIGSERIAL";
        case TypeKind::small_integer:
          return "SMALLSERIAL";
        case TypeKind::integer:
          return "SERIAL";
        default:
          break;
      }
    }
    return type_ddl(type);
  }
};

// Levenshtein distance, for "did you mean" hints on misspelt keywords.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

void check_keyword(std::string_view key) {
  const auto& known = libpq_connection_keywords();
  if (std::find(known.begin(), known.end(), key) != known.end()) return;
  std::string message = "unknown PostgreSQL connection parameter '" + std::string(key) + "'";
  std::string_view best;
  std::size_t best_distance = 3;  // further than this is not a typo
  for (const auto& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
  message +=
      "; URL query parameters and connect_args are passed to libpq, which accepts the keywords "
      "listed at https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS "
      "(e.g. sslmode, connect_timeout, application_name, options)";
  throw ArgumentError(std::move(message));
}

/// The PostgreSQL dialect with the libpq driver (SQLAlchemy's PGDialect; the
/// driver part plays the role of PGDialect_psycopg2).
class PGDialect final : public PGReflection {
 public:
  std::string_view name() const override { return "postgresql"; }
  std::string_view driver() const override { return "libpq"; }
  const SQLCompiler& statement_compiler() const override { return compiler_; }

  bool has_type(Connection& conn, std::string_view type,
                const std::optional<std::string>& schema) const override {
    std::vector<Value> params{Value(std::string(type))};
    std::string sql =
        "SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = "
        "t.typnamespace WHERE t.typname = $1 AND ";
    if (schema) {
      sql += "n.nspname = $2";
      params.emplace_back(*schema);
    } else {
      sql += "pg_catalog.pg_type_is_visible(t.oid)";
    }
    return conn.exec_driver_sql(sql, params).first().has_value();
  }

  Connector connector(const URL& url, const ConnectArgs& connect_args) const override {
    // libpq keyword/value pairs; a later source replaces an earlier one, so
    // the URL's parts < its query parameters < connect_args.
    std::vector<std::string> keywords;
    std::vector<std::string> values;
    auto set = [&](std::string_view key, std::string value) {
      for (std::size_t i = 0; i < keywords.size(); ++i) {
        if (keywords[i] == key) {
          values[i] = std::move(value);
          return;
        }
      }
      keywords.emplace_back(key);
      values.push_back(std::move(value));
    };
    if (url.host() && !url.host()->empty()) {
      std::string host = *url.host();
      // make_url keeps IPv6 brackets or not; libpq wants the bare address.
      if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
      set("host", std::move(host));
    }
    if (url.port()) set("port", std::to_string(*url.port()));
    if (url.username() && !url.username()->empty()) set("user", *url.username());
    if (url.password()) set("password", *url.password());
    if (url.database() && !url.database()->empty()) set("dbname", *url.database());
    for (const auto& [key, value] : url.query()) {
      check_keyword(key);
      set(key, value);
    }
    for (const auto& [key, value] : connect_args) {
      check_keyword(key);
      set(key, value);
    }
    // Text crosses the boundary as UTF-8 (alchemy's std::string convention).
    if (std::find(keywords.begin(), keywords.end(), "client_encoding") == keywords.end())
      set("client_encoding", "UTF8");

    std::string password;
    for (std::size_t i = 0; i < keywords.size(); ++i)
      if (keywords[i] == "password") password = values[i];
    return [keywords = std::move(keywords), values = std::move(values),
            password = std::move(password)]() -> std::unique_ptr<DriverConnection> {
      return LibpqConnection::connect(keywords, values, password);
    };
  }

  PoolKind default_pool(const URL&) const override { return PoolKind::queue; }

  std::vector<std::string> isolation_levels() const override {
    return {"AUTOCOMMIT", "READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ", "SERIALIZABLE"};
  }
  std::string default_isolation_level() const override { return "READ COMMITTED"; }
  bool supports_savepoints() const override { return true; }
  bool supports_returning() const override { return true; }

 private:
  PGCompiler compiler_;
};

// psycopg2 and psycopg are accepted as driver names so URLs copied from
// SQLAlchemy configurations work unchanged; both are libpq-based too.
[[maybe_unused]] const bool registered = [] {
  register_dialect(
      "postgresql", {"", "libpq", "psycopg2", "psycopg"},
      []() -> std::shared_ptr<const Dialect> { return std::make_shared<PGDialect>(); });
  return true;
}();

}  // namespace

}  // namespace alchemy::dialects::postgresql
