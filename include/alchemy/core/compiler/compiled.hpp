// Compiled statements and what a dialect tells the compiler.
//
// Compiling a statement for a dialect yields SQL text plus the order of its bind
// parameters. Compiled forms are immutable and shared: the engine caches them and
// each pooled connection keeps its prepared statements keyed by the SQL text.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alchemy/core/value.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class TypeEngine;
struct ColumnDefault;
struct Frame;

/// How bind parameters are written in the SQL a driver receives.
enum class ParamStyle : std::uint8_t {
  qmark,           ///< `?`           (SQLite positional)
  numeric,         ///< `?1`, `?2`    (SQLite numbered: a repeated name reuses its number)
  numeric_dollar,  ///< `$1`, `$2`    (PostgreSQL)
  format,          ///< `%s`          (MySQL client libraries)
  named,           ///< `:name`       (str() of a statement: SQLAlchemy's default rendering)
};

/// The SQL flavour of a dialect as the compiler sees it: paramstyle, quoting
/// rules, capability flags and the spelling of types and a few functions. One
/// instance per dialect, shared and immutable, so compiling is thread-safe.
/// The defaults are ANSI SQL; dialects override what differs.
class ALCHEMY_EXPORT SQLCompiler {
 public:
  SQLCompiler() noexcept;
  virtual ~SQLCompiler();
  /// A number no other compiler of this process has, ever: what statements
  /// remember their compiled forms by (an address may be reused once a
  /// dialect is gone).
  std::uint64_t identity() const noexcept { return identity_; }
  /// The dialect's name ("sqlite", "postgresql").
  virtual std::string_view dialect_name() const = 0;
  /// The paramstyle text() statements use.
  virtual ParamStyle paramstyle() const = 0;
  /// The paramstyle expression-language statements use (qmark `?` on SQLite).
  virtual ParamStyle statement_paramstyle() const { return paramstyle(); }
  /// Appends the placeholder for the `position`-th distinct parameter (1-based).
  void render_bind(std::string& out, std::size_t position) const;
  void render_bind(std::string& out, std::size_t position, ParamStyle style) const;

  /// Appends `name` quoted if it must be (reserved word, upper case, leading
  /// digit, characters other than [a-z0-9_$] and non-ASCII letters).
  void quote_identifier(std::string& out, std::string_view name) const;
  /// Whether `lower` (a lower-case word) is reserved for this dialect.
  virtual bool is_reserved_word(std::string_view lower) const;
  /// The literal for a boolean (true/false, or 1/0 where booleans are integers).
  virtual std::string_view boolean_literal(bool v) const { return v ? "true" : "false"; }

  virtual bool supports_nulls_ordering() const { return true; }
  virtual bool supports_ilike() const { return false; }
  virtual bool supports_for_update() const { return true; }
  virtual bool supports_full_outer_join() const { return true; }
  virtual bool supports_distinct_on() const { return false; }
  virtual bool supports_returning() const { return true; }
  /// Whether INSERT fetches generated keys with RETURNING (else lastrowid).
  virtual bool implicit_returning() const { return true; }
  virtual bool supports_native_enum() const { return false; }
  virtual bool supports_native_boolean() const { return true; }
  /// Whether ALTER TABLE ADD CONSTRAINT works (for foreign-key cycles).
  virtual bool supports_alter() const { return true; }
  virtual bool supports_comments() const { return false; }
  virtual bool supports_concat_function() const { return true; }
  /// The type the divisor of an integer / integer is cast to, so `/` is true
  /// division as in SQLAlchemy 2.0 (REAL on SQLite, whose NUMERIC keeps integers).
  virtual std::string_view true_division_type() const { return "NUMERIC"; }
  /// Whether the backend stores this type natively, so no result conversion is
  /// needed (SQLite stores dates as text, booleans as integers ...).
  virtual bool native_result_type(const TypeEngine& type) const;

