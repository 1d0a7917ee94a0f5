// MetaData, Table, Column, constraints and indexes: building the schema nodes.
// (DDL rendering is in compiler/compile_ddl.cpp; create_all/reflection in the
// engine library.)
#include "alchemy/core/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "alchemy/exc.hpp"
#include "core/sql/nodes.hpp"

namespace alchemy {

using namespace detail;

// ---- nodes ----------------------------------------------------------------------------

namespace detail {

TableNode::~TableNode() {
  for (auto& c : columns) c->table = nullptr;
}

const ColumnNode* TableNode::find(std::string_view key) const {
  for (const auto& c : columns)
    if (c->key == key) return c.get();
  return nullptr;
}

NodeRef TableNode::column_ref(const ColumnNode* c) const {
  if (auto sp = self.lock()) return NodeRef(sp, c);
  // Not owned by a shared_ptr (cannot happen for tables built by Table()).
  for (const auto& col : columns)
    if (col.get() == c) return col;
  return nullptr;
}

namespace {
std::pair<std::string, std::string> split_target(const std::string& target) {
  const auto dot = target.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == target.size())
    throw ArgumentError(fmt::format(
        "ForeignKey target '{}' must be 'table.column' (or 'schema.table.column')", target));
  return {target.substr(0, dot), target.substr(dot + 1)};
}
}  // namespace

const TableNode* ConstraintNode::referred_table() const {
  if (ref_node) {
    if (ref_node->kind == NodeKind::column) return as<ColumnNode>(*ref_node).table;
    return nullptr;
  }
  if (refcolumns.empty() || table == nullptr) return nullptr;
  auto [tname, cname] = split_target(refcolumns.front());
  auto md = table->metadata.lock();
  if (!md) return nullptr;
  auto it = md->tables.find(tname);
  if (it == md->tables.end() && md->schema && tname.find('.') == std::string::npos)
    it = md->tables.find(*md->schema + "." + tname);
  if (it == md->tables.end()) {
    throw NoReferencedTableError(fmt::format(
        "Foreign key associated with column '{}.{}' could not find table '{}' with which to "
        "generate a foreign key to target column '{}'; define table '{}' in the same MetaData",
        table->name, columns.empty() ? std::string("?") : columns.front()->name, tname, cname,
        tname));
  }
  return it->second.get();
}

std::vector<const ColumnNode*> ConstraintNode::referred_columns() const {
  std::vector<const ColumnNode*> out;
  if (ref_node) {
    if (ref_node->kind != NodeKind::column)
      throw ArgumentError("ForeignKey() needs a table column as its target");
    out.push_back(&as<ColumnNode>(*ref_node));
    return out;
  }
  const TableNode* t = referred_table();
  for (const auto& rc : refcolumns) {
    auto [tname, cname] = split_target(rc);
    const ColumnNode* c = nullptr;
    for (const auto& col : t->columns)
      if (col->name == cname || col->key == cname) c = col.get();
    if (c == nullptr)
      throw NoReferencedColumnError(fmt::format(
          "Could not initialize target column for ForeignKey '{}' on table '{}': table '{}' has "
          "no column named '{}'",
          rc, table ? table->name : std::string("?"), t->name, cname));
    out.push_back(c);
  }
  return out;
}

namespace {

std::string convention_for(const TableNode& t, std::string_view kind) {
  auto md = t.metadata.lock();
  if (md) {
    auto it = md->naming_convention.find(std::string(kind));
    if (it != md->naming_convention.end()) return it->second;
  }
  if (kind == "ix") return "ix_%(column_0_label)s";
  return {};
}

std::string expand_convention(std::string_view pattern, const TableNode& t,
                              const std::vector<std::string>& column_names,
                              const std::string& constraint_name, const ConstraintNode* fk) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern.substr(i, 2) == "%(") {
      const auto close = pattern.find(")s", i);
      if (close == std::string_view::npos) break;
      const std::string token(pattern.substr(i + 2, close - i - 2));
      auto col = [&](std::size_t k) -> const std::string& {
        if (k >= column_names.size())
          throw ArgumentError(fmt::format("naming convention token '{}' needs a column", token));
        return column_names[k];
      };
      if (token == "table_name") {
        out += t.name;
      } else if (token == "column_0_name" || token == "column_0_key") {
        out += col(0);
      } else if (token == "column_0_label") {
        out += t.name + "_" + col(0);
      } else if (token == "column_0N_name" || token == "column_0_N_name") {
        for (std::size_t k = 0; k < column_names.size(); ++k) {
          if (k && token == "column_0_N_name") out += "_";
          out += column_names[k];
        }
      } else if (token == "constraint_name") {
        if (constraint_name.empty())
          throw InvalidRequestError(fmt::format(
              "Naming convention including %(constraint_name)s token requires that constraint "
              "is explicitly named (a constraint on table '{}')",
              t.name));
        out += constraint_name;
      } else if (token == "referred_table_name" && fk) {
        out += fk->referred_table()->name;
      } else if (token == "referred_column_0_name" && fk) {
        out += fk->referred_columns().front()->name;
      } else {
        throw ArgumentError(fmt::format("unknown naming convention token '%({})s'", token));
      }
      i = close + 2;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

}  // namespace

void apply_naming_convention(TableNode& t, ConstraintNode& c) {
  const char* kind = "";
  switch (c.type) {
    case ConstraintNode::Type::primary_key:
      kind = "pk";
      break;
    case ConstraintNode::Type::foreign_key:
      kind = "fk";
      break;
    case ConstraintNode::Type::unique:
      kind = "uq";
      break;
    case ConstraintNode::Type::check:
      kind = "ck";
      break;
  }
  const std::string pattern = convention_for(t, kind);
  if (pattern.empty()) return;
  // A CHECK convention with %(constraint_name)s only names explicitly named checks.
  if (c.type == ConstraintNode::Type::check && !c.name_explicit &&
      pattern.find("%(constraint_name)s") != std::string::npos)
    return;
  if (c.name_explicit && pattern.find("%(constraint_name)s") == std::string::npos) return;
  std::vector<std::string> names;
  for (const auto* col : c.columns) names.push_back(col->name);
  if (names.empty() && c.type != ConstraintNode::Type::check) return;
  c.name = expand_convention(pattern, t, names, c.name_explicit ? c.name : std::string(),
                             c.type == ConstraintNode::Type::foreign_key ? &c : nullptr);
}

void apply_naming_convention(TableNode& t, IndexNode& i) {
  if (i.name_explicit) return;
  std::vector<std::string> names;
  for (const auto& e : i.exprs)
    if (e->kind == NodeKind::column) names.push_back(as<ColumnNode>(*e).name);
  const std::string pattern = convention_for(t, "ix");
  if (pattern.empty() || names.empty()) return;
  i.name = expand_convention(pattern, t, names, {}, nullptr);
}

}  // namespace detail

