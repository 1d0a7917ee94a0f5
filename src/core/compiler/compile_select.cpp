// Rendering of SELECT, compound selects, FROM clauses and CTEs; the compile
// entry points and the compiled-form cache lookup.
#include <fmt/format.h>

#include <algorithm>

#include "alchemy/exc.hpp"
#include "core/compiler/compiler.hpp"

namespace alchemy {

using namespace detail;

namespace detail {

namespace {

bool contains(const std::vector<NodeRef>& v, const NodeRef& n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

}  // namespace

std::vector<NodeRef> StatementCompiler::froms_for(const SelectNode& s, bool nested) {
  std::vector<NodeRef> froms = s.froms;
  std::vector<NodeRef> covered;
  for (const auto& f : froms) leaf_froms(f, covered);
  std::vector<NodeRef> implicit;
  for (const auto& c : s.columns) froms_of_expression(c, implicit);
  for (const auto& w : s.where) froms_of_expression(w, implicit);
  for (const auto& h : s.having) froms_of_expression(h, implicit);
  std::vector<NodeRef> out = froms;
  std::vector<NodeRef> correlated;
  // As SQLAlchemy: auto-correlation applies only when the nested select has
  // more than one FROM (a single-table subquery is never correlated away);
  // an explicit correlate() always applies.
  std::size_t candidates = froms.size();
  for (const auto& f : implicit)
    if (!contains(covered, f) && !contains(froms, f)) ++candidates;
  if (s.correlate.empty() && candidates <= 1) nested = false;
  for (const auto& f : implicit) {
    if (contains(covered, f) || contains(out, f)) continue;
    // Correlation: a nested select leaves out FROMs of the enclosing query.
    bool correlate = false;
    if (nested && !s.correlate_none) {
      if (!s.correlate.empty()) {
        correlate = contains(s.correlate, f);
      } else {
        for (const auto& level : enclosing)
          if (contains(level, f)) correlate = true;
      }
    }
    if (correlate) {
      correlated.push_back(f);
      continue;
    }
    out.push_back(f);
  }
  if (out.empty() && !correlated.empty() && !s.star)
    throw InvalidRequestError(
        "Select statement returned no FROM clauses due to auto-correlation; specify "
        "correlate(<tables>) to control correlation manually.");
  if (out.empty() && !correlated.empty() && s.star) out.push_back(correlated.front());
  return out;
}

void StatementCompiler::from(std::string& out, const NodeRef& f) {
  switch (f->kind) {
    case NodeKind::table:
      table_name(out, as<TableNode>(*f));
      break;
    case NodeKind::alias: {
      const auto& a = as<AliasNode>(*f);
      if (a.flavor == AliasNode::Flavor::cte) {
        quote(out, alias_name(a));
        break;
      }
      if (a.element->kind == NodeKind::table) {
        table_name(out, as<TableNode>(*a.element));
      } else {
        out += '(';
        ++depth;
        enclosing.emplace_back();  // a FROM subquery does not correlate
        select_any(out, *a.element, false, false);
        enclosing.pop_back();
        --depth;
        out += ')';
      }
      out += " AS ";
      quote(out, alias_name(a));
      break;
    }
    case NodeKind::join: {
      const auto& j = as<JoinNode>(*f);
      from(out, j.left);
      if (j.full) {
        if (!d.supports_full_outer_join())
          throw CompileError(
              fmt::format("FULL OUTER JOIN is not supported on {}", d.dialect_name()));
        out += " FULL OUTER JOIN ";
      } else {
        out += j.isouter ? " LEFT OUTER JOIN " : " JOIN ";
      }
      if (j.right->kind == NodeKind::join) {
        out += '(';
        from(out, j.right);
        out += ')';
      } else {
        from(out, j.right);
      }
      out += " ON ";
      expr(out, *j.onclause);
      break;
    }
    default:
      throw CompileError("a SELECT in a FROM clause must be made a subquery first: .subquery()");
  }
}

void collect_ctes(const Node& n, std::vector<const AliasNode*>& out) {
  auto add = [&](const AliasNode* a) {
    for (auto& existing : out) {
      if (existing == a) return;
      if (existing->name == a->name && !a->name.empty()) {
        if (a->original == existing) existing = a;  // the completed recursive CTE wins
        return;
      }
    }
    out.push_back(a);
  };
  switch (n.kind) {
    case NodeKind::alias: {
      const auto& a = as<AliasNode>(n);
      if (a.flavor == AliasNode::Flavor::cte) {
        // Dependencies first; a recursive CTE's body refers to itself.
        std::vector<const AliasNode*> inner;
        collect_ctes(*a.element, inner);
        for (const auto* i : inner)
          if (i != &a && i != a.original && !(i->name == a.name && !a.name.empty())) add(i);
        add(&a);
      } else if (a.element->kind != NodeKind::table) {
        collect_ctes(*a.element, out);
      }
      break;
    }
    case NodeKind::join:
      collect_ctes(*as<JoinNode>(n).left, out);
      collect_ctes(*as<JoinNode>(n).right, out);
      collect_ctes(*as<JoinNode>(n).onclause, out);
      break;
    case NodeKind::derived_column: {
      const auto& dc = as<DerivedColumnNode>(n);
      collect_ctes(*dc.parent, out);
      break;
    }
    case NodeKind::select: {
      const auto& s = as<SelectNode>(n);
      for (const auto& f : s.froms) collect_ctes(*f, out);
      for (const auto& c : s.columns) collect_ctes(*c, out);
      for (const auto& c : s.where) collect_ctes(*c, out);
      for (const auto& c : s.having) collect_ctes(*c, out);
      for (const auto& c : s.order_by) collect_ctes(*c, out);
      break;
    }
    case NodeKind::compound:
      for (const auto& s : as<CompoundNode>(n).selects) collect_ctes(*s, out);
      break;
    case NodeKind::insert:
    case NodeKind::update:
    case NodeKind::delete_: {
      const auto& dm = as<DMLNode>(n);
      for (const auto& [k, v] : dm.values) collect_ctes(*v, out);
      if (dm.from_select) collect_ctes(*dm.from_select, out);
      for (const auto& w : dm.where) collect_ctes(*w, out);
      break;
    }
    case NodeKind::binary:
      collect_ctes(*as<BinaryNode>(n).left, out);
      collect_ctes(*as<BinaryNode>(n).right, out);
      break;
    case NodeKind::unary:
      collect_ctes(*as<UnaryNode>(n).element, out);
      break;
    case NodeKind::clause_list:
      for (const auto& c : as<ClauseListNode>(n).clauses) collect_ctes(*c, out);
      break;
    case NodeKind::label:
      collect_ctes(*as<LabelNode>(n).element, out);
      break;
    case NodeKind::function:
      for (const auto& a : as<FunctionNode>(n).args) collect_ctes(*a, out);
      break;
    case NodeKind::scalar_subquery:
      collect_ctes(*as<ScalarSubqueryNode>(n).select, out);
      break;
    case NodeKind::tuple:
      for (const auto& a : as<TupleNode>(n).items) collect_ctes(*a, out);
      break;
    default:
      break;
  }
}

void StatementCompiler::with_clause(std::string& out, const NodeRef& stmt) {
  std::vector<const AliasNode*> ctes;
  collect_ctes(*stmt, ctes);
  if (ctes.empty()) return;
  bool recursive =
      std::any_of(ctes.begin(), ctes.end(), [](const AliasNode* a) { return a->recursive; });
  out += recursive ? "WITH RECURSIVE " : "WITH ";
  for (std::size_t i = 0; i < ctes.size(); ++i) {
    const AliasNode& a = *ctes[i];
    if (i) out += ", ";
    quote(out, alias_name(a));
    if (a.recursive) {
      out += '(';
      for (std::size_t k = 0; k < a.columns.size(); ++k) {
        if (k) out += ", ";
        quote(out, a.columns[k]->name);
      }
      out += ')';
    }
    out += " AS (";
    ++depth;
    enclosing.emplace_back();
    select_any(out, *a.element, false, false);
    enclosing.pop_back();
    --depth;
    out += ')';
  }
  out += ' ';
}

void StatementCompiler::select_any(std::string& out, const Node& s, bool toplevel, bool nested) {
  if (s.kind == NodeKind::select) {
    select(out, as<SelectNode>(s), toplevel, nested);
  } else if (s.kind == NodeKind::compound) {
    compound(out, as<CompoundNode>(s), toplevel, nested);
  } else {
    throw CompileError("expected a SELECT");
  }
}

namespace {
bool needs_label(const Node& c, const std::string& name) {
  if (c.kind == NodeKind::column) return as<ColumnNode>(c).name != name;
  if (c.kind == NodeKind::derived_column) return as<DerivedColumnNode>(c).name != name;
  return true;
}
}  // namespace

void StatementCompiler::select(std::string& out, const SelectNode& s, bool toplevel, bool nested) {
  if (s.columns.empty() && !s.star)
    throw ArgumentError("select() needs at least one column (or a table) to select");
  std::vector<NodeRef> froms = froms_for(s, nested);
  std::vector<NodeRef> leaves;
  for (const auto& f : froms) leaf_froms(f, leaves);
  enclosing.push_back(std::move(leaves));
  columns_stack.push_back(&s.columns);

  out += "SELECT ";
  if (s.distinct) {
    if (!s.distinct_on.empty()) {
      if (!d.supports_distinct_on())
        throw CompileError(fmt::format("DISTINCT ON is not supported on {}", d.dialect_name()));
      out += "DISTINCT ON (";
      for (std::size_t i = 0; i < s.distinct_on.size(); ++i) {
        if (i) out += ", ";
        expr(out, *s.distinct_on[i]);
      }
      out += ") ";
    } else {
      out += "DISTINCT ";
    }
  }
  if (s.star) {
    out += '*';
  } else {
    const auto names = select_column_names(s);
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
      if (i) out += ", ";
      const Node& c = *s.columns[i];
      expr(out, c);
      if (needs_label(c, names[i])) {
        out += " AS ";
        quote(out, names[i]);
      }
      if (toplevel) {
        ResultColumn rc;
        rc.key = names[i];
        rc.type = node_type(c);
        rc.processes = rc.type && rc.type->needs_result_processing(d);
        if (rc.processes) result->result_processing = true;
        result->result_columns.push_back(std::move(rc));
      }
    }
  }
  if (!froms.empty()) {
    out += " \nFROM ";
    for (std::size_t i = 0; i < froms.size(); ++i) {
      if (i) out += ", ";
      from(out, froms[i]);
    }
  }
  if (!s.where.empty()) {
    out += " \nWHERE ";
    for (std::size_t i = 0; i < s.where.size(); ++i) {
      if (i) out += " AND ";
      expr(out, *s.where[i], s.where.size() > 1 ? prec_and : prec_none);
    }
  }
  auto render_order_item = [&](const NodeRef& o) {
    // A label of the columns clause is referred to by name.
    const Node* inner = o.get();
    std::vector<const char*> suffix;
    if (inner->kind == NodeKind::label && contains(s.columns, o)) {
      quote(out, as<LabelNode>(*inner).name);
      return;
    }
    if (inner->kind == NodeKind::unary) {
      const auto& u = as<UnaryNode>(*inner);
      if ((u.op == UnaryOp::asc || u.op == UnaryOp::desc) && u.element->kind == NodeKind::label &&
          contains(s.columns, u.element)) {
        quote(out, as<LabelNode>(*u.element).name);
        out += u.op == UnaryOp::asc ? " ASC" : " DESC";
        return;
      }
    }
    expr(out, *o);
  };
  if (!s.group_by.empty()) {
    out += " GROUP BY ";
    for (std::size_t i = 0; i < s.group_by.size(); ++i) {
      if (i) out += ", ";
      render_order_item(s.group_by[i]);
    }
  }
  if (!s.having.empty()) {
    out += " \nHAVING ";
    for (std::size_t i = 0; i < s.having.size(); ++i) {
      if (i) out += " AND ";
      expr(out, *s.having[i], s.having.size() > 1 ? prec_and : prec_none);
    }
  }
  if (!s.order_by.empty()) {
    out += " ORDER BY ";
    for (std::size_t i = 0; i < s.order_by.size(); ++i) {
      if (i) out += ", ";
      render_order_item(s.order_by[i]);
    }
  }
  if (s.limit || s.offset) {
    std::string l, o;
    if (s.limit) expr(l, *s.limit);
    if (s.offset) expr(o, *s.offset);
    d.render_limit_offset(out, l, o);
  }
  if (s.for_update && d.supports_for_update()) {
    const ForUpdate& fu = *s.for_update;
    if (fu.read) {
      out += fu.key_share ? " FOR KEY SHARE" : " FOR SHARE";
    } else {
      out += fu.key_share ? " FOR NO KEY UPDATE" : " FOR UPDATE";
    }
    if (!fu.of.empty()) {
      out += " OF ";
      for (std::size_t i = 0; i < fu.of.size(); ++i) {
        if (i) out += ", ";
        const NodeRef& f = fu.of[i].node();
        if (f->kind == NodeKind::table) {
          table_name(out, as<TableNode>(*f));
        } else if (f->kind == NodeKind::alias) {
          quote(out, alias_name(as<AliasNode>(*f)));
        }
      }
    }
    if (fu.nowait) out += " NOWAIT";
    if (fu.skip_locked) out += " SKIP LOCKED";
  }
  columns_stack.pop_back();
  enclosing.pop_back();
}

void StatementCompiler::compound(std::string& out, const CompoundNode& c, bool toplevel,
                                 bool nested) {
  static constexpr const char* kOps[] = {" UNION ",         " UNION ALL ", " INTERSECT ",
                                         " INTERSECT ALL ", " EXCEPT ",    " EXCEPT ALL "};
  for (std::size_t i = 0; i < c.selects.size(); ++i) {
    if (i) out += kOps[static_cast<int>(c.op)];
    const Node& s = *c.selects[i];
    if (s.kind == NodeKind::compound) {
      out += '(';
      compound(out, as<CompoundNode>(s), false, nested);
      out += ')';
    } else {
      select(out, as<SelectNode>(s), toplevel && i == 0, nested);
    }
  }
  if (!c.order_by.empty()) {
    // Columns of the compound are referred to by their result names.
    const auto* first = c.selects.front().get();
    while (first->kind == NodeKind::compound)
      first = as<CompoundNode>(*first).selects.front().get();
    const auto& fs = as<SelectNode>(*first);
    const auto names = select_column_names(fs);
    out += " ORDER BY ";
    for (std::size_t i = 0; i < c.order_by.size(); ++i) {
      if (i) out += ", ";
      const Node* o = c.order_by[i].get();
      const char* dir = nullptr;
      if (o->kind == NodeKind::unary &&
          (as<UnaryNode>(*o).op == UnaryOp::asc || as<UnaryNode>(*o).op == UnaryOp::desc)) {
        dir = as<UnaryNode>(*o).op == UnaryOp::asc ? " ASC" : " DESC";
        o = as<UnaryNode>(*o).element.get();
      }
      bool done = false;
      for (std::size_t k = 0; k < fs.columns.size(); ++k) {
        const Node* col = fs.columns[k].get();
        if (col == o || (o->kind == NodeKind::column && col->kind == NodeKind::column &&
                         as<ColumnNode>(*o).name == as<ColumnNode>(*col).name)) {
          quote(out, names[k]);
          done = true;
          break;
        }
      }
      if (!done) {
        const bool saved = include_table;
        include_table = false;
        expr(out, *o);
        include_table = saved;
      }
      if (dir) out += dir;
    }
  }
  if (c.limit || c.offset) {
    std::string l, o;
    if (c.limit) expr(l, *c.limit);
    if (c.offset) expr(o, *c.offset);
    d.render_limit_offset(out, l, o);
  }
}

std::shared_ptr<Compiled> StatementCompiler::compile(const NodeRef& stmt) {
  std::string& out = result->sql;
  with_clause(out, stmt);
  switch (stmt->kind) {
    case NodeKind::select:
      result->kind = Compiled::Kind::select;
      select(out, as<SelectNode>(*stmt), true, false);
      break;
    case NodeKind::compound:
      result->kind = Compiled::Kind::select;
      compound(out, as<CompoundNode>(*stmt), true, false);
      break;
    case NodeKind::insert:
      result->kind = Compiled::Kind::insert;
      insert(out, as<DMLNode>(*stmt));
      break;
    case NodeKind::update:
      result->kind = Compiled::Kind::update;
      update(out, as<DMLNode>(*stmt));
      break;
    case NodeKind::delete_:
      result->kind = Compiled::Kind::delete_;
      delete_(out, as<DMLNode>(*stmt));
      break;
    default:
      throw CompileError("not an executable statement");
  }
  return result;
}

// ---- entry points -----------------------------------------------------------------------

std::shared_ptr<const Compiled> compile_statement(const NodeRef& stmt, const SQLCompiler& compiler,
                                                  CompileOptions options) {
  std::string key;
  std::vector<const BindNode*> binds;
  cache_key(*stmt, key, binds);
  StatementCompiler c(compiler, options, &binds);
  return c.compile(stmt);
}

namespace {
std::string params_signature(const Node& stmt, const Params* p, bool executemany) {
  std::string sig;
  if (stmt.kind == NodeKind::insert || stmt.kind == NodeKind::update) {
    if (p)
      for (const auto& it : *p) {
        sig += it.first;
        sig += '\0';
      }
  }
  if (executemany) sig += "\x01m";
  return sig;
}
}  // namespace

std::shared_ptr<const Compiled> compile_statement_for(const NodeRef& stmt, CompileMemo& memo,
                                                      const SQLCompiler& compiler,
                                                      CompiledCache* cache,
                                                      const Params* first_params, bool executemany,
                                                      std::vector<const Value*>& literals) {
  const std::string sig = params_signature(*stmt, first_params, executemany);
  auto fill = [&](const std::vector<const BindNode*>& binds) {
    literals.resize(binds.size());
    for (std::size_t i = 0; i < binds.size(); ++i)
      literals[i] = binds[i]->value ? &*binds[i]->value : nullptr;
  };
  {
    std::lock_guard lock(memo.mu);
    for (const auto& e : memo.entries)
      if (e.compiler == compiler.identity() && e.keys_signature == sig) {
        fill(e.binds);
        return e.compiled;
      }
  }
  std::string key;
  std::vector<const BindNode*> binds;
  cache_key(*stmt, key, binds);
  const std::uint64_t dp = compiler.identity();
  key.append(reinterpret_cast<const char*>(&dp), sizeof dp);
  key += sig;
  std::shared_ptr<const Compiled> compiled;
  if (cache) compiled = cache->get(key);
  if (!compiled) {
    CompileOptions o;
    o.style = compiler.statement_paramstyle();
    o.first_params = first_params;
    o.executemany = executemany;
    StatementCompiler c(compiler, o, &binds);
    compiled = c.compile(stmt);
    if (cache) cache->put(key, compiled, stmt);
  }
  {
    std::lock_guard lock(memo.mu);
    if (memo.entries.size() >= 4) memo.entries.erase(memo.entries.begin());
    memo.entries.push_back({compiler.identity(), sig, compiled, binds});
  }
  fill(binds);
  return compiled;
}

}  // namespace detail

// ---- public compile()/str() --------------------------------------------------------------

namespace detail {

std::shared_ptr<const Compiled> compile_node(const NodeRef& node, const SQLCompiler& compiler) {
  CompileOptions o;
  o.style = compiler.statement_paramstyle();
  return compile_statement(node, compiler, o);
}

std::shared_ptr<const Compiled> compile_node_for(const NodeRef& node, const SQLCompiler& compiler,
                                                 CompiledCache* cache, const Params* first_params,
                                                 bool executemany,
                                                 std::vector<const Value*>& literals) {
  auto& memo = const_cast<StatementNode&>(as<StatementNode>(*node)).memo;
  return compile_statement_for(node, memo, compiler, cache, first_params, executemany, literals);
}

std::string render_node(const NodeRef& node, const SQLCompiler& compiler, bool literal_binds) {
  CompileOptions o;
  o.style = &compiler == &default_compiler() ? ParamStyle::named : compiler.statement_paramstyle();
  o.literal_binds = literal_binds;
  return compile_statement(node, compiler, o)->sql;
}

}  // namespace detail

std::shared_ptr<const Compiled> SelectBase::compile(const SQLCompiler& compiler) const {
  return compile_node(node_, compiler);
}

std::shared_ptr<const Compiled> SelectBase::compile_for(const SQLCompiler& compiler,
                                                        CompiledCache* cache,
                                                        const Params* first_params,
                                                        bool executemany,
                                                        std::vector<const Value*>& literals) const {
  return compile_node_for(node_, compiler, cache, first_params, executemany, literals);
}

std::string SelectBase::str() const { return render_node(node_, default_compiler(), false); }

std::string SelectBase::str(const SQLCompiler& compiler, bool literal_binds) const {
  return render_node(node_, compiler, literal_binds);
}

std::string ClauseElement::str() const { return str(default_compiler(), false); }

std::string ClauseElement::str(const SQLCompiler& compiler, bool literal_binds) const {
  if (!node_) return {};
  CompileOptions o;
  o.style = &compiler == &default_compiler() ? ParamStyle::named : compiler.statement_paramstyle();
  o.literal_binds = literal_binds;
  std::string key;
  std::vector<const BindNode*> binds;
  cache_key(*node_, key, binds);
  StatementCompiler c(compiler, o, &binds);
  std::string out;
  switch (node_->kind) {
    case NodeKind::table:
    case NodeKind::alias:
    case NodeKind::join:
      c.from(out, node_);
      break;
    default:
      c.expr(out, *node_);
  }
  return out;
}

// ---- CompiledCache -----------------------------------------------------------------------

std::shared_ptr<const Compiled> CompiledCache::get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  it->second.used = ++clock_;
  return it->second.compiled;
}

void CompiledCache::put(const std::string& key, std::shared_ptr<const Compiled> compiled,
                        std::shared_ptr<const void> statement) {
  std::lock_guard lock(mu_);
  if (capacity_ == 0) return;
  if (map_.size() >= capacity_ && !map_.count(key)) {
    // Evict the least recently used half (amortised O(1) per insertion).
    std::vector<std::uint64_t> uses;
    uses.reserve(map_.size());
    for (const auto& [k, e] : map_) uses.push_back(e.used);
    auto mid = uses.begin() + static_cast<std::ptrdiff_t>(uses.size() / 2);
    std::nth_element(uses.begin(), mid, uses.end());
    const std::uint64_t cutoff = *mid;
    for (auto it = map_.begin(); it != map_.end();) {
      if (it->second.used <= cutoff) {
        it = map_.erase(it);
      } else {
        ++it;
      }
    }
  }
  map_[key] = Entry{std::move(compiled), std::move(statement), ++clock_};
}

std::size_t CompiledCache::size() const {
  std::lock_guard lock(mu_);
  return map_.size();
}

void CompiledCache::clear() {
  std::lock_guard lock(mu_);
  map_.clear();
}

}  // namespace alchemy
