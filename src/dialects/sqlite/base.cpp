// The SQLite dialect (SQLAlchemy's SQLiteDialect_pysqlite): its names, its SQL
// flavour, URL and connect-argument validation, isolation levels, and its
// registration under "sqlite", "sqlite+pysqlite" and "sqlite+sqlite3".
//
// Registered from a static initializer in this file; the alchemy_sqlite CMake
// target forces alchemy_dialect_sqlite_anchor so the object file is linked even
// from a static archive. The driver itself lives in sqlite3_driver.cpp.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "alchemy/core/types.hpp"
#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"
#include "alchemy/export.hpp"
#include "dialects/sqlite/reflection.hpp"
#include "dialects/sqlite/sqlite3_driver.hpp"

namespace alchemy::dialects::sqlite {

namespace {

constexpr std::string_view kKnownArgs = "cached_statements, check_same_thread, timeout, uri";

bool parse_bool(std::string_view name, std::string_view value) {
  std::string v(value);
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  throw ArgumentError(fmt::format(
      "sqlite argument '{}' must be a boolean (true/false/1/0), got '{}'", name, value));
}

double parse_timeout(std::string_view value) {
  double d = 0;
  const char* first = value.data();
  const char* last = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(first, last, d);
  if (value.empty() || ec != std::errc() || ptr != last || !std::isfinite(d) || d < 0) {
    throw ArgumentError(fmt::format(
        "sqlite argument 'timeout' must be a non-negative number of seconds (e.g. 5 or 0.5), "
        "got '{}'",
        value));
  }
  return d;
}

std::size_t parse_cache_size(std::string_view value) {
  std::size_t n = 0;
  const char* last = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), last, n);
  if (value.empty() || ec != std::errc() || ptr != last) {
    throw ArgumentError(fmt::format(
        "sqlite argument 'cached_statements' must be a non-negative integer, got '{}'", value));
  }
  return n;
}

bool has_part(const std::optional<std::string>& part) { return part && !part->empty(); }

}  // namespace

/// SQLite's SQL flavour as the compiler sees it: numbered `?N` placeholders.
class SQLiteCompiler final : public SQLCompiler {
 public:
  std::string_view dialect_name() const override { return "sqlite"; }
  /// text() keeps numbered ?N so a repeated :name binds one value.
  ParamStyle paramstyle() const override { return ParamStyle::numeric; }
  ParamStyle statement_paramstyle() const override { return ParamStyle::qmark; }
  std::string_view boolean_literal(bool v) const override { return v ? "1" : "0"; }
  bool supports_for_update() const override { return false; }
  bool implicit_returning() const override { return false; }
  bool supports_alter() const override { return false; }
  bool supports_concat_function() const override { return false; }
  bool supports_native_boolean() const override { return false; }
  bool ddl_default_parens() const override { return true; }
  std::string_view true_division_type() const override { return "REAL"; }

  // SQLite stores dates, times, decimals, JSON and UUIDs as text or numbers and
  // booleans as integers: results of such columns are converted back.
  bool native_result_type(const TypeEngine& type) const override {
    switch (type.dialect_impl().kind()) {
      case TypeKind::boolean:
      case TypeKind::numeric:
      case TypeKind::date:
      case TypeKind::datetime:
      case TypeKind::time:
      case TypeKind::interval:
      case TypeKind::json:
      case TypeKind::uuid:
        return false;
      default:
        return true;
    }
  }

  void render_limit_offset(std::string& out, std::string_view limit,
                           std::string_view offset) const override {
    // SQLite needs a LIMIT before OFFSET; -1 means no limit.
    if (limit.empty() && !offset.empty()) {
      out += " LIMIT -1 OFFSET ";
      out += offset;
      return;
    }
    SQLCompiler::render_limit_offset(out, limit, offset);
  }

  std::string type_ddl(const TypeEngine& type) const override {
    // Interval is stored as text; DATETIME keeps NUMERIC affinity away from it
    // (as SQLAlchemy, which declares Interval as DATETIME on SQLite).
    if (type.dialect_impl().kind() == TypeKind::interval) return "DATETIME";
    return SQLCompiler::type_ddl(type);
  }

  bool render_function(std::string& out, std::string_view name,
                       const std::vector<std::string>& args) const override {
    if (name == "now" && args.empty()) {
      out += "CURRENT_TIMESTAMP";
      return true;
    }
    if (name == "char_length") {
      out += "length(";
      for (std::size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i];
      out += ')';
      return true;
    }
    return SQLCompiler::render_function(out, name, args);
  }
};

/// The sqlite dialect with the sqlite3 C API driver (SQLAlchemy's pysqlite).
class SQLiteDialect final : public SQLiteReflection {
 public:
  std::string_view name() const override { return "sqlite"; }
  std::string_view driver() const override { return "sqlite3"; }
  const SQLCompiler& statement_compiler() const override { return compiler_; }