// ---- ColumnDefault ------------------------------------------------------------------

Value ColumnDefault::produce() const {
  if (callable) return callable();
  if (scalar) return *scalar;
  return Value();
}

// ---- ForeignKey and constraints -----------------------------------------------------

namespace {
void check_action(const std::string& a, const char* which) {
  if (a.empty()) return;
  static const std::set<std::string> ok = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT",
                                           "NO ACTION"};
  std::string up;
  for (char c : a) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!ok.count(up))
    throw ArgumentError(
        fmt::format("Unexpected SQL phrase '{}' for {}; use CASCADE, SET NULL, SET DEFAULT, "
                    "RESTRICT or NO ACTION",
                    a, which));
}
void check_fk_options(const ForeignKeyOptions& o) {
  check_action(o.ondelete, "ondelete");
  check_action(o.onupdate, "onupdate");
  if (!o.initially.empty()) {
    std::string up;
    for (char c : o.initially) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (up != "DEFERRED" && up != "IMMEDIATE")
      throw ArgumentError(
          fmt::format("initially must be DEFERRED or IMMEDIATE, got '{}'", o.initially));
  }
}
}  // namespace

ForeignKey::ForeignKey(std::string target, ForeignKeyOptions options)
    : target_(std::move(target)), options_(std::move(options)) {
  if (target_.find('.') == std::string::npos)
    throw ArgumentError(fmt::format(
        "ForeignKey('{}'): the target must be 'table.column', e.g. ForeignKey(\"users.id\")",
        target_));
  check_fk_options(options_);
}