  /// The DDL spelling of a type ("VARCHAR(50)", "TIMESTAMP WITH TIME ZONE").
  virtual std::string type_ddl(const TypeEngine& type) const;
  /// The type of a column in CREATE TABLE; `autoincrement` for the table's
  /// generated integer key (PostgreSQL spells it SERIAL).
  virtual std::string column_type_ddl(const TypeEngine& type, bool autoincrement) const {
    (void)autoincrement;
    return type_ddl(type);
  }
  /// Appended after a typed placeholder (PostgreSQL: `::INTEGER`), because
  /// libpq parameters travel untyped and the server cannot always infer them
  /// (`$1 + $2`, `concat($1, ...)`). Never narrows: no lengths or scales.
  virtual void render_bind_cast(std::string& out, const TypeEngine& type) const {
    (void)out, (void)type;
  }
  /// Whether an expression DEFAULT must be parenthesised (SQLite).
  virtual bool ddl_default_parens() const { return false; }
  /// The spelling of a type in CAST(... AS type).
  virtual std::string cast_type(const TypeEngine& type) const { return type_ddl(type); }
  /// LIMIT/OFFSET; `limit` and `offset` are rendered placeholders or empty.
  virtual void render_limit_offset(std::string& out, std::string_view limit,
                                   std::string_view offset) const;
  /// The SQL for func.<name>(args) where the dialect spells it differently;
  /// false to use the generic `name(args)`.
  virtual bool render_function(std::string& out, std::string_view name,
                               const std::vector<std::string>& args) const;
  /// Renders a value as a SQL literal (DDL defaults, literal_binds).
  virtual std::string render_literal(const Value& v) const;

 private:
  std::uint64_t identity_;
};

/// Where the value of one placeholder comes from at execution.
struct BindSlot {
  /// The parameter key; execution parameters with this key win.
  std::string name;
  /// Index into the statement's literal values (see Executable::compile_for), or -1.
  std::int32_t literal = -1;
  /// The SQL type whose bind_value() converts the value (null: none).
  std::shared_ptr<const TypeEngine> type;
  /// A column default / onupdate used when the parameters leave the key out.
  const ColumnDefault* default_value = nullptr;
  /// Whether a value must be supplied (a bindparam() without value).
  bool required = false;
};

/// One column of a statement's result.
struct ResultColumn {
  std::string key;
  std::shared_ptr<const TypeEngine> type;
  /// Whether values need type->result_value() on this dialect.
  bool processes = false;
};

/// A statement compiled for one dialect.
struct ALCHEMY_EXPORT Compiled {
  /// The SQL exactly as the driver receives it.
  std::string sql;
  /// Name of each driver parameter in driver order (index 0 = first placeholder).
  std::vector<std::string> bind_names;
  /// Per placeholder, where its value comes from (expression statements; empty for text()).
  std::vector<BindSlot> slots;
  /// Result columns with their types (expression statements).
  std::vector<ResultColumn> result_columns;
  bool result_processing = false;

  enum class Kind : std::uint8_t { other, select, insert, update, delete_ };
  Kind kind = Kind::other;
  /// INSERT: the primary key columns' keys, for inserted_primary_key.
  std::vector<std::string> pk_keys;
  /// INSERT: index of the autoincrement primary key in pk_keys, or -1.
  std::int32_t autoinc_pk = -1;
  /// INSERT: RETURNING was added to fetch the primary key (the rows are not
  /// the user's: the result shows none).
  bool returning_pk = false;
  /// Whether the user asked for RETURNING.
  bool user_returning = false;
  /// INSERT with one VALUES row: the offsets of that row's "(...)" in `sql`
  /// (executemany with RETURNING repeats it into multi-row VALUES); 0 otherwise.
  std::size_t values_begin = 0;
  std::size_t values_end = 0;
  /// INSERT ... RETURNING: where " RETURNING ..." starts in `sql` (0: none).
  std::size_t returning_begin = 0;
  /// DDL: the table the statement was compiled from. (Expression statements
  /// leave it empty: the engine's cache keeps their statement alive beside the
  /// entry, and a statement's own memo must not point back at it.)
  std::shared_ptr<const void> keep_alive;
};

/// The compiled-statement cache of an engine: compiled forms keyed by a
/// statement's structure (bind values excluded) and the dialect. Thread-safe;
/// least recently used entries are evicted beyond `capacity`.
class ALCHEMY_EXPORT CompiledCache {
 public:
  explicit CompiledCache(std::size_t capacity = 500) : capacity_(capacity) {}
  std::shared_ptr<const Compiled> get(const std::string& key);
  /// Stores `compiled`; `statement` is kept alive with the entry, so the
  /// addresses in its key (tables, columns, types) stay unique while it exists.
  void put(const std::string& key, std::shared_ptr<const Compiled> compiled,
           std::shared_ptr<const void> statement = {});
  std::size_t size() const;
  std::size_t capacity() const noexcept { return capacity_; }
  std::uint64_t hits() const noexcept { return hits_; }
  std::uint64_t misses() const noexcept { return misses_; }
  void clear();

 private:
  struct Entry {
    std::shared_ptr<const Compiled> compiled;
    std::shared_ptr<const void> statement;
    std::uint64_t used = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> map_;
  std::size_t capacity_;
  std::uint64_t clock_ = 0;
  std::uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace alchemy
