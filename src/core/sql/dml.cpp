// INSERT / UPDATE / DELETE builders.
#include "alchemy/core/sql/dml.hpp"

#include <fmt/format.h>

#include "alchemy/core/schema.hpp"
#include "alchemy/exc.hpp"
#include "core/sql/nodes.hpp"

namespace alchemy {

using namespace detail;

namespace {

DMLNode& mut(NodeRef& n) { return const_cast<DMLNode&>(as<DMLNode>(*n)); }

NodeRef make_dml(NodeKind k, const Table& table) {
  if (!table.node()) throw ArgumentError("insert()/update()/delete_() got an empty Table handle");
  auto d = std::make_shared<DMLNode>(k);
  d->table = table.node();
  return d;
}

const ColumnNode& column_for(const DMLNode& d, const std::string& key, const char* what) {
  const TableNode& t = d.tbl();
  for (const auto& c : t.columns)
    if (c->key == key) return *c;
  for (const auto& c : t.columns)
    if (c->name == key) return *c;
  std::string keys;
  for (const auto& c : t.columns) keys += (keys.empty() ? "" : ", ") + c->key;
  throw ArgumentError(
      fmt::format("Unconsumed column names: {} ({} on table '{}', whose columns are: {})", key,
                  what, t.name, keys));
}

void set_values(DMLNode& d, const ValuesList& values, const char* what) {
  for (const auto& [k, v] : values) {
    if (!v.node()) throw ArgumentError(fmt::format("{} got an empty expression for '{}'", what, k));
    const ColumnNode& c = column_for(d, k, what);
    NodeRef val = adopt_type(v.node(), c.type, c.key);
    bool replaced = false;
    for (auto& [ek, ev] : d.values)
      if (ek == c.key) {
        ev = val;
        replaced = true;
      }
    if (!replaced) d.values.emplace_back(c.key, std::move(val));
  }
}

ValuesList to_list(const Params& p) {
  ValuesList out;
  for (const auto& it : p) out.emplace_back(it.first, ColumnElement(it.second));
  return out;
}

std::vector<NodeRef> expand_items(const std::vector<SelectItem>& cols) {
  std::vector<NodeRef> out;
  for (const auto& it : cols) {
    if (!it.node()) throw ArgumentError("returning() got an empty column");
    if (it.is_from()) {
      for (auto& c : exported_columns(it.node())) out.push_back(std::move(c));
    } else {
      out.push_back(it.node());
    }
  }
  return out;
}

}  // namespace

void UpdateBase::own() {
  if (node_.use_count() != 1) node_ = clone_node<DMLNode>(node_);
}

void UpdateBase::set_returning(std::vector<SelectItem> cols) {
  own();
  auto& d = mut(node_);
  for (auto& n : expand_items(cols)) d.returning.push_back(std::move(n));
}

Insert insert(const Table& table) { return Insert(make_dml(NodeKind::insert, table)); }
Update update(const Table& table) { return Update(make_dml(NodeKind::update, table)); }
Delete delete_(const Table& table) { return Delete(make_dml(NodeKind::delete_, table)); }

Insert Insert::values(const ValuesList& values) const {
  Insert i(*this);
  i.own();
  auto& d = mut(i.node_);
  if (!d.multi_values.empty() || d.from_select)
    throw InvalidRequestError(
        "values() cannot be combined with multi-row values() or from_select()");
  set_values(d, values, "insert().values()");
  return i;
}
Insert Insert::values_params(const Params& values) const { return this->values(to_list(values)); }

Insert Insert::values_rows(const std::vector<Params>& rows) const {
  if (rows.empty()) throw ArgumentError("values() got an empty list of rows");
  Insert i(*this);
  i.own();
  auto& d = mut(i.node_);
  if (!d.values.empty() || d.from_select)
    throw InvalidRequestError(
        "multi-row values() cannot be combined with values() or from_select()");
  std::vector<std::string> first_keys;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    DMLNode row(NodeKind::insert);
    row.table = d.table;
    set_values(row, to_list(rows[r]), "insert().values()");
    std::vector<std::string> keys;
    for (const auto& [k, v] : row.values) keys.push_back(k);
    if (r == 0) {
      first_keys = keys;
    } else if (keys != first_keys) {
      throw ArgumentError(fmt::format(
          "multi-row values(): row {} has different keys than row 1; every row of a multi-row "
          "VALUES needs the same columns",
          r + 1));
    }
    d.multi_values.push_back(std::move(row.values));
  }
  return i;
}