ForeignKey::ForeignKey(const ColumnElement& target, ForeignKeyOptions options)
    : column_(target.node()), options_(std::move(options)) {
  if (!column_ || column_->kind != NodeKind::column)
    throw ArgumentError(
        "ForeignKey() needs a table column (table.c[\"id\"]) or a 'table.column' string");
  const auto& c = as<ColumnNode>(*column_);
  target_ = c.table ? c.table->fullname() + "." + c.name : c.name;
  check_fk_options(options_);
}

CheckConstraint::CheckConstraint(std::string sqltext, std::string name)
    : node_(std::make_shared<ConstraintNode>()) {
  if (sqltext.empty()) throw ArgumentError("CheckConstraint() needs a condition");
  node_->type = ConstraintNode::Type::check;
  node_->sqltext = std::move(sqltext);
  node_->name = std::move(name);
  node_->name_explicit = !node_->name.empty();
}

CheckConstraint::CheckConstraint(const ColumnElement& condition, std::string name)
    : node_(std::make_shared<ConstraintNode>()) {
  if (!condition.node()) throw ArgumentError("CheckConstraint() needs a condition");
  node_->type = ConstraintNode::Type::check;
  node_->check_expr = condition.node();
  node_->name = std::move(name);
  node_->name_explicit = !node_->name.empty();
}

UniqueConstraint::UniqueConstraint(std::vector<std::string> columns, std::string name)
    : node_(std::make_shared<ConstraintNode>()) {
  if (columns.empty()) throw ArgumentError("UniqueConstraint() needs at least one column");
  node_->type = ConstraintNode::Type::unique;
  node_->column_keys = std::move(columns);
  node_->name = std::move(name);
  node_->name_explicit = !node_->name.empty();
}

PrimaryKeyConstraint::PrimaryKeyConstraint(std::vector<std::string> columns, std::string name)
    : node_(std::make_shared<ConstraintNode>()) {
  node_->type = ConstraintNode::Type::primary_key;
  node_->column_keys = std::move(columns);
  node_->name = std::move(name);
  node_->name_explicit = !node_->name.empty();
}

ForeignKeyConstraint::ForeignKeyConstraint(std::vector<std::string> columns,
                                           std::vector<std::string> refcolumns,
                                           ForeignKeyOptions options)
    : node_(std::make_shared<ConstraintNode>()) {
  if (columns.empty() || columns.size() != refcolumns.size())
    throw ArgumentError(fmt::format(
        "ForeignKeyConstraint() needs as many referenced columns as columns (got {} and {})",
        columns.size(), refcolumns.size()));
  check_fk_options(options);
  node_->type = ConstraintNode::Type::foreign_key;
  node_->column_keys = std::move(columns);
  node_->refcolumns = std::move(refcolumns);
  node_->name = options.name;
  node_->name_explicit = !node_->name.empty();
  node_->fk = std::move(options);
}

Index::Index(std::string name, std::vector<Element> elements, bool unique)
    : node_(std::make_shared<IndexNode>()) {
  if (elements.empty())
    throw ArgumentError(fmt::format("Index('{}') needs at least one column", name));
  node_->name = std::move(name);
  node_->name_explicit = !node_->name.empty();
  node_->unique = unique;
  node_->elements = std::move(elements);
  // An index on columns of an existing table attaches itself to that table.
  for (const auto& e : node_->elements) {
    if (!e.expr()) continue;
    std::vector<NodeRef> froms;
    froms_of_expression(e.expr(), froms);
    if (!froms.empty() && froms.front()->kind == NodeKind::table) {
      const auto& t = as<TableNode>(*froms.front());
      Table(t.self.lock()).append_constraint(SchemaItem(*this));
      break;
    }
  }
}

// ---- Column -------------------------------------------------------------------------

ColumnOption::ColumnOption(const ForeignKey& fk)
    : apply_([fk](ColumnNode& c) {
        ForeignKeySpec s;
        s.target = fk.target();
        s.target_node = fk.target_column();
        s.options = fk.options();
        c.foreign_keys.push_back(std::move(s));
      }) {}

