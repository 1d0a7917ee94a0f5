// DDL: CREATE/DROP TABLE, CREATE/DROP INDEX, ALTER TABLE ADD/DROP CONSTRAINT,
// PostgreSQL's CREATE TYPE for native enums. Layout follows SQLAlchemy's DDLCompiler.
#include <fmt/format.h>

#include <algorithm>

#include "alchemy/core/schema.hpp"
#include "alchemy/exc.hpp"
#include "core/compiler/compiler.hpp"

namespace alchemy {

using namespace detail;

namespace detail {

namespace {

// Renders an expression for DDL: values inlined, columns without their table.
std::string ddl_expr(const SQLCompiler& d, const Node& n) {
  CompileOptions o;
  o.literal_binds = true;
  StatementCompiler c(d, o, nullptr);
  c.include_table = false;
  std::string out;
  c.expr(out, n);
  return out;
}

std::string quoted(const SQLCompiler& d, std::string_view name) {
  std::string out;
  d.quote_identifier(out, name);
  return out;
}

std::string table_ref(const SQLCompiler& d, const TableNode& t) {
  std::string out;
  if (t.schema) out = quoted(d, *t.schema) + ".";
  return out + quoted(d, t.name);
}

std::string column_list(const SQLCompiler& d, const std::vector<ColumnNode*>& cols) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ", ";
    out += quoted(d, cols[i]->name);
  }
  return out;
}

std::string enum_values(const SQLCompiler& d, const types::EnumType& e) {
  std::string out;
  for (std::size_t i = 0; i < e.enums().size(); ++i) {
    if (i) out += ", ";
    out += d.render_literal(Value(e.enums()[i]));
  }
  return out;
}

const types::EnumType* as_enum(const TypeEngine& t) {
  const TypeEngine& impl = t.dialect_impl();
  if (impl.kind() != TypeKind::enum_) return nullptr;
  return static_cast<const types::EnumType*>(&impl);
}

std::string constraint_body(const SQLCompiler& d, const TableNode& t, const ConstraintNode& c) {
  std::string out;
  const std::string name = constraint_name(t, c);
  if (!name.empty()) out += "CONSTRAINT " + quoted(d, name) + " ";
  switch (c.type) {
    case ConstraintNode::Type::primary_key:
      out += "PRIMARY KEY (" + column_list(d, c.columns) + ")";
      break;
    case ConstraintNode::Type::unique:
      out += "UNIQUE (" + column_list(d, c.columns) + ")";
      break;
    case ConstraintNode::Type::check:
      out += "CHECK (" + (c.check_expr ? ddl_expr(d, *c.check_expr) : c.sqltext) + ")";
      break;
    case ConstraintNode::Type::foreign_key: {
      const TableNode* rt = c.referred_table();
      auto refs = c.referred_columns();
      out +=
          "FOREIGN KEY(" + column_list(d, c.columns) + ") REFERENCES " + table_ref(d, *rt) + " (";
      for (std::size_t i = 0; i < refs.size(); ++i) {
        if (i) out += ", ";
        out += quoted(d, refs[i]->name);
      }
      out += ")";
      auto upper = [](std::string s) {
        for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        return s;
      };
      if (!c.fk.ondelete.empty()) out += " ON DELETE " + upper(c.fk.ondelete);
      if (!c.fk.onupdate.empty()) out += " ON UPDATE " + upper(c.fk.onupdate);
      if (c.fk.deferrable) out += *c.fk.deferrable ? " DEFERRABLE" : " NOT DEFERRABLE";
      if (!c.fk.initially.empty()) out += " INITIALLY " + upper(c.fk.initially);
      break;
    }
  }
  return out;
}

std::string column_spec(const SQLCompiler& d, const TableNode& t, const ColumnNode& c) {
  std::string out = quoted(d, c.name) + " ";
  const bool autoinc = is_integer_autoinc(t, c);
  out += d.column_type_ddl(*c.type, autoinc);
  if (c.server_default_literal) {
    out += " DEFAULT " + d.render_literal(Value(*c.server_default_literal));
  } else if (c.server_default) {
    const std::string e = ddl_expr(d, *c.server_default);
    const bool plain = c.server_default->kind == NodeKind::text ||
                       c.server_default->kind == NodeKind::literal_column ||
                       c.server_default->kind == NodeKind::bind;
    out += " DEFAULT ";
    out += d.ddl_default_parens() && !plain ? "(" + e + ")" : e;
  }
  if (!c.nullable()) out += " NOT NULL";
  for (const auto& ck : c.inline_checks) {
    const std::string name = constraint_name(t, *ck);
    if (!name.empty()) out += " CONSTRAINT " + quoted(d, name);
    out += " CHECK (" + (ck->check_expr ? ddl_expr(d, *ck->check_expr) : ck->sqltext) + ")";
  }
  return out;
}

}  // namespace

