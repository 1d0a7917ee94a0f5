// FROM clauses, SELECT and compound selects: the builders.
#include "alchemy/core/sql/selectable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "alchemy/exc.hpp"
#include "core/sql/nodes.hpp"

namespace alchemy {

using namespace detail;

// ---- helpers shared with the compiler -------------------------------------------------

namespace detail {

const TypeRef& node_type(const Node& n) {
  switch (n.kind) {
    case NodeKind::table:
    case NodeKind::alias:
    case NodeKind::join:
    case NodeKind::select:
    case NodeKind::compound:
    case NodeKind::insert:
    case NodeKind::update:
    case NodeKind::delete_:
      return null_type();
    default: {
      const auto& t = as<ExprNode>(n).type;
      return t ? t : null_type();
    }
  }
}

std::string_view column_key(const Node& n) {
  switch (n.kind) {
    case NodeKind::column:
      return as<ColumnNode>(n).key;
    case NodeKind::derived_column:
      return as<DerivedColumnNode>(n).key;
    case NodeKind::label:
      return as<LabelNode>(n).name;
    case NodeKind::function:
      return as<FunctionNode>(n).name;
    case NodeKind::bind:
      return as<BindNode>(n).anonymous ? std::string_view() : std::string_view(as<BindNode>(n).key);
    case NodeKind::cast:
      return column_key(*as<CastNode>(n).element);
    case NodeKind::unary:
      return column_key(*as<UnaryNode>(n).element);
    case NodeKind::collate:
      return column_key(*as<CollateNode>(n).element);
    default:
      return {};
  }
}

std::vector<std::string> select_column_names(const SelectNode& s) {
  std::vector<std::string> names;
  std::map<std::string, int> counters;
  std::map<std::string, int> used;
  int anon = 0;
  for (const auto& c : s.columns) {
    std::string base;
    switch (c->kind) {
      case NodeKind::column:
        base = as<ColumnNode>(*c).name;
        break;
      case NodeKind::derived_column:
        base = as<DerivedColumnNode>(*c).name;
        break;
      case NodeKind::label:
        base = as<LabelNode>(*c).name;
        break;
      case NodeKind::bind:
        if (!as<BindNode>(*c).anonymous) {
          base = as<BindNode>(*c).key;
          break;
        }
        [[fallthrough]];
      default: {
        std::string stem = c->kind == NodeKind::function ? as<FunctionNode>(*c).name : "anon";
        base = fmt::format("{}_{}", stem, ++counters[stem]);
        if (c->kind != NodeKind::function) base = fmt::format("anon_{}", ++anon), --counters[stem];
        break;
      }
    }
    std::string name = base;
    if (used.count(name)) {
      int& k = used[base];
      do {
        name = fmt::format("{}_{}", base, k++);
      } while (used.count(name));
    }
    used.emplace(name, 1);
    names.push_back(std::move(name));
  }
  return names;
}

std::vector<NodeRef> exported_columns(const NodeRef& from) {
  std::vector<NodeRef> out;
  switch (from->kind) {
    case NodeKind::table: {
      const auto& t = as<TableNode>(*from);
      for (const auto& c : t.columns) out.push_back(t.column_ref(c.get()));
      break;
    }
    case NodeKind::alias: {
      const auto& a = as<AliasNode>(*from);
      for (const auto& c : a.columns) out.push_back(a.column_ref(c.get()));
      break;
    }
    case NodeKind::join: {
      const auto& j = as<JoinNode>(*from);
      out = exported_columns(j.left);
      auto r = exported_columns(j.right);
      out.insert(out.end(), r.begin(), r.end());
      break;
    }
    default:
      throw ArgumentError(
          "a SELECT used as a FROM clause must be made a subquery first: use .subquery()");
  }
  return out;
}

const TableNode* base_table(const Node& from) {
  if (from.kind == NodeKind::table) return &as<TableNode>(from);
  if (from.kind == NodeKind::alias) {
    const auto& a = as<AliasNode>(from);
    if (a.element && a.element->kind == NodeKind::table) return &as<TableNode>(*a.element);
  }
  return nullptr;
}

void leaf_froms(const NodeRef& f, std::vector<NodeRef>& out) {
  if (f->kind == NodeKind::join) {
    leaf_froms(as<JoinNode>(*f).left, out);
    leaf_froms(as<JoinNode>(*f).right, out);
  } else {
    out.push_back(f);
  }
}

namespace {

// The column of FROM `f` (a table or an alias of a table) for base column `c`.
NodeRef column_in(const NodeRef& f, const ColumnNode* c) {
  if (f->kind == NodeKind::table) return as<TableNode>(*f).column_ref(c);
  const auto& a = as<AliasNode>(*f);
  for (const auto& d : a.columns)
    if (d->origin.get() == c) return a.column_ref(d.get());
  return nullptr;
}

std::string from_name(const Node& f) {
  if (f.kind == NodeKind::table) return as<TableNode>(f).name;
  if (f.kind == NodeKind::alias) {
    const auto& a = as<AliasNode>(f);
    return a.name.empty() ? std::string("anon") : a.name;
  }
  return "join";
}

// Foreign keys of `child` (a leaf FROM) that point at `parent`, as ON clauses.
void fk_conditions(const NodeRef& child, const NodeRef& parent, std::vector<NodeRef>& out) {
  const TableNode* ct = base_table(*child);
  const TableNode* pt = base_table(*parent);
  if (!ct || !pt) return;
  for (const auto& k : ct->constraints) {
    if (k->type != ConstraintNode::Type::foreign_key) continue;
    const TableNode* rt = nullptr;
    try {
      rt = k->referred_table();
    } catch (const NoReferenceError&) {
      continue;
    }
    if (rt != pt) continue;
    auto refs = k->referred_columns();
    std::vector<ColumnElement> parts;
    for (std::size_t i = 0; i < k->columns.size() && i < refs.size(); ++i) {
      NodeRef l = column_in(parent, refs[i]);
      NodeRef r = column_in(child, k->columns[i]);
      if (!l || !r) continue;
      parts.push_back(binary(Op::eq, ColumnElement(l), ColumnElement(r)));
    }
    if (!parts.empty()) out.push_back(and_(std::move(parts)).node());
  }
}

}  // namespace

NodeRef infer_onclause(const NodeRef& left, const NodeRef& right) {
  std::vector<NodeRef> lefts, rights;
  leaf_froms(left, lefts);
  leaf_froms(right, rights);
  // Search the left side from its most recently joined FROM backwards, as a
  // chain users.join(orders).join(items) joins items to orders.
  for (auto it = lefts.rbegin(); it != lefts.rend(); ++it) {
    std::vector<NodeRef> found;
    for (const auto& r : rights) {
      fk_conditions(r, *it, found);
      if (base_table(**it) != base_table(*r)) fk_conditions(*it, r, found);
    }
    if (found.size() == 1) return found.front();
    if (found.size() > 1)
      throw ArgumentError(fmt::format(
          "Can't determine join between '{}' and '{}'; tables have more than one foreign key "
          "constraint relationship between them. Please specify the 'onclause' of this join "
          "explicitly.",
          from_name(**it), from_name(*right)));
  }
  throw ArgumentError(fmt::format(
      "Can't find any foreign key relationships between '{}' and '{}' (NoForeignKeysError); "
      "give the join an ON clause",
      from_name(*left), from_name(*right)));
}

}  // namespace detail

// ---- ColumnCollection ------------------------------------------------------------------

namespace {

const FromClause& need_from(const FromClause& f, const char* what) {
  if (!f.node()) throw ArgumentError(fmt::format("{} got an empty FROM clause", what));
  return f;
}

}  // namespace

std::optional<ColumnElement> ColumnCollection::get(std::string_view key) const {
  if (!from_) return std::nullopt;
  if (from_->kind == NodeKind::table) {
    const auto& t = as<TableNode>(*from_);
    if (const ColumnNode* c = t.find(key)) return ColumnElement(t.column_ref(c));
    return std::nullopt;
  }
  for (const auto& c : exported_columns(from_))
    if (column_key(*c) == key) return ColumnElement(c);
  return std::nullopt;
}

ColumnElement ColumnCollection::operator[](std::string_view key) const {
  if (auto c = get(key)) return *c;
  std::string keys;
  for (const auto& k : this->keys()) keys += (keys.empty() ? "" : ", ") + k;
  throw ArgumentError(fmt::format("no column '{}' in {} (columns: {})", key,
                                  from_ ? from_name_for_error(from_) : std::string("(empty)"),
                                  keys));
}

bool ColumnCollection::contains(std::string_view key) const { return get(key).has_value(); }

std::vector<std::string> ColumnCollection::keys() const {
  std::vector<std::string> out;
  if (!from_) return out;
  for (const auto& c : exported_columns(from_)) out.emplace_back(column_key(*c));
  return out;
}

std::vector<ColumnElement> ColumnCollection::all() const {
  std::vector<ColumnElement> out;
  if (!from_) return out;
  for (const auto& c : exported_columns(from_)) out.emplace_back(c);
  return out;
}

std::size_t ColumnCollection::size() const { return from_ ? exported_columns(from_).size() : 0; }

std::string ColumnCollection::from_name_for_error(const NodeRef& f) {
  if (f->kind == NodeKind::table) return "table '" + as<TableNode>(*f).name + "'";
  if (f->kind == NodeKind::alias) {
    const auto& a = as<AliasNode>(*f);
    return "'" + (a.name.empty() ? std::string("anonymous subquery") : a.name) + "'";
  }
  return "the join";
}

// ---- FromClause ------------------------------------------------------------------------

namespace {

Join make_join(const NodeRef& l, const NodeRef& r, std::optional<ColumnElement> on, bool isouter,
               bool full) {
  auto j = std::make_shared<JoinNode>();
  j->left = l;
  j->right = r;
  j->isouter = isouter || full;
  j->full = full;
  if (on) {
    if (!on->node()) throw ArgumentError("join() got an empty ON clause");
    j->onclause = on->node();
  } else {
    j->onclause = infer_onclause(l, r);
  }
  return Join(j);
}

std::shared_ptr<AliasNode> make_alias(const NodeRef& element, std::string name,
                                      AliasNode::Flavor flavor) {
  auto a = std::make_shared<AliasNode>();
  a->self = a;
  a->element = element;
  a->name = std::move(name);
  a->flavor = flavor;
  if (element->kind == NodeKind::table) {
    const auto& t = as<TableNode>(*element);
    for (const auto& c : t.columns)
      a->columns.push_back(std::make_shared<DerivedColumnNode>(a.get(), c->name, c->key, c->type,
                                                               t.column_ref(c.get())));
  } else {
    const NodeRef* first = &element;
    while ((*first)->kind == NodeKind::compound) first = &as<CompoundNode>(**first).selects.front();
    if ((*first)->kind != NodeKind::select)
      throw ArgumentError("alias()/subquery() needs a table or a SELECT");
    const auto& s = as<SelectNode>(**first);
    const auto names = select_column_names(s);
    for (std::size_t i = 0; i < s.columns.size(); ++i)
      a->columns.push_back(std::make_shared<DerivedColumnNode>(
          a.get(), names[i], names[i], node_type(*s.columns[i]), s.columns[i]));
  }
  return a;
}

}  // namespace

NodeRef AliasNode::column_ref(const DerivedColumnNode* c) const {
  if (auto sp = self.lock()) return NodeRef(sp, c);
  return nullptr;
}

Join FromClause::join(const FromClause& right, std::optional<ColumnElement> onclause, bool isouter,
                      bool full) const {
  need_from(*this, "join()");
  need_from(right, "join()");
  return make_join(node_, right.node(), std::move(onclause), isouter, full);
}

Join FromClause::outerjoin(const FromClause& right, std::optional<ColumnElement> onclause,
                           bool full) const {
  return join(right, std::move(onclause), true, full);
}

FromClause FromClause::alias(std::string name) const {
  need_from(*this, "alias()");
  if (node_->kind == NodeKind::join)
    throw ArgumentError("a join cannot be aliased directly; select from it and use .subquery()");
  if (node_->kind == NodeKind::alias) {
    // An alias of an alias aliases the underlying element.
    return FromClause(
        make_alias(as<AliasNode>(*node_).element, std::move(name), AliasNode::Flavor::alias));
  }
  return FromClause(make_alias(node_, std::move(name), AliasNode::Flavor::alias));
}

Select FromClause::select() const { return alchemy::select(*this); }

// ---- SelectBase ------------------------------------------------------------------------

Subquery SelectBase::subquery(std::string name) const {
  return Subquery(make_alias(node_, std::move(name), AliasNode::Flavor::subquery));
}

CTE SelectBase::cte(std::string name, bool recursive) const {
  auto a = make_alias(node_, std::move(name), AliasNode::Flavor::cte);
  a->recursive = recursive;
  return CTE(a);
}

namespace {
TypeRef first_column_type(const NodeRef& stmt) {
  const NodeRef* s = &stmt;
  while ((*s)->kind == NodeKind::compound) s = &as<CompoundNode>(**s).selects.front();
  const auto& sel = as<SelectNode>(**s);
  if (sel.columns.empty()) return null_type();
  return node_type(*sel.columns.front());
}
}  // namespace

ColumnElement SelectBase::scalar_subquery() const {
  return ColumnElement(std::make_shared<ScalarSubqueryNode>(node_, first_column_type(node_)));
}

ColumnElement SelectBase::label(std::string name) const {
  return scalar_subquery().label(std::move(name));
}

ColumnElement SelectBase::exists() const {
  return ColumnElement(std::make_shared<UnaryNode>(UnaryOp::exists, node_, types::Boolean));
}

CTE CTE::union_all(const Select& other) const {
  const auto& orig = as<AliasNode>(*node_);
  auto comp = std::make_shared<CompoundNode>();
  comp->op = CompoundOp::union_all;
  comp->selects = {orig.element, other.node()};
  auto a = make_alias(comp, orig.name, AliasNode::Flavor::cte);
  a->recursive = orig.recursive;
  a->original = &orig;
  // Keep the first half alive: the recursive part refers to it by name.
  return CTE(NodeRef(a));
}

CTE CTE::union_(const Select& other) const {
  CTE c = union_all(other);
  auto& comp = const_cast<CompoundNode&>(as<CompoundNode>(*as<AliasNode>(*c.node()).element));
  comp.op = CompoundOp::union_;
  return c;
}

// ---- Select ----------------------------------------------------------------------------

Select::Select() : SelectBase(std::make_shared<SelectNode>()) {}

void Select::own() {
  if (!node_) node_ = std::make_shared<SelectNode>();
  if (node_.use_count() != 1) node_ = clone_node<SelectNode>(node_);
}

namespace {
SelectNode& mut(NodeRef& n) { return const_cast<SelectNode&>(as<SelectNode>(*n)); }

void push_criteria(std::vector<NodeRef>& into, std::vector<ColumnElement>& criteria,
                   const char* what) {
  for (auto& c : criteria) {
    if (!c.node()) throw ArgumentError(fmt::format("{} got an empty expression", what));
    const Node& n = *c.node();
    if (n.kind == NodeKind::clause_list && as<ClauseListNode>(n).op == Op::and_) {
      for (const auto& x : as<ClauseListNode>(n).clauses) into.push_back(x);
    } else {
      into.push_back(c.node());
    }
  }
}

NodeRef limit_bind(std::int64_t n, const char* key) {
  auto b = std::make_shared<BindNode>();
  b->key = key;
  b->value = Value(n);
  b->type = types::Integer;
  b->untyped = false;
  return b;
}
}  // namespace

Select& Select::where_impl(std::vector<ColumnElement> criteria) {
  own();
  push_criteria(mut(node_).where, criteria, "where()");
  return *this;
}
Select& Select::having_impl(std::vector<ColumnElement> criteria) {
  own();
  push_criteria(mut(node_).having, criteria, "having()");
  return *this;
}
Select& Select::group_by_impl(std::vector<ColumnElement> cols) {
  own();
  for (auto& c : cols) {
    if (!c.node()) throw ArgumentError("group_by() got an empty expression");
    mut(node_).group_by.push_back(c.node());
  }
  return *this;
}
Select& Select::order_by_impl(std::vector<ColumnElement> cols) {
  own();
  for (auto& c : cols) {
    if (!c.node()) throw ArgumentError("order_by() got an empty expression");
    mut(node_).order_by.push_back(c.node());
  }
  return *this;
}
Select& Select::add_columns_impl(std::vector<SelectItem> cols) {
  own();
  auto& s = mut(node_);
  for (const auto& it : cols) {
    if (!it.node()) throw ArgumentError("select() got an empty column");
    if (it.is_from()) {
      for (auto& c : exported_columns(it.node())) s.columns.push_back(std::move(c));
      if (it.node()->kind == NodeKind::join) s.froms.push_back(it.node());
    } else {
      s.columns.push_back(it.node());
    }
  }
  return *this;
}
Select& Select::with_only_columns_impl(std::vector<SelectItem> cols) {
  own();
  mut(node_).columns.clear();
  return add_columns_impl(std::move(cols));
}
Select& Select::select_from_impl(std::vector<FromClause> froms) {
  own();
  for (auto& f : froms) mut(node_).froms.push_back(need_from(f, "select_from()").node());
  return *this;
}
Select& Select::distinct_on_impl(std::vector<ColumnElement> cols) {
  own();
  auto& s = mut(node_);
  s.distinct = true;
  for (auto& c : cols) s.distinct_on.push_back(c.node());
  return *this;
}
Select& Select::correlate_impl(std::vector<FromClause> froms) {
  own();
  for (auto& f : froms) mut(node_).correlate.push_back(f.node());
  return *this;
}

Select Select::correlate_none() const {
  Select s(*this);
  s.own();
  mut(s.node_).correlate_none = true;
  return s;
}

Select Select::distinct() const {
  Select s(*this);
  s.own();
  mut(s.node_).distinct = true;
  return s;
}

Select Select::limit(std::int64_t n) const& { return Select(*this).limit(n); }
Select Select::limit(std::int64_t n) && {
  own();
  mut(node_).limit = n < 0 ? nullptr : limit_bind(n, "param");
  return std::move(*this);
}
Select Select::offset(std::int64_t n) const& { return Select(*this).offset(n); }
Select Select::offset(std::int64_t n) && {
  own();
  mut(node_).offset = n <= 0 ? nullptr : limit_bind(n, "param");
  return std::move(*this);
}

Select Select::with_for_update(ForUpdate options) const {
  Select s(*this);
  s.own();
  mut(s.node_).for_update = std::move(options);
  return s;
}

namespace {

// The FROMs a select draws from, in order: explicit ones first, then those of
// the columns and WHERE criteria not already covered by a join.
void collect_froms_of(const NodeRef& n, std::vector<NodeRef>& out);

}  // namespace

Select Select::join_from(const FromClause& left, const FromClause& right,
                         std::optional<ColumnElement> onclause, bool isouter, bool full) const {
  need_from(left, "join_from()");
  need_from(right, "join_from()");
  Select s(*this);
  s.own();
  auto& sn = mut(s.node_);
  // Replace an explicit FROM that contains `left` by the join.
  for (auto& f : sn.froms) {
    std::vector<NodeRef> leaves;
    leaf_froms(f, leaves);
    if (std::any_of(leaves.begin(), leaves.end(),
                    [&](const NodeRef& l) { return l == left.node(); })) {
      f = make_join(f, right.node(), std::move(onclause), isouter, full).node();
      return s;
    }
  }
  sn.froms.push_back(
      make_join(left.node(), right.node(), std::move(onclause), isouter, full).node());
  return s;
}

Select Select::join(const FromClause& target, std::optional<ColumnElement> onclause, bool isouter,
                    bool full) const {
  need_from(target, "join()");
  const auto& sn = as<SelectNode>(*node_);
  // Candidates for the left side: explicit FROMs, then the FROMs of the columns.
  std::vector<NodeRef> candidates = sn.froms;
  std::vector<NodeRef> implicit;
  for (const auto& c : sn.columns) collect_froms_of(c, implicit);
  for (const auto& w : sn.where) collect_froms_of(w, implicit);
  for (const auto& f : implicit)
    if (std::find(candidates.begin(), candidates.end(), f) == candidates.end())
      candidates.push_back(f);
  if (candidates.empty())
    throw InvalidRequestError(
        "join() needs something to join from: select columns of a table first, or use "
        "select_from()/join_from()");
  auto leaves_of = [](const NodeRef& f) {
    std::vector<NodeRef> leaves;
    leaf_froms(f, leaves);
    return leaves;
  };
  NodeRef left;
  if (onclause) {
    std::vector<NodeRef> on_froms;
    if (onclause->node()) collect_froms_of(onclause->node(), on_froms);
    for (const auto& cand : candidates) {
      for (const auto& leaf : leaves_of(cand))
        if (leaf != target.node() &&
            std::find(on_froms.begin(), on_froms.end(), leaf) != on_froms.end()) {
          left = cand;
          break;
        }
      if (left) break;
    }
    if (!left) left = candidates.front();
  } else {
    std::optional<ArgumentError> first_error;
    for (const auto& cand : candidates) {
      try {
        (void)infer_onclause(cand, target.node());
        left = cand;
        break;
      } catch (const ArgumentError& e) {
        if (std::string_view(e.what()).find("more than one") != std::string_view::npos) throw;
        if (!first_error) first_error = e;
      }
    }
    if (!left) throw *first_error;
  }
  Select s(*this);
  s.own();
  auto& out = mut(s.node_);
  Join j = make_join(left, target.node(), std::move(onclause), isouter, full);
  auto it = std::find(out.froms.begin(), out.froms.end(), left);
  if (it != out.froms.end()) {
    *it = j.node();
  } else {
    out.froms.push_back(j.node());
  }
  return s;
}

Select Select::outerjoin(const FromClause& target, std::optional<ColumnElement> onclause,
                         bool full) const {
  return join(target, std::move(onclause), true, full);
}

std::optional<ColumnElement> Select::whereclause() const {
  const auto& w = as<SelectNode>(*node_).where;
  if (w.empty()) return std::nullopt;
  std::vector<ColumnElement> parts;
  for (const auto& n : w) parts.emplace_back(n);
  return parts.size() == 1 ? parts.front() : and_(std::move(parts));
}

std::vector<ColumnElement> Select::selected_columns() const {
  std::vector<ColumnElement> out;
  for (const auto& c : as<SelectNode>(*node_).columns) out.emplace_back(c);
  return out;
}

namespace {

void collect_froms_of(const NodeRef& n, std::vector<NodeRef>& out) {
  auto add = [&](const NodeRef& f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  switch (n->kind) {
    case NodeKind::column: {
      const auto& c = as<ColumnNode>(*n);
      if (c.table) add(c.table->self.lock());
      break;
    }
    case NodeKind::derived_column: {
      const auto& d = as<DerivedColumnNode>(*n);
      if (auto sp = d.parent->self.lock()) add(sp);
      break;
    }
    case NodeKind::binary:
      collect_froms_of(as<BinaryNode>(*n).left, out);
      collect_froms_of(as<BinaryNode>(*n).right, out);
      break;
    case NodeKind::unary:
      if (as<UnaryNode>(*n).op != UnaryOp::exists) collect_froms_of(as<UnaryNode>(*n).element, out);
      break;
    case NodeKind::clause_list:
      for (const auto& c : as<ClauseListNode>(*n).clauses) collect_froms_of(c, out);
      break;
    case NodeKind::label:
      collect_froms_of(as<LabelNode>(*n).element, out);
      break;
    case NodeKind::function:
      for (const auto& a : as<FunctionNode>(*n).args) collect_froms_of(a, out);
      break;
    case NodeKind::cast:
      collect_froms_of(as<CastNode>(*n).element, out);
      break;
    case NodeKind::collate:
      collect_froms_of(as<CollateNode>(*n).element, out);
      break;
    case NodeKind::tuple:
      for (const auto& a : as<TupleNode>(*n).items) collect_froms_of(a, out);
      break;
    case NodeKind::case_: {
      const auto& c = as<CaseNode>(*n);
      if (c.value) collect_froms_of(c.value, out);
      for (const auto& [w, r] : c.whens) {
        collect_froms_of(w, out);
        collect_froms_of(r, out);
      }
      if (c.else_) collect_froms_of(c.else_, out);
      break;
    }
    case NodeKind::over:
      collect_froms_of(as<OverNode>(*n).func, out);
      break;
    default:
      break;
  }
}

}  // namespace

namespace detail {
void froms_of_expression(const NodeRef& n, std::vector<NodeRef>& out) { collect_froms_of(n, out); }
}  // namespace detail

Select select(std::vector<SelectItem> items) {
  Select s;
  s.add_columns_impl(std::move(items));
  return s;
}

// ---- compound selects -----------------------------------------------------------------

namespace {
CompoundSelect make_compound(CompoundOp op, std::vector<Select> selects) {
  if (selects.size() < 2) throw ArgumentError("union/intersect/except need at least two selects");
  auto c = std::make_shared<CompoundNode>();
  c->op = op;
  std::size_t width = 0;
  for (std::size_t i = 0; i < selects.size(); ++i) {
    const auto& s = as<SelectNode>(*selects[i].node());
    if (i == 0)
      width = s.columns.size();
    else if (s.columns.size() != width)
      throw ArgumentError(fmt::format(
          "All selectables passed to CompoundSelect must have identical numbers of columns; "
          "select #1 has {} columns, select #{} has {}",
          width, i + 1, s.columns.size()));
    c->selects.push_back(selects[i].node());
  }
  return CompoundSelect(c);
}
}  // namespace

CompoundSelect union_(std::vector<Select> s) {
  return make_compound(CompoundOp::union_, std::move(s));
}
CompoundSelect union_all(std::vector<Select> s) {
  return make_compound(CompoundOp::union_all, std::move(s));
}
CompoundSelect intersect(std::vector<Select> s) {
  return make_compound(CompoundOp::intersect, std::move(s));
}
CompoundSelect intersect_all(std::vector<Select> s) {
  return make_compound(CompoundOp::intersect_all, std::move(s));
}
CompoundSelect except_(std::vector<Select> s) {
  return make_compound(CompoundOp::except_, std::move(s));
}
CompoundSelect except_all(std::vector<Select> s) {
  return make_compound(CompoundOp::except_all, std::move(s));
}

CompoundSelect Select::union_(const Select& o) const { return alchemy::union_({*this, o}); }
CompoundSelect Select::union_all(const Select& o) const { return alchemy::union_all({*this, o}); }
CompoundSelect Select::intersect(const Select& o) const { return alchemy::intersect({*this, o}); }
CompoundSelect Select::except_(const Select& o) const { return alchemy::except_({*this, o}); }

CompoundSelect CompoundSelect::order_by_impl(std::vector<ColumnElement> cols) const {
  auto c = clone_node<CompoundNode>(node_);
  for (auto& col : cols) c->order_by.push_back(col.node());
  return CompoundSelect(c);
}
CompoundSelect CompoundSelect::limit(std::int64_t n) const {
  auto c = clone_node<CompoundNode>(node_);
  c->limit = n < 0 ? nullptr : limit_bind(n, "param");
  return CompoundSelect(c);
}
CompoundSelect CompoundSelect::offset(std::int64_t n) const {
  auto c = clone_node<CompoundNode>(node_);
  c->offset = n <= 0 ? nullptr : limit_bind(n, "param");
  return CompoundSelect(c);
}
std::vector<ColumnElement> CompoundSelect::selected_columns() const {
  return Select(as<CompoundNode>(*node_).selects.front()).selected_columns();
}

// ---- exists ---------------------------------------------------------------------------

Exists::Exists(Select inner)
    : ColumnElement(std::make_shared<UnaryNode>(UnaryOp::exists, inner.node(), types::Boolean)),
      inner_(std::move(inner)) {}

Exists exists() {
  auto s = std::make_shared<SelectNode>();
  s->star = true;
  return Exists(Select(s));
}

}  // namespace alchemy

namespace alchemy {

ColumnElement ColumnElement::in_(const Select& subquery) const {
  if (!node()) throw ArgumentError("in_() got an empty expression");
  auto b = std::make_shared<detail::BinaryNode>();
  b->op = detail::Op::in;
  b->left = node();
  b->right = subquery.node();
  b->type = types::Boolean;
  return ColumnElement(b);
}

ColumnElement ColumnElement::not_in(const Select& subquery) const {
  auto e = in_(subquery);
  auto b = std::make_shared<detail::BinaryNode>(detail::as<detail::BinaryNode>(*e.node()));
  b->op = detail::Op::not_in;
  return ColumnElement(b);
}

}  // namespace alchemy