ColumnOption::ColumnOption(const CheckConstraint& ck)
    : apply_([n = ck.node()](ColumnNode& c) { c.inline_checks.push_back(n); }) {}

ColumnOption primary_key(bool on) {
  return ColumnOption([on](ColumnNode& c) { c.primary_key = on; });
}
ColumnOption nullable(bool on) {
  return ColumnOption([on](ColumnNode& c) { c.nullable_ = on; });
}
ColumnOption unique(bool on) {
  return ColumnOption([on](ColumnNode& c) { c.unique = on; });
}
ColumnOption index(bool on) {
  return ColumnOption([on](ColumnNode& c) { c.index = on; });
}
ColumnOption autoincrement(bool on) {
  return ColumnOption([on](ColumnNode& c) { c.autoincrement = on; });
}
ColumnOption default_(Value v) {
  return ColumnOption([v = std::move(v)](ColumnNode& c) {
    c.default_ = {};
    c.default_.scalar = v;
  });
}
ColumnOption default_(std::function<Value()> f) {
  if (!f) throw ArgumentError("default_() got an empty function");
  return ColumnOption([f = std::move(f)](ColumnNode& c) {
    c.default_ = {};
    c.default_.callable = f;
  });
}
ColumnOption default_(const ColumnElement& sql) {
  if (!sql.node()) throw ArgumentError("default_() got an empty expression");
  return ColumnOption([n = sql.node()](ColumnNode& c) {
    c.default_ = {};
    c.default_.sql = n;
  });
}
ColumnOption onupdate(Value v) {
  return ColumnOption([v = std::move(v)](ColumnNode& c) {
    c.onupdate = {};
    c.onupdate.scalar = v;
  });
}
ColumnOption onupdate(std::function<Value()> f) {
  if (!f) throw ArgumentError("onupdate() got an empty function");
  return ColumnOption([f = std::move(f)](ColumnNode& c) {
    c.onupdate = {};
    c.onupdate.callable = f;
  });
}
ColumnOption onupdate(const ColumnElement& sql) {
  if (!sql.node()) throw ArgumentError("onupdate() got an empty expression");
  return ColumnOption([n = sql.node()](ColumnNode& c) {
    c.onupdate = {};
    c.onupdate.sql = n;
  });
}
ColumnOption server_default(std::string literal) {
  return ColumnOption([l = std::move(literal)](ColumnNode& c) {
    c.server_default = nullptr;
    c.server_default_literal = l;
  });
}
ColumnOption server_default(const char* literal) { return server_default(std::string(literal)); }
ColumnOption server_default(const TextClause& sql) { return server_default(ColumnElement(sql)); }
ColumnOption server_default(const ColumnElement& sql) {
  if (!sql.node()) throw ArgumentError("server_default() got an empty expression");
  return ColumnOption([n = sql.node()](ColumnNode& c) {
    c.server_default = n;
    c.server_default_literal.reset();
  });
}
ColumnOption server_onupdate(const ColumnElement& sql) {
  return ColumnOption([n = sql.node()](ColumnNode& c) { c.server_onupdate = n; });
}
ColumnOption comment(std::string text) {
  return ColumnOption([t = std::move(text)](ColumnNode& c) { c.comment = t; });
}
ColumnOption key(std::string k) {
  if (k.empty()) throw ArgumentError("key() needs a non-empty key");
  return ColumnOption([k = std::move(k)](ColumnNode& c) { c.key = k; });
}

Column::Column(std::string name, TypeArg type, std::vector<ColumnOption> options) {
  if (name.empty()) throw ArgumentError("Column() needs a name");
  auto c = std::make_shared<ColumnNode>();
  c->name = std::move(name);
  c->key = c->name;
  c->type = type.get() ? type.get() : types::null_type();
  for (const auto& o : options) o.apply(*c);
  node_ = c;
}

