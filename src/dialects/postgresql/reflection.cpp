// PostgreSQL reflection: see reflection.hpp. What each method returns follows
// SQLAlchemy's dialects/postgresql/base.py (get_columns, get_pk_constraint,
// get_foreign_keys, get_indexes, get_unique_constraints,
// get_check_constraints, get_table_comment); the queries read pg_catalog
// directly and return one row per constraint column (unnest ... WITH
// ORDINALITY), so no array values need parsing on this side.
#include "dialects/postgresql/reflection.hpp"

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

namespace alchemy::dialects::postgresql {

namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// The oid of a table, view or foreign table, or empty when there is none.
std::optional<std::int64_t> find_table_oid(Connection& conn, std::string_view table,
                                           const std::optional<std::string>& schema) {
  std::vector<Value> params{Value(std::string(table))};
  std::string sql =
      "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ";
  if (schema) {
    sql += "n.nspname = $2";
    params.emplace_back(*schema);
  } else {
    sql += "pg_catalog.pg_table_is_visible(c.oid)";
  }
  auto row = conn.exec_driver_sql(sql, params).first();
  if (!row) return std::nullopt;
  return row->get<std::int64_t>(0);
}

// The oid of a table, view or foreign table; NoSuchTableError when there is none.
std::int64_t table_oid(Connection& conn, std::string_view table,
                       const std::optional<std::string>& schema) {
  auto oid = find_table_oid(conn, table, schema);
  if (!oid) {
    throw NoSuchTableError(fmt::format(
        "Table '{}' does not exist in PostgreSQL {}; check the spelling (unquoted names are "
        "folded to lower case when created) and the schema (inspect(engine).get_table_names() "
        "lists the tables), or create it first",
        table,
        schema ? fmt::format("schema '{}'", *schema) : std::string("schemas on the search_path")));
  }
  return *oid;
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

struct EnumInfo {
  std::string name;
  std::vector<std::string> labels;
};

// format_type() text -> alchemy type, as SQLAlchemy's PGDialect._get_column_info
// with ischema_names. `ndims` is pg_attribute.attndims.
TypeRef resolve_type(std::string format, int ndims, const std::optional<EnumInfo>& enum_info) {
  int dims = 0;
  while (format.size() >= 2 && format.compare(format.size() - 2, 2, "[]") == 0) {
    format.resize(format.size() - 2);
    ++dims;
  }
  // "timestamp(3) with time zone" -> "timestamp with time zone" + (3)
  std::string name;
  std::string args;
  if (auto open = format.find('('); open != std::string::npos) {
    const auto close = format.find(')', open);
    args = format.substr(open, close == std::string::npos ? std::string::npos : close - open + 1);
    name = trim(format.substr(0, open)) +
           (close == std::string::npos ? "" : " " + trim(format.substr(close + 1)));
    name = trim(name);
  } else {
    name = format;
  }
  const std::vector<int> a = int_args(args);
  auto arg = [&](std::size_t i) -> std::optional<int> {
    return i < a.size() ? std::optional<int>(a[i]) : std::nullopt;
  };
  TypeRef t;
  if (enum_info) {
    t = types::Enum(enum_info->labels, enum_info->name);
  } else if (name == "integer") {
    t = types::Integer;
  } else if (name == "bigint") {
    t = types::BigInteger;
  } else if (name == "smallint") {
    t = types::SmallInteger;
  } else if (name == "character varying" || name == "character") {
    t = types::String(arg(0));  // alchemy has no CHAR: character(n) reads as String(n)
  } else if (name == "text") {
    t = types::Text;
  } else if (name == "boolean") {
    t = types::Boolean;
  } else if (name == "numeric") {
    t = types::Numeric(arg(0), arg(1));
  } else if (name == "real") {
    t = types::Float(24);
  } else if (name == "double precision") {
    t = types::Float();  // what Float() creates (PostgreSQL's FLOAT is double precision)
  } else if (name == "date") {
    t = types::Date;
  } else if (name == "timestamp without time zone" || name == "timestamp") {
    t = types::DateTime(false);
  } else if (name == "timestamp with time zone") {
    t = types::DateTime(true);
  } else if (name == "time without time zone" || name == "time") {
    t = types::Time(false);
  } else if (name == "time with time zone") {
    t = types::Time(true);
  } else if (name.rfind("interval", 0) == 0) {
    t = types::Interval;
  } else if (name == "bytea") {
    t = types::LargeBinary;
  } else if (name == "json" || name == "jsonb") {
    t = types::JSON;
  } else if (name == "uuid") {
    t = types::UUID;
  } else {
    t = types::null_type();
  }
  if (dims > 0 || ndims > 0) return types::ARRAY(t, std::max(dims, ndims));
  return t;
}

EnumInfo load_enum(Connection& conn, std::int64_t oid) {
  EnumInfo info;
  auto rows = conn.exec_driver_sql(
                      "SELECT t.typname, e.enumlabel FROM pg_catalog.pg_enum e JOIN "
                      "pg_catalog.pg_type t ON t.oid = e.enumtypid WHERE e.enumtypid = $1 ORDER "
                      "BY e.enumsortorder",
                      {Value(oid)})
                  .fetchall();
  for (const auto& row : rows) {
    info.name = row.get<std::string>(0);
    info.labels.push_back(row.get<std::string>(1));
  }
  return info;
}

bool is_integer(const TypeRef& t) { return t && t->is_integer(); }

// "CHECK (age >= 18) NOT VALID" -> "age >= 18" (SQLAlchemy's get_check_constraints).
std::string check_sqltext(const std::string& def) {
  std::string s = trim(def);
  for (bool again = true; again;) {  // "... NO INHERIT NOT VALID"
    again = false;
    for (std::string_view suffix : {" NOT VALID", " NO INHERIT"}) {
      if (s.size() > suffix.size() &&
          s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
        s.resize(s.size() - suffix.size());
        again = true;
      }
    }
  }
  if (s.rfind("CHECK", 0) == 0) s = trim(s.substr(5));
  // Strip CHECK's parentheses, then any pair that still encloses the whole
  // condition (as SQLAlchemy does).
  auto strip = [](std::string& x) {
    x = trim(x);
    if (x.size() < 2 || x.front() != '(' || x.back() != ')') return;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const char c = x[i];
      if (c == '\'') quoted = !quoted;
      if (quoted) continue;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0 && i + 1 != x.size()) return;  // "(a) AND (b)"
    }
    x = trim(x.substr(1, x.size() - 2));
  };
  strip(s);
  strip(s);
  return s;
}

