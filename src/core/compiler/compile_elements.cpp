// Rendering of column expressions, bind parameters and identifiers; the ANSI
// defaults of SQLCompiler.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "alchemy/exc.hpp"
#include "core/compiler/compiler.hpp"

namespace alchemy {

using namespace detail;

// ---- SQLCompiler defaults -------------------------------------------------------------

namespace {

// SQL:2003 reserved words plus the common ones of PostgreSQL and SQLite
// (SQLAlchemy's RESERVED_WORDS of the postgresql and sqlite dialects, merged).
constexpr std::string_view kReserved[] = {
    "abort",
    "action",
    "add",
    "after",
    "all",
    "alter",
    "always",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "attach",
    "authorization",
    "autoincrement",
    "before",
    "begin",
    "between",
    "binary",
    "both",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "commit",
    "concurrently",
    "conflict",
    "constraint",
    "create",
    "cross",
    "current",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "database",
    "default",
    "deferrable",
    "deferred",
    "delete",
    "desc",
    "detach",
    "distinct",
    "do",
    "drop",
    "each",
    "else",
    "end",
    "escape",
    "except",
    "exclude",
    "exclusive",
    "exists",
    "explain",
    "fail",
    "false",
    "fetch",
    "filter",
    "first",
    "following",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "generated",
    "glob",
    "grant",
    "group",
    "groups",
    "having",
    "if",
    "ignore",
    "ilike",
    "immediate",
    "in",
    "index",
    "indexed",
    "initially",
    "inner",
    "insert",
    "instead",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "key",
    "last",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "match",
    "materialized",
    "natural",
    "no",
    "not",
    "nothing",
    "notnull",
    "null",
    "nulls",
    "of",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "others",
    "outer",
    "over",
    "overlaps",
    "partition",
    "placing",
    "plan",
    "pragma",
    "preceding",
    "primary",
    "query",
    "raise",
    "range",
    "recursive",
    "references",
    "regexp",
    "reindex",
    "release",
    "rename",
    "replace",
    "restrict",
    "returning",
    "right",
    "rollback",
    "row",
    "rows",
    "savepoint",
    "select",
    "session_user",
    "set",
    "similar",
    "some",
    "symmetric",
    "table",
    "temp",
    "temporary",
    "then",
    "ties",
    "to",
    "trailing",
    "transaction",
    "trigger",
    "true",
    "unbounded",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "vacuum",
    "values",
    "variadic",
    "verbose",
    "view",
    "virtual",
    "when",
    "where",
    "window",
    "with",
    "without",
};

bool is_legal_unquoted(std::string_view name) {
  if (name.empty()) return false;
  const auto first = static_cast<unsigned char>(name.front());
  if (!(first == '_' || (first >= 'a' && first <= 'z'))) return false;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (!(c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace

bool SQLCompiler::is_reserved_word(std::string_view lower) const {
  return std::binary_search(std::begin(kReserved), std::end(kReserved), lower);
}

void SQLCompiler::quote_identifier(std::string& out, std::string_view name) const {
  // Quote when required: upper case (case-sensitive names), non-ASCII or
  // special characters, a leading digit, or a reserved word — as SQLAlchemy's
  // IdentifierPreparer._requires_quotes.
  if (is_legal_unquoted(name) && !is_reserved_word(name)) {
    out += name;
    return;
  }
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

bool SQLCompiler::native_result_type(const TypeEngine& /*type*/) const { return true; }

std::string SQLCompiler::type_ddl(const TypeEngine& type) const {
  const TypeEngine& t = type.dialect_impl();
  switch (t.kind()) {
    case TypeKind::null:
      throw CompileError(
          "Can't generate DDL for a column without a type (NullType); give the Column a type");
    case TypeKind::integer:
      return "INTEGER";
    case TypeKind::big_integer:
      return "BIGINT";
    case TypeKind::small_integer:
      return "SMALLINT";
    case TypeKind::string:
    case TypeKind::unicode: {
      const auto& s = static_cast<const types::StringType&>(t);
      std::string r = s.length() ? fmt::format("VARCHAR({})", *s.length()) : "VARCHAR";
      if (s.collation()) {
        r += " COLLATE ";
        quote_identifier(r, *s.collation());
      }
      return r;
    }
    case TypeKind::text:
    case TypeKind::unicode_text:
      return "TEXT";
    case TypeKind::boolean:
      return "BOOLEAN";
    case TypeKind::float_: {
      const auto& f = static_cast<const types::FloatType&>(t);
      return f.precision() ? fmt::format("FLOAT({})", *f.precision()) : "FLOAT";
    }
    case TypeKind::numeric: {
      const auto& n = static_cast<const types::NumericType&>(t);
      if (n.precision() && n.scale())
        return fmt::format("NUMERIC({}, {})", *n.precision(), *n.scale());
      if (n.precision()) return fmt::format("NUMERIC({})", *n.precision());
      return "NUMERIC";
    }
    case TypeKind::date:
      return "DATE";
    case TypeKind::datetime:
      return "DATETIME";
    case TypeKind::time:
      return "TIME";
    case TypeKind::interval:
      return "INTERVAL";
    case TypeKind::large_binary:
      return "BLOB";
    case TypeKind::enum_: {
      const auto& e = static_cast<const types::EnumType&>(t);
      return fmt::format("VARCHAR({})", e.length());
    }
    case TypeKind::json:
      return "JSON";
    case TypeKind::uuid:
      return "CHAR(32)";
    case TypeKind::array:
      throw CompileError(fmt::format("ARRAY is not supported on the {} dialect (PostgreSQL only)",
                                     dialect_name()));
    case TypeKind::decorator:
      break;
  }
  throw CompileError(fmt::format("no DDL for type {}", type.repr()));
}

void SQLCompiler::render_limit_offset(std::string& out, std::string_view limit,
                                      std::string_view offset) const {
  if (!limit.empty()) {
    out += " LIMIT ";
    out += limit;
  }
  if (!offset.empty()) {
    out += " OFFSET ";
    out += offset;
  }
}

bool SQLCompiler::render_function(std::string& out, std::string_view name,
                                  const std::vector<std::string>& args) const {
  if ((name == "current_timestamp" || name == "current_date") && args.empty()) {
    out += name == "current_timestamp" ? "CURRENT_TIMESTAMP" : "CURRENT_DATE";
    return true;
  }
  if (name == "concat" && !supports_concat_function()) {
    out += '(';
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (i) out += " || ";
      out += args[i];
    }
    out += ')';
    return true;
  }
  return false;
}

std::string SQLCompiler::render_literal(const Value& v) const {
  auto quoted = [](std::string_view s) {
    std::string r = "'";
    for (char c : s) {
      if (c == '\'') r += '\'';
      r += c;
    }
    return r + "'";
  };
  switch (v.kind()) {
    case ValueKind::null:
      return "NULL";
    case ValueKind::boolean:
      return std::string(boolean_literal(v.get<bool>()));
    case ValueKind::integer:
      return std::to_string(v.get<std::int64_t>());
    case ValueKind::floating: {
      const double x = v.get<double>();
      if (!std::isfinite(x))
        throw CompileError(fmt::format("cannot render {} as a SQL literal", v.repr()));
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, x);
      return std::string(buf, r.ptr);
    }
    case ValueKind::decimal:
      return v.get<Decimal>().str();
    case ValueKind::bytes:
      throw CompileError("cannot render bytes as a SQL literal; bind them as a parameter");
    case ValueKind::text:
      if (v.get<std::string>().find('\0') != std::string::npos)
        throw CompileError("cannot render text containing NUL as a SQL literal");
      return quoted(v.get<std::string>());
    default:
      return quoted(v.as<std::string>());
  }
}

namespace detail {

// ---- the dialect-neutral compiler ------------------------------------------------------

namespace {
class DefaultCompiler final : public SQLCompiler {
 public:
  std::string_view dialect_name() const override { return "default"; }
  ParamStyle paramstyle() const override { return ParamStyle::named; }
  // str(insert) shows the statement as written: the RETURNING that fetches a
  // generated primary key belongs to a dialect's execution, as in SQLAlchemy.
  bool implicit_returning() const override { return false; }
};
}  // namespace

const SQLCompiler& default_compiler() {
  static const DefaultCompiler c;
  return c;
}

// ---- StatementCompiler: elements ---------------------------------------------------------

StatementCompiler::StatementCompiler(const SQLCompiler& dialect, CompileOptions options,
                                     const std::vector<const BindNode*>* ordinals)
    : d(dialect), opt(options), result(std::make_shared<Compiled>()) {
  if (ordinals)
    for (std::size_t i = 0; i < ordinals->size(); ++i)
      ordinal.emplace((*ordinals)[i], static_cast<std::int32_t>(i));
}

void StatementCompiler::table_name(std::string& out, const TableNode& t) const {
  if (t.schema) {
    quote(out, *t.schema);
    out += '.';
  }
  quote(out, t.name);
}

std::string StatementCompiler::alias_name(const AliasNode& a) {
  if (!a.name.empty()) return a.name;
  auto it = alias_names.find(&a);
  if (it != alias_names.end()) return it->second;
  std::string n = fmt::format("anon_{}", ++anon_alias);
  alias_names.emplace(&a, n);
  return n;
}

void StatementCompiler::column(std::string& out, const ColumnNode& c) {
  if (include_table && c.table != nullptr) {
    table_name(out, *c.table);
    out += '.';
  }
  quote(out, c.name);
}

void StatementCompiler::emit_slot(std::string& out, BindSlot slot) {
  const TypeEngine* cast = slot.type.get();
  result->bind_names.push_back(slot.name);
  if (opt.style == ParamStyle::named) {
    out += ':';
    out += slot.name;
  }
  result->slots.push_back(std::move(slot));
  if (opt.style != ParamStyle::named) {
    d.render_bind(out, result->slots.size(), opt.style);
    if (cast) d.render_bind_cast(out, *cast);
  }
}

void StatementCompiler::named_bind(std::string& out, const std::string& name) {
  BindSlot slot;
  slot.name = name;
  slot.required = true;
  emit_slot(out, std::move(slot));
}

void StatementCompiler::bind(std::string& out, const BindNode& b) {
  if (opt.literal_binds) {
    if (!b.value)
      throw CompileError(fmt::format(
          "No literal value renderable for bind parameter '{}' (it has no value)", b.key));
    Value v = *b.value;
    if (b.type && b.type->kind() != TypeKind::null) v = b.type->bind_value(std::move(v), d);
    out += d.render_literal(v);
    return;
  }
  std::string name;
  if (b.anonymous) {
    auto it = bind_names.find(&b);
    if (it != bind_names.end()) {
      name = it->second;
    } else {
      name = fmt::format("{}_{}", b.key, ++bind_counters[b.key]);
      bind_names.emplace(&b, name);
    }
  } else {
    name = b.key;
  }
  BindSlot slot;
  slot.name = name;
  auto it = ordinal.find(&b);
  slot.literal = it == ordinal.end() ? -1 : it->second;
  slot.required = !b.value.has_value();
  if (b.type && b.type->kind() != TypeKind::null) slot.type = b.type;
  emit_slot(out, std::move(slot));
}

int StatementCompiler::precedence(const Node& n) const {
  switch (n.kind) {
    case NodeKind::binary:
      switch (as<BinaryNode>(n).op) {
        case Op::mul:
        case Op::div:
        case Op::mod:
          return prec_mul;
        case Op::add:
        case Op::sub:
          return prec_add;
        case Op::concat:
          return prec_concat;
        case Op::and_:
          return prec_and;
        case Op::or_:
          return prec_or;
        default:
          return prec_comparison;
      }
    case NodeKind::clause_list:
      if (as<ClauseListNode>(n).clauses.size() <= 1) return prec_atom;
      return as<ClauseListNode>(n).op == Op::and_ ? prec_and : prec_or;
    case NodeKind::unary:
      switch (as<UnaryNode>(n).op) {
        case UnaryOp::not_:
          return prec_not;
        case UnaryOp::neg:
          return prec_unary;
        default:
          return prec_atom;
      }
    case NodeKind::collate:
      return prec_concat;
    default:
      return prec_atom;
  }
}

namespace {
const char* op_text(Op op) {
  switch (op) {
    case Op::eq:
      return " = ";
    case Op::ne:
      return " != ";
    case Op::lt:
      return " < ";
    case Op::le:
      return " <= ";
    case Op::gt:
      return " > ";
    case Op::ge:
      return " >= ";
    case Op::add:
      return " + ";
    case Op::sub:
      return " - ";
    case Op::mul:
      return " * ";
    case Op::div:
      return " / ";
    case Op::mod:
      return " % ";
    case Op::concat:
      return " || ";
    case Op::and_:
      return " AND ";
    case Op::or_:
      return " OR ";
    case Op::like:
      return " LIKE ";
    case Op::not_like:
      return " NOT LIKE ";
    case Op::ilike:
      return " ILIKE ";
    case Op::not_ilike:
      return " NOT ILIKE ";
    case Op::in:
      return " IN ";
    case Op::not_in:
      return " NOT IN ";
    case Op::is:
      return " IS ";
    case Op::is_not:
      return " IS NOT ";
    default:
      return " ";
  }
}

void frame_bound(std::string& out, const std::optional<std::int64_t>& b, bool start) {
  if (!b) {
    out += start ? "UNBOUNDED PRECEDING" : "UNBOUNDED FOLLOWING";
  } else if (*b == 0) {
    out += "CURRENT ROW";
  } else if (*b < 0) {
    out += fmt::format("{} PRECEDING", -*b);
  } else {
    out += fmt::format("{} FOLLOWING", *b);
  }
}
}  // namespace

void StatementCompiler::expr(std::string& out, const Node& n, int parent_prec, bool right) {
  const int p = precedence(n);
  const bool paren = p < parent_prec ||
                     (right && p == parent_prec && p != prec_atom && p != prec_and && p != prec_or);
  if (paren) out += '(';
  switch (n.kind) {
    case NodeKind::column:
      column(out, as<ColumnNode>(n));
      break;
    case NodeKind::derived_column: {
      const auto& dc = as<DerivedColumnNode>(n);
      if (include_table) {
        quote(out, alias_name(*dc.parent));
        out += '.';
      }
      quote(out, dc.name);
      break;
    }
    case NodeKind::bind:
      bind(out, as<BindNode>(n));
      break;
    case NodeKind::null:
      out += "NULL";
      break;
    case NodeKind::true_:
      out += d.boolean_literal(true);
      break;
    case NodeKind::false_:
      out += d.boolean_literal(false);
      break;
    case NodeKind::literal_column:
      out += as<LiteralColumnNode>(n).text;
      break;
    case NodeKind::text:
      as<TextNode>(n).clause.render_fragment(
          out, [this](std::string& o, const std::string& name) { named_bind(o, name); });
      break;
    case NodeKind::binary: {
      const auto& b = as<BinaryNode>(n);
      if (b.op == Op::in || b.op == Op::not_in) {
        const Node& r = *b.right;
        if (r.kind == NodeKind::tuple && as<TupleNode>(r).items.empty()) {
          // An empty IN is valid and false (NOT IN: true), as SQLAlchemy renders it.
          out += b.op == Op::in ? "1 != 1" : "1 = 1";
          break;
        }
        expr(out, *b.left, prec_comparison);
        out += op_text(b.op);
        if (r.kind == NodeKind::select || r.kind == NodeKind::compound) {
          out += '(';
          select_any(out, r, false, true);
          out += ')';
        } else {
          expr(out, r, prec_atom);
        }
        break;
      }
      if (b.op == Op::between || b.op == Op::not_between) {
        const auto& t = as<TupleNode>(*b.right);
        expr(out, *b.left, prec_comparison);
        out += b.op == Op::between ? " BETWEEN " : " NOT BETWEEN ";
        if (!b.custom.empty()) out += b.custom + " ";
        expr(out, *t.items[0], prec_comparison + 1);
        out += " AND ";
        expr(out, *t.items[1], prec_comparison + 1);
        break;
      }
      if ((b.op == Op::ilike || b.op == Op::not_ilike) && !d.supports_ilike()) {
        out += "lower(";
        expr(out, *b.left);
        out += b.op == Op::ilike ? ") LIKE lower(" : ") NOT LIKE lower(";
        expr(out, *b.right);
        out += ')';
      } else if (b.op == Op::div && node_type(*b.left)->is_integer() &&
                 node_type(*b.right)->is_integer()) {
        expr(out, *b.left, prec_mul);
        out += " / CAST(";
        expr(out, *b.right);
        out += " AS ";
        out += d.true_division_type();
        out += ')';
      } else if (b.op == Op::custom) {
        expr(out, *b.left, prec_comparison);
        out += ' ';
        out += b.custom;
        out += ' ';
        expr(out, *b.right, prec_comparison, true);
      } else {
        expr(out, *b.left, p);
        out += op_text(b.op);
        expr(out, *b.right, p, true);
      }
      if (b.escape) {
        out += " ESCAPE '";
        if (*b.escape == '\'') out += '\'';
        out += *b.escape;
        out += '\'';
      }
      break;
    }
    case NodeKind::unary: {
      const auto& u = as<UnaryNode>(n);
      switch (u.op) {
        case UnaryOp::not_:
          out += "NOT ";
          expr(out, *u.element, prec_not);
          break;
        case UnaryOp::neg:
          out += '-';
          expr(out, *u.element, prec_unary);
          break;
        case UnaryOp::distinct:
          out += "DISTINCT ";
          expr(out, *u.element, prec_unary);
          break;
        case UnaryOp::exists:
          out += "EXISTS (";
          select_any(out, *u.element, false, true);
          out += ')';
          break;
        case UnaryOp::asc:
        case UnaryOp::desc:
          expr(out, *u.element, prec_unary);
          out += u.op == UnaryOp::asc ? " ASC" : " DESC";
          break;
        case UnaryOp::nulls_first:
        case UnaryOp::nulls_last:
          if (!d.supports_nulls_ordering()) {
            // Emulate: sort on "x IS NULL" first.
            const Node* inner = u.element.get();
            while (inner->kind == NodeKind::unary && (as<UnaryNode>(*inner).op == UnaryOp::asc ||
                                                      as<UnaryNode>(*inner).op == UnaryOp::desc))
              inner = as<UnaryNode>(*inner).element.get();
            expr(out, *inner, prec_comparison);
            out += u.op == UnaryOp::nulls_first ? " IS NULL DESC, " : " IS NULL, ";
            expr(out, *u.element, prec_unary);
          } else {
            expr(out, *u.element, prec_unary);
            out += u.op == UnaryOp::nulls_first ? " NULLS FIRST" : " NULLS LAST";
          }
          break;
      }
      break;
    }
    case NodeKind::clause_list: {
      const auto& c = as<ClauseListNode>(n);
      if (c.clauses.empty()) {
        // An empty and_() is true, an empty or_() false.
        out += c.op == Op::and_ ? "1 = 1" : "1 != 1";
        break;
      }
      for (std::size_t i = 0; i < c.clauses.size(); ++i) {
        if (i) out += op_text(c.op);
        expr(out, *c.clauses[i], p);
      }
      break;
    }
    case NodeKind::label:
      expr(out, *as<LabelNode>(n).element, parent_prec, right);
      break;
    case NodeKind::function: {
      const auto& f = as<FunctionNode>(n);
      std::vector<std::string> args;
      args.reserve(f.args.size());
      for (const auto& a : f.args) {
        std::string s;
        expr(s, *a);
        args.push_back(std::move(s));
      }
      if (!d.render_function(out, f.name, args)) {
        out += f.name;
        out += '(';
        if (args.empty() && f.name == "count") out += '*';
        for (std::size_t i = 0; i < args.size(); ++i) {
          if (i) out += ", ";
          out += args[i];
        }
        out += ')';
      }
      if (f.filter) {
        out += " FILTER (WHERE ";
        expr(out, *f.filter);
        out += ')';
      }
      break;
    }
    case NodeKind::cast: {
      const auto& c = as<CastNode>(n);
      out += "CAST(";
      expr(out, *c.element);
      out += " AS ";
      out += d.cast_type(*c.type);
      out += ')';
      break;
    }
    case NodeKind::case_: {
      const auto& c = as<CaseNode>(n);
      out += "CASE";
      if (c.value) {
        out += ' ';
        expr(out, *c.value);
      }
      for (const auto& [w, r] : c.whens) {
        out += " WHEN ";
        expr(out, *w);
        out += " THEN ";
        expr(out, *r);
      }
      if (c.else_) {
        out += " ELSE ";
        expr(out, *c.else_);
      }
      out += " END";
      break;
    }
    case NodeKind::over: {
      const auto& o = as<OverNode>(n);
      expr(out, *o.func);
      out += " OVER (";
      bool sp = false;
      if (!o.partition_by.empty()) {
        out += "PARTITION BY ";
        for (std::size_t i = 0; i < o.partition_by.size(); ++i) {
          if (i) out += ", ";
          expr(out, *o.partition_by[i]);
        }
        sp = true;
      }
      if (!o.order_by.empty()) {
        if (sp) out += ' ';
        out += "ORDER BY ";
        for (std::size_t i = 0; i < o.order_by.size(); ++i) {
          if (i) out += ", ";
          expr(out, *o.order_by[i]);
        }
        sp = true;
      }
      const auto& frame = o.rows ? o.rows : o.range_;
      if (frame) {
        if (sp) out += ' ';
        out += o.rows ? "ROWS BETWEEN " : "RANGE BETWEEN ";
        frame_bound(out, frame->start, true);
        out += " AND ";
        frame_bound(out, frame->end, false);
      }
      out += ')';
      break;
    }
    case NodeKind::scalar_subquery:
      out += '(';
      select_any(out, *as<ScalarSubqueryNode>(n).select, false, true);
      out += ')';
      break;
    case NodeKind::tuple: {
      const auto& t = as<TupleNode>(n);
      out += '(';
      for (std::size_t i = 0; i < t.items.size(); ++i) {
        if (i) out += ", ";
        expr(out, *t.items[i]);
      }
      out += ')';
      break;
    }
    case NodeKind::collate: {
      const auto& c = as<CollateNode>(n);
      expr(out, *c.element, prec_concat);
      out += " COLLATE ";
      quote(out, c.collation);
      break;
    }
    case NodeKind::select:
    case NodeKind::compound:
      out += '(';
      select_any(out, n, false, true);
      out += ')';
      break;
    case NodeKind::table:
    case NodeKind::alias:
    case NodeKind::join:
      throw ArgumentError(
          "a table or FROM clause was used where a column expression is needed; use .c[\"name\"] "
          "for a column");
    default:
      throw CompileError("this construct cannot be used in a column expression");
  }
  if (paren) out += ')';
}

}  // namespace detail
}  // namespace alchemy