const ColumnNode& Column::impl() const { return as<ColumnNode>(*node_); }
const std::string& Column::name() const { return impl().name; }
const std::string& Column::key() const { return impl().key; }
bool Column::primary_key() const { return impl().primary_key; }
bool Column::nullable() const { return impl().nullable(); }
bool Column::unique() const { return impl().unique; }
bool Column::index() const { return impl().index; }
std::optional<Table> Column::table() const {
  if (impl().table == nullptr) return std::nullopt;
  return Table(impl().table->self.lock());
}

// ---- SchemaItem -----------------------------------------------------------------------

SchemaItem::SchemaItem(const Column& c) : item(c.node()) {}
SchemaItem::SchemaItem(const CheckConstraint& c) : item(c.node()) {}
SchemaItem::SchemaItem(const UniqueConstraint& c) : item(c.node()) {}
SchemaItem::SchemaItem(const PrimaryKeyConstraint& c) : item(c.node()) {}
SchemaItem::SchemaItem(const ForeignKeyConstraint& c) : item(c.node()) {}
SchemaItem::SchemaItem(const Index& i) : item(i.node()) {}
SchemaItem::SchemaItem(TableOption o) : item(std::move(o)) {}

SchemaItem::TableOption schema(std::string name) {
  return {[n = std::move(name)](TableNode& t) { t.schema = n; }};
}
SchemaItem::TableOption table_comment(std::string text) {
  return {[s = std::move(text)](TableNode& t) { t.comment = s; }};
}

// ---- Table ----------------------------------------------------------------------------