std::string action(const std::string& code) {
  if (code == "r") return "RESTRICT";
  if (code == "c") return "CASCADE";
  if (code == "n") return "SET NULL";
  if (code == "d") return "SET DEFAULT";
  return {};  // 'a': NO ACTION, the default
}

}  // namespace

bool PGReflection::has_table(Connection& conn, std::string_view table,
                             const std::optional<std::string>& schema) const {
  return find_table_oid(conn, table, schema).has_value();
}

// ---- PGReflection ---------------------------------------------------------------------------

std::string PGReflection::default_schema_name(Connection& conn) const {
  auto row = conn.exec_driver_sql("SELECT pg_catalog.current_schema()").first();
  if (!row || row->is_null(0))
    throw InvalidRequestError(
        "PostgreSQL has no current schema (the search_path names no existing schema); set "
        "search_path, e.g. with ?options=-csearch_path%3Dpublic in the URL");
  return row->get<std::string>(0);
}

std::vector<std::string> PGReflection::get_table_names(
    Connection& conn, const std::optional<std::string>& schema) const {
  std::vector<Value> params;
  std::string sql =
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
      "c.relnamespace WHERE c.relkind IN ('r', 'p') AND ";
  if (schema) {
    sql += "n.nspname = $1";
    params.emplace_back(*schema);
  } else {
    sql += "n.nspname = pg_catalog.current_schema()";
  }
  sql += " ORDER BY c.relname";
  std::vector<std::string> out;
  for (const auto& row : conn.exec_driver_sql(sql, params).fetchall())
    out.push_back(row.get<std::string>(0));
  return out;
}

