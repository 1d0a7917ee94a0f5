// SQLite reflection: see reflection.hpp. The shape follows SQLAlchemy's
// dialects/sqlite/base.py (get_columns, get_foreign_keys, get_unique_constraints,
// get_check_constraints, get_indexes, _resolve_type_affinity). Where
// SQLAlchemy matches regular expressions against sqlite_master.sql, this file
// tokenizes the statement and walks it, so quoted names, lower-case keywords,
// nested parentheses and several constraints on one line are read correctly.
#include "dialects/sqlite/reflection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "alchemy/core/types.hpp"
#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/reflection.hpp"
#include "alchemy/exc.hpp"

namespace alchemy::dialects::sqlite {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return upper(a) == upper(b); }

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string quoted(const Dialect& d, std::string_view name) {
  std::string out;
  d.statement_compiler().quote_identifier(out, name);
  return out;
}

[[noreturn]] void no_such_table(std::string_view table, const std::optional<std::string>& schema) {
  throw NoSuchTableError(fmt::format(
      "Table '{}' does not exist in SQLite schema '{}'; check the spelling and the schema "
      "(inspect(engine).get_table_names() lists the tables), or create it first",
      table, schema.value_or("main")));
}

// ---- catalog queries --------------------------------------------------------------------

// PRAGMA <schema>.<pragma>(<table>): without a schema, "main" then "temp" (as
// SQLAlchemy's _get_table_pragma), since PRAGMA alone would search every
// attached database.
std::vector<Row> table_pragma(const Dialect& d, Connection& conn, std::string_view pragma,
                              std::string_view table, const std::optional<std::string>& schema) {
  std::vector<std::string> prefixes;
  if (schema) {
    prefixes.push_back("PRAGMA " + quoted(d, *schema) + ".");
  } else {
    prefixes = {"PRAGMA main.", "PRAGMA temp."};
  }
  for (const auto& p : prefixes) {
    std::string sql = p;
    sql += pragma;
    sql += "(" + quoted(d, table) + ")";
    auto result = conn.exec_driver_sql(sql);
    auto rows = result.fetchall();
    if (!rows.empty()) return rows;
  }
  return {};
}

std::string master_union(const Dialect& d, const std::optional<std::string>& schema) {
  if (schema) return quoted(d, *schema) + ".sqlite_master";
  return "(SELECT * FROM main.sqlite_master UNION ALL SELECT * FROM temp.sqlite_master)";
}

// The CREATE statement SQLite keeps for a table / index, if any.
std::optional<std::string> object_sql(const Dialect& d, Connection& conn, std::string_view type,
                                      std::string_view name,
                                      const std::optional<std::string>& schema) {
  auto result = conn.exec_driver_sql(
      "SELECT sql FROM " + master_union(d, schema) + " WHERE type = ? AND name = ?",
      {Value(std::string(type)), Value(std::string(name))});
  auto row = result.first();
  if (!row) return std::nullopt;
  return row->get<std::optional<std::string>>(0);
}

bool table_exists(const Dialect& d, Connection& conn, std::string_view table,
                  const std::optional<std::string>& schema) {
  auto result = conn.exec_driver_sql(
      "SELECT 1 FROM " + master_union(d, schema) + " WHERE type IN ('table', 'view') AND name = ?",
      {Value(std::string(table))});
  return result.first().has_value();
}

void require_table(const Dialect& d, Connection& conn, std::string_view table,
                   const std::optional<std::string>& schema) {
  if (!table_exists(d, conn, table, schema)) no_such_table(table, schema);
}

// ---- types ------------------------------------------------------------------------------

std::vector<int> int_args(std::string_view args) {
  std::vector<int> out;
  std::size_t i = 0;
  while (i < args.size()) {
    if (std::isdigit(static_cast<unsigned char>(args[i]))) {
      int v = 0;
      while (i < args.size() && std::isdigit(static_cast<unsigned char>(args[i]))) {
        v = v * 10 + (args[i] - '0');
        ++i;
      }
      out.push_back(v);
    } else {
      ++i;
    }
  }
  return out;
}