namespace {

// A copy of an expression whose column references do not own their tables.
// Schema objects owned by a table (index expressions, CHECK expressions,
// foreign keys given as column objects, SQL defaults) must not keep that table
// alive, or the table and the object would form a cycle and never be freed.
NodeRef unowned_tree(const NodeRef& n) {
  if (!n) return n;
  switch (n->kind) {
    case NodeKind::column:
      return NodeRef(NodeRef(), n.get());
    case NodeKind::binary: {
      auto b = std::make_shared<BinaryNode>(as<BinaryNode>(*n));
      b->left = unowned_tree(b->left);
      b->right = unowned_tree(b->right);
      return b;
    }
    case NodeKind::unary: {
      auto u = std::make_shared<UnaryNode>(as<UnaryNode>(*n));
      u->element = unowned_tree(u->element);
      return u;
    }
    case NodeKind::cast: {
      auto c = std::make_shared<CastNode>(as<CastNode>(*n));
      c->element = unowned_tree(c->element);
      return c;
    }
    case NodeKind::collate: {
      auto c = std::make_shared<CollateNode>(as<CollateNode>(*n));
      c->element = unowned_tree(c->element);
      return c;
    }
    case NodeKind::label: {
      auto l = std::make_shared<LabelNode>(as<LabelNode>(*n));
      l->element = unowned_tree(l->element);
      return l;
    }
    case NodeKind::clause_list: {
      auto c = std::make_shared<ClauseListNode>(as<ClauseListNode>(*n));
      for (auto& x : c->clauses) x = unowned_tree(x);
      return c;
    }
    case NodeKind::tuple: {
      auto t = std::make_shared<TupleNode>(as<TupleNode>(*n));
      for (auto& x : t->items) x = unowned_tree(x);
      return t;
    }
    case NodeKind::function: {
      auto f = std::make_shared<FunctionNode>(as<FunctionNode>(*n));
      for (auto& x : f->args) x = unowned_tree(x);
      f->filter = unowned_tree(f->filter);
      return f;
    }
    case NodeKind::case_: {
      auto c = std::make_shared<CaseNode>(as<CaseNode>(*n));
      c->value = unowned_tree(c->value);
      for (auto& [w, r] : c->whens) {
        w = unowned_tree(w);
        r = unowned_tree(r);
      }
      c->else_ = unowned_tree(c->else_);
      return c;
    }
    default:
      return n;
  }
}

ColumnNode* resolve_key(TableNode& t, const std::string& key, std::string_view what) {
  for (auto& c : t.columns)
    if (c->key == key || c->name == key) return c.get();
  std::string keys;
  for (auto& c : t.columns) keys += (keys.empty() ? "" : ", ") + c->key;
  throw ArgumentError(
      fmt::format("{} names column '{}', which table '{}' does not have (columns: {})", what, key,
                  t.name, keys));
}

void attach_constraint(TableNode& t, const std::shared_ptr<ConstraintNode>& c) {
  if (c->table != nullptr && c->table != &t)
    throw ArgumentError(
        fmt::format("constraint is already attached to table '{}'", c->table->name));
  c->table = &t;
  if (c->columns.empty())
    for (const auto& k : c->column_keys) c->columns.push_back(resolve_key(t, k, "constraint"));
  c->check_expr = unowned_tree(c->check_expr);
  c->ref_node = unowned_tree(c->ref_node);
  switch (c->type) {
    case ConstraintNode::Type::primary_key:
      for (auto* col : c->columns) col->primary_key = true;
      t.primary_key = c;
      return;
    default:
      t.constraints.push_back(c);
  }
}

void attach_index(TableNode& t, const std::shared_ptr<IndexNode>& i) {
  if (i->table == &t) return;
  if (i->table != nullptr)
    throw ArgumentError(
        fmt::format("Index '{}' is already attached to table '{}'", i->name, i->table->name));
  i->table = &t;
  i->exprs.clear();
  for (auto& e : i->elements) {
    if (e.expr()) {
      e = Index::Element(ColumnElement(unowned_tree(e.expr())));
      i->exprs.push_back(e.expr());
    } else {
      // Non-owning: the table owns the index, so a reference that kept the
      // table alive (column_ref) would be a cycle and neither would be freed.
      i->exprs.push_back(
          NodeRef(NodeRef(), resolve_key(t, e.key(), fmt::format("Index('{}')", i->name))));
    }
  }
  t.indexes.push_back(i);
}

void attach_column(TableNode& t, const NodeRef& ref) {
  auto* c = const_cast<ColumnNode*>(&as<ColumnNode>(*ref));
  if (c->table != nullptr)
    throw ArgumentError(fmt::format("Column object '{}' already assigned to Table '{}'", c->name,
                                    c->table->fullname()));
  for (const auto& existing : t.columns)
    if (existing->key == c->key || existing->name == c->name)
      throw ArgumentError(fmt::format(
          "A column with name '{}' is already present in table '{}' (DuplicateColumnError)",
          c->name, t.name));
  c->table = &t;
  c->position = static_cast<int>(t.columns.size());
  for (auto& fk : c->foreign_keys) fk.target_node = unowned_tree(fk.target_node);
  c->default_.sql = unowned_tree(c->default_.sql);
  c->onupdate.sql = unowned_tree(c->onupdate.sql);
  c->server_default = unowned_tree(c->server_default);
  c->server_onupdate = unowned_tree(c->server_onupdate);
  // The table shares ownership of the node with the Column handle(s).
  t.columns.push_back(
      std::const_pointer_cast<ColumnNode>(std::static_pointer_cast<const ColumnNode>(ref)));
  if (c->primary_key) {
    if (!t.primary_key) {
      t.primary_key = std::make_shared<ConstraintNode>();
      t.primary_key->type = ConstraintNode::Type::primary_key;
      t.primary_key->table = &t;
    }
    t.primary_key->columns.push_back(c);
  }
  for (const auto& fk : c->foreign_keys) {
    auto k = std::make_shared<ConstraintNode>();
    k->type = ConstraintNode::Type::foreign_key;
    k->columns.push_back(c);
    k->from_column = true;
    k->fk = fk.options;
    k->name = fk.options.name;
    k->name_explicit = !k->name.empty();
    if (fk.target_node) {
      k->ref_node = fk.target_node;
    } else {
      k->refcolumns.push_back(fk.target);
    }
    k->table = &t;
    t.constraints.push_back(k);
  }
  for (const auto& ck : c->inline_checks) {
    ck->from_column = true;
    ck->columns = {c};
    attach_constraint(t, ck);
  }
  if (c->unique && !c->index) {
    auto u = std::make_shared<ConstraintNode>();
    u->type = ConstraintNode::Type::unique;
    u->columns.push_back(c);
    u->from_column = true;
    u->table = &t;
    t.constraints.push_back(u);
  }
  if (c->index) {
    auto i = std::make_shared<IndexNode>();
    i->unique = c->unique;
    i->from_column = true;
    i->elements.emplace_back(c->key);
    attach_index(t, i);
  }
}

}  // namespace