Insert Insert::from_select(std::vector<std::string> column_keys, const SelectBase& select) const {
  Insert i(*this);
  i.own();
  auto& d = mut(i.node_);
  for (const auto& k : column_keys) column_for(d, k, "insert().from_select()");
  d.select_keys = std::move(column_keys);
  d.from_select = select.node();
  return i;
}

Update Update::values(const ValuesList& values) const {
  Update u(*this);
  u.own();
  set_values(mut(u.node_), values, "update().values()");
  return u;
}
Update Update::values_params(const Params& values) const { return this->values(to_list(values)); }

namespace {
template <class S>
S add_where(const S& stmt, std::vector<ColumnElement> criteria) {
  S out(stmt);
  NodeRef n = out.node();
  auto d = clone_node<DMLNode>(n);
  for (auto& c : criteria) {
    if (!c.node()) throw ArgumentError("where() got an empty expression");
    const Node& x = *c.node();
    if (x.kind == NodeKind::clause_list && as<ClauseListNode>(x).op == Op::and_) {
      for (const auto& y : as<ClauseListNode>(x).clauses) d->where.push_back(y);
    } else {
      d->where.push_back(c.node());
    }
  }
  return S(NodeRef(d));
}
}  // namespace

Update Update::where_impl(std::vector<ColumnElement> criteria) const {
  return add_where(*this, std::move(criteria));
}
Delete Delete::where_impl(std::vector<ColumnElement> criteria) const {
  return add_where(*this, std::move(criteria));
}

// ---- ON CONFLICT ----------------------------------------------------------------------

namespace detail {

Insert OnConflict::do_nothing(const Insert& stmt, std::vector<std::string> index_elements,
                              std::string constraint) {
  auto d = clone_node<DMLNode>(stmt.node());
  for (const auto& k : index_elements) column_for(*d, k, "on_conflict_do_nothing()");
  OnConflictSpec s;
  s.index_elements = std::move(index_elements);
  s.constraint = std::move(constraint);
  d->on_conflict = std::move(s);
  return Insert(NodeRef(d));
}

Insert OnConflict::do_update(const Insert& stmt, std::vector<std::string> index_elements,
                             std::string constraint, const ValuesList& set,
                             std::optional<ColumnElement> where) {
  auto d = clone_node<DMLNode>(stmt.node());
  if (index_elements.empty() && constraint.empty())
    throw ArgumentError(
        "on_conflict_do_update() needs the conflict target: index_elements (the unique columns) "
        "or a constraint name");
  if (set.empty()) throw ArgumentError("on_conflict_do_update() needs set_ values");
  for (const auto& k : index_elements) column_for(*d, k, "on_conflict_do_update()");
  OnConflictSpec s;
  s.do_update = true;
  s.index_elements = std::move(index_elements);
  s.constraint = std::move(constraint);
  for (const auto& [k, v] : set) {
    const ColumnNode& c = column_for(*d, k, "on_conflict_do_update(set_)");
    if (!v.node())
      throw ArgumentError(fmt::format("on_conflict_do_update(): empty value for '{}'", k));
    s.set.emplace_back(c.key, adopt_type(v.node(), c.type, c.key));
  }
  if (where) s.where = where->node();
  d->on_conflict = std::move(s);
  return Insert(NodeRef(d));
}

ColumnElement OnConflict::excluded(const Insert& stmt, std::string_view key) {
  const auto& d = as<DMLNode>(*stmt.node());
  const ColumnNode& c = column_for(d, std::string(key), "excluded");
  // `excluded` is a pseudo-table: an alias node named "excluded" over the table.
  auto a = std::make_shared<AliasNode>();
  a->self = a;
  a->element = d.table;
  a->name = "excluded";
  a->flavor = AliasNode::Flavor::alias;
  a->columns.push_back(
      std::make_shared<DerivedColumnNode>(a.get(), c.name, c.key, c.type, d.tbl().column_ref(&c)));
  return ColumnElement(a->column_ref(a->columns.front().get()));
}

}  // namespace detail
}  // namespace alchemy