// SQLAlchemy's SQLiteDialect._resolve_type_affinity: the declared type name
// through ischema_names, else SQLite's affinity rules
// (https://www.sqlite.org/datatype3.html, section 3.1).
TypeRef resolve_type(std::string_view declared) {
  const std::string decl = upper(trim(declared));
  std::string name = decl;
  std::string args;
  if (auto paren = decl.find('('); paren != std::string::npos) {
    name = trim(decl.substr(0, paren));
    args = decl.substr(paren);
  }
  const std::vector<int> a = int_args(args);
  auto arg = [&](std::size_t i) -> std::optional<int> {
    return i < a.size() ? std::optional<int>(a[i]) : std::nullopt;
  };
  if (name == "INTEGER" || name == "INT") return types::Integer;
  if (name == "BIGINT") return types::BigInteger;
  if (name == "SMALLINT") return types::SmallInteger;
  if (name == "VARCHAR" || name == "CHAR" || name == "CHARACTER" || name == "CHARACTER VARYING" ||
      name == "VARYING CHARACTER")
    return types::String(arg(0));
  if (name == "NVARCHAR" || name == "NCHAR" || name == "NATIVE CHARACTER")
    return types::Unicode(arg(0));
  if (name == "TEXT" || name == "CLOB") return types::Text;
  if (name == "BOOLEAN" || name == "BOOL") return types::Boolean;
  if (name == "FLOAT") return types::Float(arg(0));
  if (name == "REAL" || name == "DOUBLE" || name == "DOUBLE PRECISION") return types::Float();
  if (name == "NUMERIC" || name == "DECIMAL") return types::Numeric(arg(0), arg(1));
  if (name == "DATE" || name == "DATE_CHAR") return types::Date;
  if (name == "DATETIME" || name == "TIMESTAMP" || name == "DATETIME_CHAR")
    return types::DateTime(false);
  if (name == "TIME" || name == "TIME_CHAR") return types::Time(false);
  if (name == "BLOB") return types::LargeBinary;
  if (name == "JSON") return types::JSON;
  // Affinity rules for names SQLite accepts but alchemy never writes.
  if (name.find("INT") != std::string::npos) return types::Integer;
  if (name.find("CHAR") != std::string::npos || name.find("CLOB") != std::string::npos ||
      name.find("TEXT") != std::string::npos)
    return types::Text;
  if (name.find("BLOB") != std::string::npos || name.empty()) return types::null_type();
  if (name.find("REAL") != std::string::npos || name.find("FLOA") != std::string::npos ||
      name.find("DOUB") != std::string::npos)
    return types::Float();
  return types::Numeric(arg(0), arg(1));
}

// ---- a small tokenizer for CREATE TABLE / CREATE INDEX ----------------------------------

struct Token {
  enum class Kind { word, identifier, string, punct };
  Kind kind;
  std::string text;  // identifiers unquoted; words as written
  std::size_t begin;
  std::size_t end;
  bool is(char c) const { return kind == Kind::punct && text.size() == 1 && text[0] == c; }
  bool keyword(std::string_view k) const { return kind == Kind::word && iequals(text, k); }
  /// A name: a bare word or a quoted identifier (SQLite also accepts 'name').
  bool is_name() const { return kind != Kind::punct; }
};

std::vector<Token> tokenize(std::string_view sql) {
  std::vector<Token> out;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  auto quoted_run = [&](char close, Token::Kind kind) {
    const std::size_t begin = i++;
    std::string text;
    while (i < n) {
      if (sql[i] == close) {
        if (close != ']' && i + 1 < n && sql[i + 1] == close) {
          text += close;
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      text += sql[i++];
    }
    out.push_back({kind, std::move(text), begin, i});
  };
  while (i < n) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const auto close = sql.find("*/", i + 2);
      i = close == std::string_view::npos ? n : close + 2;
    } else if (c == '"') {
      quoted_run('"', Token::Kind::identifier);
    } else if (c == '`') {
      quoted_run('`', Token::Kind::identifier);
    } else if (c == '[') {
      quoted_run(']', Token::Kind::identifier);
    } else if (c == '\'') {
      quoted_run('\'', Token::Kind::string);
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t begin = i;
      while (i < n && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                       sql[i] == '$' || static_cast<unsigned char>(sql[i]) >= 0x80))
        ++i;
      out.push_back({Token::Kind::word, std::string(sql.substr(begin, i - begin)), begin, i});
    } else {
      out.push_back({Token::Kind::punct, std::string(1, c), i, i + 1});
      ++i;
    }
  }
  return out;
}