Table::Table(std::string name, MetaData& metadata, std::vector<SchemaItem> items) {
  if (name.empty()) throw ArgumentError("Table() needs a name");
  auto t = std::make_shared<TableNode>();
  t->self = t;
  t->name = std::move(name);
  t->metadata = metadata.shared_impl();
  std::vector<const SchemaItem::TableOption*> options;
  for (const auto& it : items)
    if (auto* o = std::get_if<SchemaItem::TableOption>(&it.item)) options.push_back(o);
  for (const auto* o : options) o->apply(*t);
  if (!t->schema && metadata.impl().schema) t->schema = metadata.impl().schema;
  const std::string fullname = t->fullname();
  if (metadata.impl().tables.count(fullname))
    throw InvalidRequestError(fmt::format(
        "Table '{}' is already defined for this MetaData instance; use metadata.table(\"{}\") to "
        "get it, or a separate MetaData",
        fullname, fullname));
  t->primary_key = std::make_shared<ConstraintNode>();
  t->primary_key->type = ConstraintNode::Type::primary_key;
  t->primary_key->table = t.get();
  for (const auto& it : items)
    if (const auto* n = std::get_if<NodeRef>(&it.item)) attach_column(*t, *n);
  for (const auto& it : items) {
    if (const auto* c = std::get_if<std::shared_ptr<ConstraintNode>>(&it.item))
      attach_constraint(*t, *c);
    if (const auto* i = std::get_if<std::shared_ptr<IndexNode>>(&it.item)) attach_index(*t, *i);
  }
  table_ = t;
  node_ = t;
  c = ColumnCollection(node_);
  metadata.impl().tables[fullname] = t;
  metadata.impl().order.push_back(fullname);
  for (auto& f : t->after_init) f(*t);
  t->after_init.clear();
}

Table::Table(std::shared_ptr<TableNode> node) : FromClause(node), table_(std::move(node)) {}

TableNode& Table::impl() const {
  if (!table_) throw InvalidRequestError("this Table handle is empty");
  return *table_;
}
const std::string& Table::name() const { return impl().name; }
const std::optional<std::string>& Table::schema() const { return impl().schema; }
std::string Table::fullname() const { return impl().fullname(); }
std::vector<Column> Table::columns_list() const {
  std::vector<Column> out;
  for (const auto& c : impl().columns) out.emplace_back(impl().column_ref(c.get()));
  return out;
}
std::vector<Column> Table::primary_key() const {
  std::vector<Column> out;
  if (impl().primary_key)
    for (const auto* c : impl().primary_key->columns) out.emplace_back(impl().column_ref(c));
  return out;
}
void Table::append_column(const Column& col) { attach_column(impl(), col.node()); }
void Table::append_constraint(const SchemaItem& item) {
  if (const auto* c = std::get_if<std::shared_ptr<ConstraintNode>>(&item.item)) {
    attach_constraint(impl(), *c);
  } else if (const auto* i = std::get_if<std::shared_ptr<IndexNode>>(&item.item)) {
    attach_index(impl(), *i);
  } else if (const auto* n = std::get_if<NodeRef>(&item.item)) {
    attach_column(impl(), *n);
  } else {
    throw ArgumentError("append_constraint() takes a constraint or an index");
  }
}

Insert Table::insert() const { return alchemy::insert(*this); }
Update Table::update() const { return alchemy::update(*this); }
Delete Table::delete_() const { return alchemy::delete_(*this); }

// ---- MetaData -------------------------------------------------------------------------

MetaData::MetaData(std::map<std::string, std::string> naming_convention,
                   std::optional<std::string> schema)
    : impl_(std::make_shared<MetaDataImpl>()) {
  for (const auto& [k, v] : naming_convention) {
    static const std::set<std::string> kinds = {"ix", "uq", "ck", "fk", "pk"};
    if (!kinds.count(k))
      throw ArgumentError(
          fmt::format("naming_convention key '{}' is not one of ix, uq, ck, fk, pk", k));
    (void)v;
  }
  impl_->naming_convention = std::move(naming_convention);
  impl_->schema = std::move(schema);
}
MetaData::MetaData(MetaData&&) noexcept = default;
MetaData& MetaData::operator=(MetaData&&) noexcept = default;
MetaData::~MetaData() = default;