std::string constraint_name(const TableNode& t, const ConstraintNode& c) {
  ConstraintNode copy = c;
  apply_naming_convention(const_cast<TableNode&>(t), copy);
  return copy.name;
}

std::string index_name(const TableNode& t, const IndexNode& i) {
  IndexNode copy = i;
  if (copy.exprs.empty())
    for (const auto& e : i.elements)
      if (!e.expr())
        if (const ColumnNode* c = t.find(e.key())) copy.exprs.push_back(t.column_ref(c));
  apply_naming_convention(const_cast<TableNode&>(t), copy);
  if (copy.name.empty())
    throw CompileError(fmt::format(
        "Index on table '{}' has no name; give it one (Index(\"ix_name\", ...)) or add an \"ix\" "
        "naming convention to the MetaData",
        t.name));
  return copy.name;
}

std::vector<const types::EnumType*> native_enums(const SQLCompiler& d, const TableNode& t) {
  std::vector<const types::EnumType*> out;
  if (!d.supports_native_enum()) return out;
  for (const auto& c : t.columns) {
    const auto* e = as_enum(*c->type);
    if (e && e->native_enum() &&
        std::none_of(out.begin(), out.end(), [&](const auto* x) { return x->name() == e->name(); }))
      out.push_back(e);
  }
  return out;
}

std::string create_enum_ddl(const SQLCompiler& d, const types::EnumType& e,
                            const std::optional<std::string>& schema) {
  if (e.name().empty())
    throw CompileError("PostgreSQL ENUM type requires a name: Enum({...}, \"name\")");
  std::string out = "CREATE TYPE ";
  if (schema) out += quoted(d, *schema) + ".";
  return out + quoted(d, e.name()) + " AS ENUM (" + enum_values(d, e) + ")";
}

std::string drop_enum_ddl(const SQLCompiler& d, const types::EnumType& e,
                          const std::optional<std::string>& schema) {
  std::string out = "DROP TYPE ";
  if (schema) out += quoted(d, *schema) + ".";
  return out + quoted(d, e.name());
}

std::vector<std::string> create_table_ddl(const SQLCompiler& d, const TableNode& t,
                                          const std::set<const ConstraintNode*>& skip) {
  if (t.columns.empty())
    throw CompileError(
        fmt::format("Table '{}' has no columns; CREATE TABLE needs at least one", t.name));
  std::string out = "CREATE TABLE " + table_ref(d, t) + " (";
  bool first = true;
  auto sep = [&] {
    out += first ? "\n\t" : ", \n\t";
    first = false;
  };
  for (const auto& c : t.columns) {
    sep();
    out += column_spec(d, t, *c);
  }
  if (t.primary_key && !t.primary_key->columns.empty()) {
    sep();
    out += constraint_body(d, t, *t.primary_key);
  }
  for (const auto& c : t.constraints) {
    if (skip.count(c.get())) continue;
    if (c->type == ConstraintNode::Type::check && c->from_column) continue;  // rendered inline
    sep();
    out += constraint_body(d, t, *c);
  }
  // A non-native Enum is a VARCHAR with a CHECK of its values.
  for (const auto& c : t.columns) {
    const auto* e = as_enum(*c->type);
    if (!e || !e->create_constraint() || (e->native_enum() && d.supports_native_enum())) continue;
    sep();
    out += "CHECK (" + quoted(d, c->name) + " IN (" + enum_values(d, *e) + "))";
  }
  out += "\n)";
  std::vector<std::string> stmts{out};
  if (d.supports_comments()) {
    if (!t.comment.empty())
      stmts.push_back("COMMENT ON TABLE " + table_ref(d, t) + " IS " +
                      d.render_literal(Value(t.comment)));
    for (const auto& c : t.columns)
      if (!c->comment.empty())
        stmts.push_back("COMMENT ON COLUMN " + table_ref(d, t) + "." + quoted(d, c->name) + " IS " +
                        d.render_literal(Value(c->comment)));
  }
  return stmts;
}