using Span = std::pair<std::size_t, std::size_t>;  // token indexes [first, last)

// The index of the ')' matching the '(' at `open`, or `limit`.
std::size_t close_paren(const std::vector<Token>& t, std::size_t open, std::size_t limit) {
  int depth = 0;
  for (std::size_t i = open; i < limit; ++i) {
    if (t[i].is('(')) ++depth;
    if (t[i].is(')') && --depth == 0) return i;
  }
  return limit;
}

// Splits the tokens between '(' at `open` and its ')' at commas of that level.
std::vector<Span> split_group(const std::vector<Token>& t, std::size_t open, std::size_t close) {
  std::vector<Span> out;
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i < close; ++i) {
    if (t[i].is('(')) ++depth;
    if (t[i].is(')')) --depth;
    if (depth == 0 && t[i].is(',')) {
      out.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < close) out.emplace_back(start, close);
  return out;
}

// The SQL text between two tokens, as written.
std::string source(std::string_view sql, const std::vector<Token>& t, std::size_t first,
                   std::size_t last) {
  if (first >= last) return {};
  return trim(sql.substr(t[first].begin, t[last - 1].end - t[first].begin));
}

// Column names of "(a, "b c" COLLATE nocase DESC, ...)": the first name of each item.
std::vector<std::string> name_list(const std::vector<Token>& t, std::size_t open,
                                   std::size_t close) {
  std::vector<std::string> out;
  for (const auto& [b, e] : split_group(t, open, close))
    if (b < e && t[b].is_name()) out.push_back(t[b].text);
  return out;
}

struct ParsedForeignKey {
  std::optional<std::string> name;
  std::vector<std::string> columns;
  std::string referred_table;
  std::vector<std::string> referred_columns;
  std::optional<bool> deferrable;
  std::string initially;
};

struct ParsedTable {
  std::optional<std::string> pk_name;
  std::vector<ReflectedUniqueConstraint> uniques;
  std::vector<ReflectedCheckConstraint> checks;
  std::vector<ParsedForeignKey> foreign_keys;
};

class TableParser {
 public:
  explicit TableParser(std::string_view sql) : sql_(sql), t_(tokenize(sql)) {}

  ParsedTable parse() {
    std::size_t open = 0;
    while (open < t_.size() && !t_[open].is('(')) ++open;
    if (open == t_.size()) return out_;  // CREATE TABLE ... AS SELECT: no definitions
    const std::size_t close = close_paren(t_, open, t_.size());
    for (const auto& [b, e] : split_group(t_, open, close)) {
      if (b == e) continue;
      const Token& first = t_[b];
      if (first.keyword("CONSTRAINT") || first.keyword("PRIMARY") || first.keyword("UNIQUE") ||
          first.keyword("CHECK") || first.keyword("FOREIGN")) {
        constraints(b, e, std::nullopt);
      } else {
        constraints(b + 1, e, first.text);  // a column definition: its name, then the rest
      }
    }
    return out_;
  }