MetaDataImpl& MetaData::impl() const {
  if (!impl_) throw InvalidRequestError("this MetaData was moved from");
  return *impl_;
}

std::map<std::string, Table> MetaData::tables() const {
  std::map<std::string, Table> out;
  for (const auto& [k, t] : impl().tables) out.emplace(k, Table(t));
  return out;
}
std::optional<Table> MetaData::table(std::string_view fullname) const {
  auto it = impl().tables.find(std::string(fullname));
  if (it == impl().tables.end()) return std::nullopt;
  return Table(it->second);
}

std::vector<Table> MetaData::sorted_tables() const {
  // Topological sort by foreign keys, ties in definition order (as SQLAlchemy's
  // sort_tables); self-references are ignored, cycles are broken by
  // definition order (their constraints are created with ALTER).
  const auto& md = impl();
  std::vector<TableNode*> nodes;
  for (const auto& name : md.order) {
    auto it = md.tables.find(name);
    if (it != md.tables.end()) nodes.push_back(it->second.get());
  }
  std::map<const TableNode*, std::set<const TableNode*>> deps;
  for (auto* t : nodes) {
    for (const auto& c : t->constraints) {
      if (c->type != ConstraintNode::Type::foreign_key || c->fk.use_alter) continue;
      const TableNode* r = nullptr;
      try {
        r = c->referred_table();
      } catch (const NoReferenceError&) {
        r = nullptr;
      }
      if (r && r != t) deps[t].insert(r);
    }
  }
  std::vector<Table> out;
  std::set<const TableNode*> done;
  while (done.size() < nodes.size()) {
    bool progress = false;
    for (auto* t : nodes) {
      if (done.count(t)) continue;
      bool ready = true;
      for (const auto* d : deps[t])
        if (!done.count(d) && std::find(nodes.begin(), nodes.end(), d) != nodes.end())
          ready = false;
      if (ready) {
        done.insert(t);
        out.emplace_back(t->self.lock());
        progress = true;
      }
    }
    if (!progress) {  // a cycle: take the first remaining table
      for (auto* t : nodes)
        if (!done.count(t)) {
          done.insert(t);
          out.emplace_back(t->self.lock());
          break;
        }
    }
  }
  return out;
}

void MetaData::remove(const Table& t) {
  const std::string name = t.fullname();
  impl().tables.erase(name);
  auto& o = impl().order;
  o.erase(std::remove(o.begin(), o.end(), name), o.end());
}
void MetaData::clear() {
  impl().tables.clear();
  impl().order.clear();
}

// ---- DDL elements ---------------------------------------------------------------------

DDLElement::DDLElement(Kind kind, NodeRef table, std::shared_ptr<const void> item, bool if_exists)
    : kind_(kind), table_(std::move(table)), item_(std::move(item)), if_exists_(if_exists) {}

DDLElement CreateTable(const Table& table) {
  return DDLElement(DDLElement::Kind::create_table, table.node());
}
DDLElement DropTable(const Table& table, bool if_exists) {
  return DDLElement(DDLElement::Kind::drop_table, table.node(), nullptr, if_exists);
}
DDLElement CreateIndex(const Index& index) {
  if (index.node()->table == nullptr)
    throw ArgumentError(fmt::format("Index '{}' is not attached to a table", index.node()->name));
  return DDLElement(DDLElement::Kind::create_index, index.node()->table->self.lock(), index.node());
}
DDLElement DropIndex(const Index& index, bool if_exists) {
  if (index.node()->table == nullptr)
    throw ArgumentError(fmt::format("Index '{}' is not attached to a table", index.node()->name));
  return DDLElement(DDLElement::Kind::drop_index, index.node()->table->self.lock(), index.node(),
                    if_exists);
}

}  // namespace alchemy