std::string drop_table_ddl(const SQLCompiler& d, const TableNode& t, bool if_exists) {
  return std::string("DROP TABLE ") + (if_exists ? "IF EXISTS " : "") + table_ref(d, t);
}

std::string create_index_ddl(const SQLCompiler& d, const IndexNode& i) {
  if (i.table == nullptr) throw CompileError("Index is not attached to a table");
  const TableNode& t = *i.table;
  std::string out = i.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  out += quoted(d, index_name(t, i)) + " ON " + table_ref(d, t) + " (";
  for (std::size_t k = 0; k < i.exprs.size(); ++k) {
    if (k) out += ", ";
    const Node& e = *i.exprs[k];
    if (e.kind == NodeKind::column) {
      out += quoted(d, as<ColumnNode>(e).name);
    } else {
      out += ddl_expr(d, e);
    }
  }
  return out + ")";
}

std::string drop_index_ddl(const SQLCompiler& d, const IndexNode& i, bool if_exists) {
  const TableNode& t = *i.table;
  std::string out = std::string("DROP INDEX ") + (if_exists ? "IF EXISTS " : "");
  if (t.schema) out += quoted(d, *t.schema) + ".";
  return out + quoted(d, index_name(t, i));
}

std::string add_constraint_ddl(const SQLCompiler& d, const TableNode& t, const ConstraintNode& c) {
  return "ALTER TABLE " + table_ref(d, t) + " ADD " + constraint_body(d, t, c);
}

std::string drop_constraint_ddl(const SQLCompiler& d, const TableNode& t, const ConstraintNode& c) {
  std::string name = constraint_name(t, c);
  if (name.empty() && c.type == ConstraintNode::Type::foreign_key && !c.columns.empty()) {
    // PostgreSQL's own name for an unnamed foreign key.
    name = t.name + "_" + c.columns.front()->name + "_fkey";
  }
  if (name.empty())
    throw CompileError(fmt::format(
        "Can't emit DROP CONSTRAINT for a constraint of table '{}': it has no name", t.name));
  return "ALTER TABLE " + table_ref(d, t) + " DROP CONSTRAINT " + quoted(d, name);
}

}  // namespace detail

// ---- DDLElement ----------------------------------------------------------------------

std::vector<std::string> DDLElement::ddl_statements(const SQLCompiler& d) const {
  const auto& t = as<TableNode>(*table_);
  switch (kind_) {
    case Kind::create_table: {
      std::vector<std::string> out;
      for (const auto* e : native_enums(d, t)) out.push_back(create_enum_ddl(d, *e, t.schema));
      for (auto& s : create_table_ddl(d, t)) out.push_back(std::move(s));
      return out;
    }
    case Kind::drop_table:
      return {drop_table_ddl(d, t, if_exists_)};
    case Kind::create_index:
      return {create_index_ddl(d, *std::static_pointer_cast<const IndexNode>(item_))};
    case Kind::drop_index:
      return {drop_index_ddl(d, *std::static_pointer_cast<const IndexNode>(item_), if_exists_)};
    case Kind::add_constraint:
      return {add_constraint_ddl(d, t, *std::static_pointer_cast<const ConstraintNode>(item_))};
  }
  return {};
}

std::string DDLElement::str(const SQLCompiler& d) const {
  const auto stmts = ddl_statements(d);
  // The CREATE TABLE itself (after any CREATE TYPE), as SQLAlchemy's str(CreateTable(t)).
  for (const auto& s : stmts)
    if (s.rfind("CREATE TABLE", 0) == 0) return s;
  return stmts.empty() ? std::string() : stmts.front();
}

std::string DDLElement::str() const { return str(default_compiler()); }

std::shared_ptr<const Compiled> DDLElement::compile(const SQLCompiler& d) const {
  auto c = std::make_shared<Compiled>();
  const auto stmts = ddl_statements(d);
  for (std::size_t i = 0; i < stmts.size(); ++i) {
    if (i) c->sql += ";\n";
    c->sql += stmts[i];
  }
  c->keep_alive = table_;
  return c;
}

}  // namespace alchemy