  bool has_table(Connection& conn, std::string_view table,
                 const std::optional<std::string>& schema) const override {
    std::string master = "sqlite_master";
    if (schema) {
      std::string q;
      compiler_.quote_identifier(q, *schema);
      master = q + ".sqlite_master";
    }
    auto r = conn.exec_driver_sql(
        "SELECT 1 FROM " + master + " WHERE type IN ('table', 'view') AND name = ?",
        {Value(std::string(table))});
    return r.first().has_value();
  }

  Connector connector(const URL& url, const ConnectArgs& connect_args) const override {
    if (has_part(url.host()) || url.port() || has_part(url.username()) ||
        has_part(url.password())) {
      throw ArgumentError(fmt::format(
          "Invalid SQLite URL '{}': SQLite URLs have no host, port, user name or password; the "
          "database is a file path. Valid SQLite URL forms are: sqlite:///relative.db (relative "
          "to the working directory), sqlite:////abs/path.db (absolute path), "
          "sqlite:///:memory: or sqlite:// (in-memory database)",
          url.str()));
    }

    // URL query first, connect_args win.
    ConnectArgs from_url;
    for (const auto& [k, v] : url.query()) from_url[k] = v;
    ConnectArgs merged = from_url;
    for (const auto& [k, v] : connect_args) merged[k] = v;

    ConnectParams params;
    if (auto it = merged.find("uri"); it != merged.end())
      params.uri = parse_bool("uri", it->second);

    // With uri=true, URL query parameters the driver does not know belong to
    // the SQLite URI ("?mode=ro&cache=shared"), as in SQLAlchemy's pysqlite
    // create_connect_args. Sorted by name (ConnectArgs is ordered).
    std::vector<std::pair<std::string, std::string>> uri_opts;
    for (const auto& [k, v] : merged) {
      if (k == "timeout") {
        params.timeout = parse_timeout(v);
      } else if (k == "uri") {
        // parsed above
      } else if (k == "check_same_thread") {
        // Accepted for SQLAlchemy compatibility and ignored: the pool hands a
        // connection to one thread at a time.
        (void)parse_bool(k, v);
      } else if (k == "cached_statements") {
        params.cached_statements = parse_cache_size(v);
      } else if (params.uri && !connect_args.contains(k) && from_url.contains(k)) {
        uri_opts.emplace_back(k, v);
      } else {
        throw ArgumentError(fmt::format(
            "Unknown argument '{}' for the sqlite dialect (URL query or connect_args); known "
            "arguments are: {}. With uri=true, other URL query parameters are passed on to "
            "SQLite's URI filename.",
            k, kKnownArgs));
      }
    }

    const std::string database = url.database().value_or("");
    params.filename = database.empty() ? std::string(":memory:") : database;
    if (params.uri && !uri_opts.empty()) {
      params.filename += params.filename.find('?') == std::string::npos ? '?' : '&';
      bool first = true;
      for (const auto& [k, v] : uri_opts) {
        if (!first) params.filename += '&';
        first = false;
        params.filename += k;
        params.filename += '=';
        params.filename += v;
      }
    }
    return [params]() { return connect(params); };
  }

  PoolKind default_pool(const URL& url) const override {
    // SQLAlchemy's SQLiteDialect_pysqlite._is_url_file_db, plus the URI forms.
    const std::string database = url.database().value_or("");
    if (database.empty() || database == ":memory:") return PoolKind::static_;
    if (url.query_value("mode") == "memory") return PoolKind::static_;
    if (database.find("mode=memory") != std::string::npos) return PoolKind::static_;
    if (database.starts_with("file::memory:")) return PoolKind::static_;
    return PoolKind::queue;
  }

  std::vector<std::string> isolation_levels() const override {
    return {"AUTOCOMMIT", "READ UNCOMMITTED", "SERIALIZABLE"};
  }
  std::string default_isolation_level() const override { return "SERIALIZABLE"; }
  bool supports_savepoints() const override { return true; }
  // RETURNING arrived in SQLite 3.35 (Debian 12 ships 3.40).
  bool supports_returning() const override { return sqlite3_libversion_number() >= 3035000; }
  bool supports_executemany_rowid() const override { return true; }

 private:
  SQLiteCompiler compiler_;
};

namespace {

[[maybe_unused]] const bool registered = [] {
  register_dialect("sqlite", {"", "pysqlite", "sqlite3"},
                   [] { return std::make_shared<const SQLiteDialect>(); });
  return true;
}();

}  // namespace

}  // namespace alchemy::dialects::sqlite

/// Referenced by `-u` on the link line so this object file (and its
/// registering static initializer) is linked from a static archive.
extern "C" ALCHEMY_EXPORT void alchemy_dialect_sqlite_anchor() {}