 private:
  // Walks table constraints (column == nullopt) or a column's constraints.
  void constraints(std::size_t i, std::size_t e, const std::optional<std::string>& column) {
    std::optional<std::string> name;
    while (i < e) {
      const Token& tok = t_[i];
      if (tok.keyword("CONSTRAINT") && i + 1 < e) {
        name = t_[i + 1].text;
        i += 2;
      } else if (tok.keyword("PRIMARY")) {
        out_.pk_name = name;
        name.reset();
        i = skip_group(i + 1, e);  // KEY (cols) or KEY
      } else if (tok.keyword("UNIQUE")) {
        std::vector<std::string> cols;
        if (column) {
          cols = {*column};
          ++i;
        } else if (i + 1 < e && t_[i + 1].is('(')) {
          const std::size_t close = close_paren(t_, i + 1, e);
          cols = name_list(t_, i + 1, close);
          i = close + 1;
        } else {
          ++i;
        }
        out_.uniques.push_back({name, std::move(cols)});
        name.reset();
      } else if (tok.keyword("CHECK") && i + 1 < e && t_[i + 1].is('(')) {
        const std::size_t close = close_paren(t_, i + 1, e);
        out_.checks.push_back({name, source(sql_, t_, i + 2, close)});
        name.reset();
        i = close + 1;
      } else if (tok.keyword("FOREIGN") && i + 2 < e && t_[i + 2].is('(')) {
        ParsedForeignKey fk;
        fk.name = name;
        name.reset();
        const std::size_t close = close_paren(t_, i + 2, e);
        fk.columns = name_list(t_, i + 2, close);
        i = close + 1;
        if (i < e && t_[i].keyword("REFERENCES")) i = references(i, e, fk);
        out_.foreign_keys.push_back(std::move(fk));
      } else if (tok.keyword("REFERENCES") && column) {
        ParsedForeignKey fk;
        fk.name = name;
        name.reset();
        fk.columns = {*column};
        i = references(i, e, fk);
        out_.foreign_keys.push_back(std::move(fk));
      } else if (tok.is('(')) {
        i = close_paren(t_, i, e) + 1;  // VARCHAR(50), DEFAULT (expr), AS (expr)
      } else if (tok.keyword("NOT") || tok.keyword("NULL") || tok.keyword("DEFAULT") ||
                 tok.keyword("COLLATE") || tok.keyword("GENERATED") || tok.keyword("AS")) {
        name.reset();  // CONSTRAINT nn NOT NULL: a name we do not report
        ++i;
      } else {
        ++i;
      }
    }
  }

  std::size_t skip_group(std::size_t i, std::size_t e) {
    while (i < e && !t_[i].is('(') && !t_[i].keyword("CONSTRAINT") && !t_[i].keyword("UNIQUE") &&
           !t_[i].keyword("CHECK") && !t_[i].keyword("REFERENCES") && !t_[i].keyword("NOT") &&
           !t_[i].keyword("DEFAULT"))
      ++i;
    if (i < e && t_[i].is('(')) return close_paren(t_, i, e) + 1;
    return i;
  }

  // REFERENCES table [(cols)] [ON DELETE|UPDATE action | MATCH name]*
  // [[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]]
  std::size_t references(std::size_t i, std::size_t e, ParsedForeignKey& fk) {
    ++i;
    if (i < e) fk.referred_table = t_[i++].text;
    if (i < e && t_[i].is('(')) {
      const std::size_t close = close_paren(t_, i, e);
      fk.referred_columns = name_list(t_, i, close);
      i = close + 1;
    }
    while (i < e) {
      if (t_[i].keyword("ON")) {
        // ON DELETE|UPDATE SET NULL|SET DEFAULT|CASCADE|RESTRICT|NO ACTION; the
        // actions themselves come from PRAGMA foreign_key_list.
        i += 2;
        i += i < e && (t_[i].keyword("SET") || t_[i].keyword("NO")) ? 2 : 1;
      } else if (t_[i].keyword("MATCH")) {
        i += 2;
      } else if (t_[i].keyword("NOT") && i + 1 < e && t_[i + 1].keyword("DEFERRABLE")) {
        fk.deferrable = false;
        i += 2;
      } else if (t_[i].keyword("DEFERRABLE")) {
        fk.deferrable = true;
        ++i;
      } else if (t_[i].keyword("INITIALLY") && i + 1 < e) {
        fk.initially = upper(t_[i + 1].text);
        i += 2;
      } else if (t_[i].keyword("CONSTRAINT") || t_[i].keyword("CHECK") || t_[i].keyword("UNIQUE") ||
                 t_[i].keyword("PRIMARY") || t_[i].keyword("REFERENCES") ||
                 t_[i].keyword("DEFAULT") || t_[i].keyword("COLLATE")) {
        break;  // the column's next constraint
      } else if (t_[i].keyword("NOT") || t_[i].keyword("NULL")) {
        break;
      } else {
        ++i;
      }
    }
    return i;
  }

  std::string_view sql_;
  std::vector<Token> t_;
  ParsedTable out_;
};