std::vector<ReflectedColumn> PGReflection::get_columns(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  // A domain reads as its base type, its NOT NULL and default applying unless
  // the column has its own (as SQLAlchemy's _load_domains).
  const auto rows =
      conn.exec_driver_sql(
              "SELECT a.attname, "
              "CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, "
              "t.typtypmod) ELSE pg_catalog.format_type(a.atttypid, a.atttypmod) END, "
              "COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid), "
              "CASE WHEN t.typtype = 'd' THEN t.typdefault END), "
              "a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), "
              "pgd.description, a.attndims, "
              "CASE WHEN t.typtype = 'e' THEN t.oid WHEN et.typtype = 'e' THEN et.oid END, "
              "a.attidentity::text, a.attgenerated::text "
              "FROM pg_catalog.pg_attribute a "
              "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
              "LEFT JOIN pg_catalog.pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem "
              "LEFT JOIN pg_catalog.pg_attrdef d ON a.atthasdef AND d.adrelid = a.attrelid AND "
              "d.adnum = a.attnum "
              "LEFT JOIN pg_catalog.pg_description pgd ON pgd.objoid = a.attrelid AND "
              "pgd.objsubid = a.attnum AND pgd.classoid = 'pg_catalog.pg_class'::regclass "
              "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
              {Value(oid)})
          .fetchall();
  std::map<std::int64_t, EnumInfo> enums;
  std::vector<ReflectedColumn> out;
  for (const auto& row : rows) {
    ReflectedColumn c;
    c.name = row.get<std::string>(0);
    std::optional<EnumInfo> enum_info;
    if (auto enum_oid = row.get<std::optional<std::int64_t>>(6)) {
      auto it = enums.find(*enum_oid);
      if (it == enums.end()) it = enums.emplace(*enum_oid, load_enum(conn, *enum_oid)).first;
      enum_info = it->second;
    }
    c.type = resolve_type(row.get<std::optional<std::string>>(1).value_or(""),
                          static_cast<int>(row.get<std::int64_t>(5)), enum_info);
    c.default_ = row.get<std::optional<std::string>>(2);
    c.nullable = !row.get<bool>(3);
    c.comment = row.get<std::optional<std::string>>(4);
    const std::string identity = row.get<std::optional<std::string>>(7).value_or("");
    const std::string generated = row.get<std::optional<std::string>>(8).value_or("");
    if (!generated.empty()) c.default_.reset();  // GENERATED ALWAYS AS (...): not a default
    bool autoincrement = !identity.empty();
    if (c.default_) {
      // SERIAL: nextval('seq'::regclass). Qualify the sequence with an explicit
      // schema, as SQLAlchemy does, so the default works from elsewhere.
      const std::string& def = *c.default_;
      const std::string prefix = "nextval('";
      if (auto pos = def.find(prefix); pos != std::string::npos) {
        if (is_integer(c.type)) autoincrement = true;
        const auto start = pos + prefix.size();
        const auto end = def.find('\'', start);
        if (schema && end != std::string::npos &&
            def.substr(start, end - start).find('.') == std::string::npos)
          c.default_ = def.substr(0, start) + "\"" + *schema + "\"." + def.substr(start);
      }
    }
    c.autoincrement = autoincrement;
    out.push_back(std::move(c));
  }
  return out;
}

ReflectedPrimaryKeyConstraint PGReflection::get_pk_constraint(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  ReflectedPrimaryKeyConstraint out;
  const auto rows =
      conn.exec_driver_sql(
              "SELECT c.conname, a.attname FROM pg_catalog.pg_constraint c "
              "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) "
              "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
              "WHERE c.conrelid = $1 AND c.contype = 'p' ORDER BY k.ord",
              {Value(oid)})
          .fetchall();
  for (const auto& row : rows) {
    out.name = row.get<std::string>(0);
    out.constrained_columns.push_back(row.get<std::string>(1));
  }
  return out;
}

std::vector<ReflectedForeignKeyConstraint> PGReflection::get_foreign_keys(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  const auto rows =
      conn.exec_driver_sql(
              "SELECT c.conname, a.attname, af.attname, rc.relname, rn.nspname, "
              "pg_catalog.pg_table_is_visible(rc.oid), c.confupdtype::text, "
              "c.confdeltype::text, c.condeferrable, c.condeferred, c.confmatchtype::text "
              "FROM pg_catalog.pg_constraint c "
              "CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, "
              "refnum, ord) "
              "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
              "JOIN pg_catalog.pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = "
              "k.refnum "
              "JOIN pg_catalog.pg_class rc ON rc.oid = c.confrelid "
              "JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace "
              "WHERE c.conrelid = $1 AND c.contype = 'f' ORDER BY c.conname, k.ord",
              {Value(oid)})
          .fetchall();
  std::vector<ReflectedForeignKeyConstraint> out;
  for (const auto& row : rows) {
    const std::string name = row.get<std::string>(0);
    if (out.empty() || out.back().name != name) {
      ReflectedForeignKeyConstraint fk;
      fk.name = name;
      fk.referred_table = row.get<std::string>(3);
      // As SQLAlchemy: a referred table found through the search_path has no
      // schema, unless it is the schema this table was asked for.
      const std::string nspname = row.get<std::string>(4);
      if (!row.get<bool>(5)) {
        fk.referred_schema = nspname;
      } else if (schema && *schema == nspname) {
        fk.referred_schema = schema;
      }
      fk.options.onupdate = action(row.get<std::string>(6));
      fk.options.ondelete = action(row.get<std::string>(7));
      if (row.get<bool>(8)) fk.options.deferrable = true;
      if (row.get<bool>(9)) fk.options.initially = "DEFERRED";
      const std::string match = row.get<std::string>(10);
      if (match == "f") fk.options.match = "FULL";
      if (match == "p") fk.options.match = "PARTIAL";
      out.push_back(std::move(fk));
    }
    out.back().constrained_columns.push_back(row.get<std::string>(1));
    out.back().referred_columns.push_back(row.get<std::string>(2));
  }
  return out;
}