ParsedTable parse_table(const Dialect& d, Connection& conn, std::string_view table,
                        const std::optional<std::string>& schema) {
  const auto sql = object_sql(d, conn, "table", table, schema);
  if (!sql) {
    if (!table_exists(d, conn, table, schema)) no_such_table(table, schema);
    return {};  // a view
  }
  return TableParser(*sql).parse();
}

// The elements of CREATE INDEX name ON table (e1, e2 ...) as written, without
// ASC/DESC.
std::vector<std::string> index_elements(std::string_view sql) {
  const auto t = tokenize(sql);
  std::size_t i = 0;
  while (i < t.size() && !t[i].keyword("ON")) ++i;
  while (i < t.size() && !t[i].is('(')) ++i;
  if (i == t.size()) return {};
  const std::size_t close = close_paren(t, i, t.size());
  std::vector<std::string> out;
  for (auto [b, e] : split_group(t, i, close)) {
    if (e > b && (t[e - 1].keyword("ASC") || t[e - 1].keyword("DESC"))) --e;
    out.push_back(source(sql, t, b, e));
  }
  return out;
}

}  // namespace

// ---- SQLiteReflection -----------------------------------------------------------------------

std::string SQLiteReflection::default_schema_name(Connection& /*conn*/) const { return "main"; }

std::vector<std::string> SQLiteReflection::get_table_names(
    Connection& conn, const std::optional<std::string>& schema) const {
  const std::string master = quoted(*this, schema.value_or("main")) + ".sqlite_master";
  // SQLAlchemy 2.0 leaves out SQLite's own tables (sqlite_sequence, sqlite_stat1 ...).
  auto result = conn.exec_driver_sql("SELECT name FROM " + master +
                                     " WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' "
                                     "ESCAPE '~' ORDER BY name");
  std::vector<std::string> out;
  for (const auto& row : result.fetchall()) out.push_back(row.get<std::string>(0));
  return out;
}

std::vector<ReflectedColumn> SQLiteReflection::get_columns(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  // table_xinfo (SQLite 3.26+) also lists generated columns and marks hidden ones.
  const auto rows = table_pragma(*this, conn, "table_xinfo", table, schema);
  if (rows.empty()) no_such_table(table, schema);
  std::vector<ReflectedColumn> out;
  for (const auto& row : rows) {
    // cid, name, type, notnull, dflt_value, pk, hidden (1: hidden column of a virtual table)
    if (row.get<std::int64_t>(6) == 1) continue;
    ReflectedColumn c;
    c.name = row.get<std::string>(1);
    c.type = resolve_type(row.get<std::optional<std::string>>(2).value_or(""));
    c.nullable = row.get<std::int64_t>(3) == 0;
    c.default_ = row.get<std::optional<std::string>>(4);
    out.push_back(std::move(c));
  }
  return out;
}

ReflectedPrimaryKeyConstraint SQLiteReflection::get_pk_constraint(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const auto rows = table_pragma(*this, conn, "table_xinfo", table, schema);
  if (rows.empty()) no_such_table(table, schema);
  std::vector<std::pair<std::int64_t, std::string>> key;  // position in the key, name
  for (const auto& row : rows)
    if (auto pos = row.get<std::int64_t>(5); pos > 0)
      key.emplace_back(pos, row.get<std::string>(1));
  std::sort(key.begin(), key.end());
  ReflectedPrimaryKeyConstraint out;
  for (auto& [pos, name] : key) out.constrained_columns.push_back(std::move(name));
  if (!key.empty()) out.name = parse_table(*this, conn, table, schema).pk_name;
  return out;
}

std::vector<ReflectedForeignKeyConstraint> SQLiteReflection::get_foreign_keys(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const ParsedTable parsed = parse_table(*this, conn, table, schema);
  // id, seq, table, from, to, on_update, on_delete, match; one row per column.
  const auto rows = table_pragma(*this, conn, "foreign_key_list", table, schema);
  std::map<std::int64_t, ReflectedForeignKeyConstraint> by_id;
  auto action = [](const std::optional<std::string>& a) {
    const std::string up = upper(a.value_or(""));
    return up == "NO ACTION" ? std::string() : up;
  };
  for (const auto& row : rows) {
    auto& fk = by_id[row.get<std::int64_t>(0)];
    if (fk.referred_table.empty()) {
      fk.referred_table = row.get<std::string>(2);
      fk.referred_schema = schema;
      fk.options.onupdate = action(row.get<std::optional<std::string>>(5));
      fk.options.ondelete = action(row.get<std::optional<std::string>>(6));
    }
    fk.constrained_columns.push_back(row.get<std::string>(3));
    if (auto to = row.get<std::optional<std::string>>(4)) fk.referred_columns.push_back(*to);
  }
  std::vector<ReflectedForeignKeyConstraint> fks;
  for (auto& [id, fk] : by_id) {
    if (fk.referred_columns.empty()) {
      // REFERENCES t without columns: the referred table's primary key.
      try {
        fk.referred_columns =
            get_pk_constraint(conn, fk.referred_table, schema).constrained_columns;
      } catch (const NoSuchTableError&) {
        // SQLite allows a reference to a table that does not exist (yet).
      }
    }
    fks.push_back(std::move(fk));
  }
  // Names and DEFERRABLE come from the CREATE TABLE text, matched by signature;
  // the result follows the order of the DDL, unmatched (unparsable) ones last.
  auto same = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!iequals(a[i], b[i])) return false;
    return true;
  };
  std::vector<ReflectedForeignKeyConstraint> out;
  std::vector<bool> used(fks.size(), false);
  for (const auto& p : parsed.foreign_keys) {
    for (std::size_t k = 0; k < fks.size(); ++k) {
      auto& fk = fks[k];
      if (used[k] || !iequals(fk.referred_table, p.referred_table) ||
          !same(fk.constrained_columns, p.columns) ||
          (!p.referred_columns.empty() && !same(fk.referred_columns, p.referred_columns)))
        continue;
      used[k] = true;
      fk.name = p.name;
      fk.options.deferrable = p.deferrable;
      fk.options.initially = p.initially;
      out.push_back(std::move(fk));
      break;
    }
  }
  for (std::size_t k = 0; k < fks.size(); ++k)
    if (!used[k]) out.push_back(std::move(fks[k]));
  return out;
}

std::vector<ReflectedIndex> SQLiteReflection::get_indexes(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  require_table(*this, conn, table, schema);
  std::vector<ReflectedIndex> out;
  // seq, name, unique, origin ('c': CREATE INDEX, 'u': UNIQUE, 'pk'), partial
  for (const auto& row : table_pragma(*this, conn, "index_list", table, schema)) {
    if (row.get<std::string>(3) != "c") continue;  // sqlite_autoindex_*: constraints
    ReflectedIndex idx;
    idx.name = row.get<std::string>(1);
    idx.unique = row.get<std::int64_t>(2) != 0;
    bool has_expression = false;
    // seqno, cid (-2: expression, -1: rowid), name, desc, coll, key (0: auxiliary)
    for (const auto& col : table_pragma(*this, conn, "index_xinfo", idx.name, schema)) {
      if (col.get<std::int64_t>(5) == 0) continue;
      const auto cid = col.get<std::int64_t>(1);
      if (cid == -2) {
        has_expression = true;
        idx.column_names.emplace_back(std::nullopt);
      } else {
        idx.column_names.emplace_back(
            col.get<std::optional<std::string>>(2).value_or(cid == -1 ? "rowid" : ""));
      }
    }
    if (has_expression) {
      // PRAGMA index_xinfo does not give the expressions; the CREATE INDEX does.
      const auto sql = object_sql(*this, conn, "index", idx.name, schema);
      const auto elements = sql ? index_elements(*sql) : std::vector<std::string>{};
      for (std::size_t k = 0; k < idx.column_names.size(); ++k) {
        if (idx.column_names[k]) {
          idx.expressions.push_back(*idx.column_names[k]);
        } else {
          idx.expressions.push_back(k < elements.size() ? elements[k] : std::string());
        }
      }
    }
    out.push_back(std::move(idx));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<ReflectedUniqueConstraint> SQLiteReflection::get_unique_constraints(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  return parse_table(*this, conn, table, schema).uniques;
}

std::vector<ReflectedCheckConstraint> SQLiteReflection::get_check_constraints(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  return parse_table(*this, conn, table, schema).checks;
}

}  // namespace alchemy::dialects::sqlite