std::vector<ReflectedIndex> PGReflection::get_indexes(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  const auto rows =
      conn.exec_driver_sql(
              "SELECT i.relname, ix.indisunique, k.ord, a.attname, "
              "pg_catalog.pg_get_indexdef(ix.indexrelid, k.ord::int, true), con.conname, "
              "ix.indnkeyatts "
              "FROM pg_catalog.pg_index ix "
              "JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid "
              "CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) "
              "LEFT JOIN pg_catalog.pg_attribute a ON k.attnum <> 0 AND a.attrelid = "
              "ix.indrelid AND a.attnum = k.attnum "
              "LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = ix.indexrelid AND "
              "con.conrelid = ix.indrelid AND con.contype IN ('p', 'u', 'x') "
              "WHERE ix.indrelid = $1 AND NOT ix.indisprimary ORDER BY i.relname, k.ord",
              {Value(oid)})
          .fetchall();
  std::vector<ReflectedIndex> out;
  for (const auto& row : rows) {
    const std::string name = row.get<std::string>(0);
    if (out.empty() || out.back().name != name) {
      ReflectedIndex idx;
      idx.name = name;
      idx.unique = row.get<bool>(1);
      idx.duplicates_constraint = row.get<std::optional<std::string>>(5);
      out.push_back(std::move(idx));
    }
    // INCLUDE (...) columns of a covering index are not part of the key.
    if (row.get<std::int64_t>(2) > row.get<std::int64_t>(6)) continue;
    auto& idx = out.back();
    idx.column_names.push_back(row.get<std::optional<std::string>>(3));
    // Kept for every element; dropped below unless one is an expression.
    idx.expressions.push_back(row.get<std::optional<std::string>>(3).value_or(
        row.get<std::optional<std::string>>(4).value_or("")));
  }
  for (auto& idx : out) {
    const bool has_expression = std::any_of(idx.column_names.begin(), idx.column_names.end(),
                                            [](const auto& c) { return !c.has_value(); });
    if (!has_expression) idx.expressions.clear();
  }
  return out;
}

std::vector<ReflectedUniqueConstraint> PGReflection::get_unique_constraints(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  const auto rows =
      conn.exec_driver_sql(
              "SELECT c.conname, a.attname FROM pg_catalog.pg_constraint c "
              "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) "
              "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
              "WHERE c.conrelid = $1 AND c.contype = 'u' ORDER BY c.conname, k.ord",
              {Value(oid)})
          .fetchall();
  std::vector<ReflectedUniqueConstraint> out;
  for (const auto& row : rows) {
    const std::string name = row.get<std::string>(0);
    if (out.empty() || out.back().name != name) out.push_back({name, {}});
    out.back().column_names.push_back(row.get<std::string>(1));
  }
  return out;
}

std::vector<ReflectedCheckConstraint> PGReflection::get_check_constraints(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  const auto rows = conn.exec_driver_sql(
                            "SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid, true) FROM "
                            "pg_catalog.pg_constraint c WHERE c.conrelid = $1 AND c.contype = "
                            "'c' ORDER BY c.conname",
                            {Value(oid)})
                        .fetchall();
  std::vector<ReflectedCheckConstraint> out;
  for (const auto& row : rows)
    out.push_back({row.get<std::string>(0), check_sqltext(row.get<std::string>(1))});
  return out;
}

ReflectedTableComment PGReflection::get_table_comment(
    Connection& conn, std::string_view table, const std::optional<std::string>& schema) const {
  const std::int64_t oid = table_oid(conn, table, schema);
  auto row = conn.exec_driver_sql(
                     "SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid = $1 "
                     "AND d.objsubid = 0 AND d.classoid = 'pg_catalog.pg_class'::regclass",
                     {Value(oid)})
                 .first();
  ReflectedTableComment out;
  if (row) out.text = row->get<std::optional<std::string>>(0);
  return out;
}

}  // namespace alchemy::dialects::postgresql
