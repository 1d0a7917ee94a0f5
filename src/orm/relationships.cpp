// Relationships: configuration (the join from foreign keys), lazy loading,
// the in-memory back_populates and cascade events, the flush's foreign key
// synchronisation, eager loaders (selectin, joined) and the collector of
// reference cycles.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <tuple>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "alchemy/orm/session.hpp"
#include "core/sql/nodes.hpp"
#include "orm/state.hpp"

namespace alchemy::orm {

using detail::InstanceState;
using detail::SessionImpl;
using detail::Status;

std::string RelationshipProperty::name() const {
  return fmt::format("{}.{}", parent_->class_name(), def.key);
}

const RelationshipProperty* detail::RelationBase::property() const noexcept {
  if (owner_ == nullptr) return nullptr;
  return owner_->mapper->relationship_list()[index_].get();
}

// ---- configuration --------------------------------------------------------------------------

namespace detail {
namespace {
// The key of a table column (an association table's, in `sec_local` / `sec_remote`).
const std::string& key_of(const ColumnElement& c) {
  return static_cast<const alchemy::detail::ColumnNode&>(*c.node()).key;
}
}  // namespace
}  // namespace detail

namespace {

using alchemy::detail::ColumnNode;
using alchemy::detail::ConstraintNode;
using alchemy::detail::TableNode;

struct FkPath {
  std::vector<const ColumnNode*> local;   // the foreign key columns
  std::vector<const ColumnNode*> remote;  // the columns they reference
};

// Foreign key constraints of `from` that reference `to`, restricted to those
// whose columns are all in `only` when it is not empty.
std::vector<FkPath> fk_paths(const TableNode& from, const TableNode& to,
                             const std::vector<const ColumnNode*>& only) {
  std::vector<FkPath> out;
  for (const auto& c : from.constraints) {
    if (c->type != ConstraintNode::Type::foreign_key) continue;
    const TableNode* r = nullptr;
    try {
      r = c->referred_table();
    } catch (const NoReferenceError&) {
      continue;
    }
    if (r != &to) continue;
    FkPath p;
    auto refs = c->referred_columns();
    bool keep = true;
    for (std::size_t k = 0; k < c->columns.size() && k < refs.size(); ++k) {
      if (!only.empty() && std::find(only.begin(), only.end(), c->columns[k]) == only.end())
        keep = false;
      p.local.push_back(c->columns[k]);
      p.remote.push_back(refs[k]);
    }
    if (keep && !p.local.empty()) out.push_back(std::move(p));
  }
  return out;
}

std::vector<const ColumnNode*> column_nodes(const std::vector<ColumnElement>& cols,
                                            const std::string& what, const std::string& rel) {
  std::vector<const ColumnNode*> out;
  for (const auto& c : cols) {
    const auto* n = dynamic_cast<const ColumnNode*>(c.node().get());
    if (n == nullptr)
      throw ArgumentError(fmt::format(
          "relationship {}: {} must be table columns (orm::col(&Class::member))", rel, what));
    out.push_back(n);
  }
  return out;
}

std::size_t attr_index(const Mapper& m, const ColumnNode* c, const std::string& rel) {
  const auto& attrs = m.attributes();
  for (std::size_t i = 0; i < attrs.size(); ++i)
    if (&attrs[i].column.impl() == c) return i;
  throw ArgumentError(fmt::format(
      "relationship {}: column '{}' of the join is not mapped on class {}; map it with "
      "orm::column<...>()",
      rel, c->name, m.class_name()));
}

void parse_cascade(RelationshipProperty& p) {
  p.save_update = p.merge = p.expunge = p.delete_ = p.delete_orphan = p.refresh_expire = false;
  std::string spec = p.def.options.cascade;
  std::size_t at = 0;
  while (at <= spec.size()) {
    std::size_t end = spec.find(',', at);
    if (end == std::string::npos) end = spec.size();
    std::string tok = spec.substr(at, end - at);
    tok.erase(0, tok.find_first_not_of(" \t"));
    tok.erase(tok.find_last_not_of(" \t") + 1);
    at = end + 1;
    if (tok.empty() || tok == "none") continue;
    if (tok == "all") {
      p.save_update = p.merge = p.expunge = p.delete_ = p.refresh_expire = true;
    } else if (tok == "save-update") {
      p.save_update = true;
    } else if (tok == "merge") {
      p.merge = true;
    } else if (tok == "expunge") {
      p.expunge = true;
    } else if (tok == "delete") {
      p.delete_ = true;
    } else if (tok == "delete-orphan") {
      p.delete_orphan = true;
    } else if (tok == "refresh-expire") {
      p.refresh_expire = true;
    } else {
      throw ArgumentError(fmt::format(
          "relationship {}: unknown cascade '{}' (use save-update, merge, expunge, delete, "
          "delete-orphan, refresh-expire, all or none, comma-separated)",
          p.name(), tok));
    }
  }
}

using alchemy::detail::BinaryNode;
using alchemy::detail::ClauseListNode;
using alchemy::detail::NodeKind;
using alchemy::detail::Op;

// Splits a join condition into equalities between two columns and the rest.
void split_join(const NodeRef& n, std::vector<std::pair<const ColumnNode*, const ColumnNode*>>& eqs,
                std::vector<ColumnElement>& rest) {
  if (n == nullptr) return;
  if (n->kind == NodeKind::clause_list) {
    const auto& cl = static_cast<const ClauseListNode&>(*n);
    if (cl.op == Op::and_) {
      for (const auto& c : cl.clauses) split_join(c, eqs, rest);
      return;
    }
  }
  if (n->kind == NodeKind::binary) {
    const auto& b = static_cast<const BinaryNode&>(*n);
    if (b.op == Op::and_) {
      split_join(b.left, eqs, rest);
      split_join(b.right, eqs, rest);
      return;
    }
    if (b.op == Op::eq && b.left && b.right && b.left->kind == NodeKind::column &&
        b.right->kind == NodeKind::column) {
      eqs.emplace_back(static_cast<const ColumnNode*>(b.left.get()),
                       static_cast<const ColumnNode*>(b.right.get()));
      return;
    }
  }
  rest.emplace_back(n);
}

// The column handle (keeping its table alive) of a column node.
ColumnElement column_of(const ColumnNode* c) { return ColumnElement(c->table->column_ref(c)); }

// The pairs (attribute of `m`, column of `sec`) of a join between m's table and `sec`:
// from `join` when given, else from the foreign keys of `sec` to m's table.
std::vector<std::pair<std::size_t, ColumnElement>> secondary_pairs(
    const Mapper& m, const TableNode& sec, const std::function<ColumnElement()>& join,
    const char* which, const std::string& rel, std::vector<ColumnElement>& criteria) {
  std::vector<std::pair<std::size_t, ColumnElement>> out;
  const TableNode& mt = m.table().impl();
  if (join) {
    std::vector<std::pair<const ColumnNode*, const ColumnNode*>> eqs;
    split_join(join().node(), eqs, criteria);
    for (auto [a, b] : eqs) {
      if (a->table == &sec && b->table == &mt) std::swap(a, b);
      if (a->table != &mt || b->table != &sec)
        throw ArgumentError(fmt::format(
            "relationship {}: {} must compare columns of '{}' with columns of '{}' (found "
            "{}.{} = {}.{})",
            rel, which, mt.name, sec.name, a->table ? a->table->name : "?", a->name,
            b->table ? b->table->name : "?", b->name));
      out.emplace_back(attr_index(m, a, rel), column_of(b));
    }
    if (out.empty())
      throw ArgumentError(fmt::format(
          "relationship {}: {} has no equality between columns of '{}' and '{}'", rel, which,
          mt.name, sec.name));
    return out;
  }
  auto paths = fk_paths(sec, mt, {});
  if (paths.empty())
    throw NoForeignKeysError(fmt::format(
        "Could not determine join condition between parent/child tables on relationship {} - "
        "the association table '{}' has no foreign key to '{}'. Add one, or give {}",
        rel, sec.name, mt.name, which));
  if (paths.size() > 1)
    throw AmbiguousForeignKeysError(fmt::format(
        "Could not determine join condition on relationship {}: the association table '{}' "
        "has {} foreign keys to '{}'; give primaryjoin and secondaryjoin",
        rel, sec.name, paths.size(), mt.name));
  for (std::size_t k = 0; k < paths[0].local.size(); ++k)
    out.emplace_back(attr_index(m, paths[0].remote[k], rel), column_of(paths[0].local[k]));
  return out;
}

void configure_secondary(RelationshipProperty& p, const Mapper& parent, const Mapper& target,
                         const std::string& rel) {
  const auto& o = p.def.options;
  std::optional<Table> sec = o.secondary;
  if (!sec) {
    auto tables = parent.registry().metadata.tables();
    auto f = tables.find(o.secondary_name);
    if (f == tables.end())
      throw InvalidRequestError(fmt::format(
          "relationship {}: secondary table '{}' is not in the registry's metadata; define it "
          "with Table(\"{}\", Base.metadata, ...) or pass the Table itself",
          rel, o.secondary_name, o.secondary_name));
    sec = f->second;
  }
  const TableNode& st = sec->impl();
  p.criteria.clear();
  p.sec_local = secondary_pairs(parent, st, o.primaryjoin, "primaryjoin", rel, p.criteria);
  p.sec_remote = secondary_pairs(target, st, o.secondaryjoin, "secondaryjoin", rel, p.criteria);
  p.secondary = sec;
  p.pairs.clear();
  p.direction_ = RelationshipDirection::many_to_many;
}

void configure_one(RelationshipProperty& p) {
  const Mapper& parent = *p.parent_;
  const std::string rel = p.name();
  const Mapper* target = nullptr;
  try {
    target = p.def.ops.target();
  } catch (const UnmappedClassError& e) {
    throw InvalidRequestError(fmt::format(
        "relationship {}: the related class is not mapped ({}); map it before using the "
        "relationship",
        rel, e.what()));
  }
  const TableNode& pt = parent.table().impl();
  const TableNode& tt = target->table().impl();
  std::vector<const ColumnNode*> only;
  if (p.def.options.foreign_keys)
    only = column_nodes(p.def.options.foreign_keys(), "foreign_keys", rel);
  const bool self = &pt == &tt;
  FkPath path;
  RelationshipDirection dir = RelationshipDirection::one_to_many;
  p.criteria.clear();
  const bool m2m = p.def.options.secondary || !p.def.options.secondary_name.empty();
  if (m2m) {
    configure_secondary(p, parent, *target, rel);
    dir = RelationshipDirection::many_to_many;
  } else if (p.def.options.primaryjoin) {
    // The join written out: which column of each equality is the foreign key.
    std::vector<std::pair<const ColumnNode*, const ColumnNode*>> eqs;
    split_join(p.def.options.primaryjoin().node(), eqs, p.criteria);
    std::vector<std::pair<const ColumnNode*, const ColumnNode*>> fks;  // (fk column, referenced)
    for (const auto* from : {&pt, &tt})
      for (const auto* to : {&pt, &tt})
        for (const auto& fp : fk_paths(*from, *to, {}))
          for (std::size_t k = 0; k < fp.local.size(); ++k) fks.emplace_back(fp.local[k], fp.remote[k]);
    auto in = [](const auto& v, const auto& c) { return std::find(v.begin(), v.end(), c) != v.end(); };
    for (auto [x, y] : eqs) {
      const bool ok = (x->table == &pt || x->table == &tt) && (y->table == &pt || y->table == &tt);
      if (!ok)
        throw ArgumentError(fmt::format(
            "relationship {}: primaryjoin compares {}.{} with {}.{}; it must compare columns of "
            "'{}' with columns of '{}' (use secondary for an association table)",
            rel, x->table ? x->table->name : "?", x->name, y->table ? y->table->name : "?",
            y->name, pt.name, tt.name));
      bool x_fk = !only.empty() ? in(only, x) : in(fks, std::make_pair(x, y));
      bool y_fk = !only.empty() ? in(only, y) : in(fks, std::make_pair(y, x));
      if (x_fk == y_fk)
        throw ArgumentError(fmt::format(
            "relationship {}: cannot tell which of {}.{} and {}.{} in primaryjoin is the foreign "
            "key; declare the ForeignKey, or name it with foreign_keys",
            rel, x->table->name, x->name, y->table->name, y->name));
      if (y_fk) std::swap(x, y);
      path.local.push_back(x);
      path.remote.push_back(y);
    }
    if (path.local.empty())
      throw ArgumentError(fmt::format(
          "relationship {}: primaryjoin has no equality between a column of '{}' and one of "
          "'{}'",
          rel, pt.name, tt.name));
    if (self) {
      dir = RelationshipDirection::one_to_many;
      if (p.def.options.remote_side) {
        auto remote = column_nodes(p.def.options.remote_side(), "remote_side", rel);
        if (std::all_of(remote.begin(), remote.end(), [&](const ColumnNode* c) { return in(path.remote, c); }))
          dir = RelationshipDirection::many_to_one;
      }
    } else {
      dir = path.local.front()->table == &tt ? RelationshipDirection::one_to_many
                                             : RelationshipDirection::many_to_one;
    }
  } else {
    auto a = fk_paths(tt, pt, only);  // target -> parent: one-to-many
    auto b = fk_paths(pt, tt, only);  // parent -> target: many-to-one
    if (self) {
      if (a.empty())
        throw NoForeignKeysError(fmt::format(
            "Could not determine join condition on relationship {}: table '{}' has no foreign "
            "key to itself; add one, or give foreign_keys",
            rel, pt.name));
      if (a.size() > 1)
        throw AmbiguousForeignKeysError(fmt::format(
            "Could not determine join condition on relationship {}: table '{}' has {} foreign "
            "keys to itself; say which with foreign_keys",
            rel, pt.name, a.size()));
      path = a.front();
      dir = RelationshipDirection::one_to_many;
      if (p.def.options.remote_side) {
        auto remote = column_nodes(p.def.options.remote_side(), "remote_side", rel);
        bool on_referenced = std::all_of(remote.begin(), remote.end(), [&](const ColumnNode* c) {
          return std::find(path.remote.begin(), path.remote.end(), c) != path.remote.end();
        });
        if (on_referenced) dir = RelationshipDirection::many_to_one;
      }
    } else {
      if (a.empty() && b.empty())
        throw NoForeignKeysError(fmt::format(
            "Could not determine join condition between parent/child tables on relationship {} "
            "- there are no foreign keys linking these tables ('{}' and '{}'). Give a column "
            "ForeignKey(...), or say which columns with foreign_keys",
            rel, pt.name, tt.name));
      if (a.size() + b.size() > 1)
        throw AmbiguousForeignKeysError(fmt::format(
            "Could not determine join condition between parent/child tables on relationship {} "
            "- there are multiple foreign key paths linking the tables ('{}' and '{}'). Specify "
            "the foreign_keys argument, providing a list of those columns which should be "
            "counted as containing a foreign key reference to the parent table",
            rel, pt.name, tt.name));
      if (!a.empty()) {
        path = a.front();
        dir = RelationshipDirection::one_to_many;
      } else {
        path = b.front();
        dir = RelationshipDirection::many_to_one;
      }
    }
  }
  if (!m2m) {
    p.pairs.clear();
    for (std::size_t k = 0; k < path.local.size(); ++k) {
      if (dir == RelationshipDirection::one_to_many)
        p.pairs.emplace_back(attr_index(parent, path.remote[k], rel),
                             attr_index(*target, path.local[k], rel));
      else
        p.pairs.emplace_back(attr_index(parent, path.local[k], rel),
                             attr_index(*target, path.remote[k], rel));
    }
  }
  if (dir == RelationshipDirection::many_to_one && p.def.ops.uselist)
    throw ArgumentError(fmt::format(
        "relationship {} is many-to-one (the foreign key is on '{}'); declare the member as "
        "orm::One<{}>, not orm::{}",
        rel, pt.name, target->class_name(), p.def.ops.dynamic ? "Dynamic" : "Many"));
  if (p.def.options.lazy == Lazy::dynamic && !p.def.ops.dynamic)
    throw ArgumentError(fmt::format(
        "relationship {}: lazy=dynamic needs the member declared as orm::Dynamic<{}> (a query, "
        "not a list)",
        rel, target->class_name()));
  p.direction_ = dir;
  parse_cascade(p);
  if (p.delete_orphan && dir != RelationshipDirection::one_to_many)
    throw ArgumentError(fmt::format(
        "relationship {}: delete-orphan cascade is for the one side of a one-to-many or "
        "one-to-one relationship, not for {}",
        rel, dir == RelationshipDirection::many_to_one ? "many-to-one" : "many-to-many"));
  p.reverse_ = nullptr;
  if (!p.def.options.back_populates.empty()) {
    const RelationshipProperty* rp = nullptr;  // not relationship(): configuring holds the lock
    for (const auto& r : target->relationship_list())
      if (r->key() == p.def.options.back_populates) rp = r.get();
    if (rp == nullptr)
      throw ArgumentError(fmt::format(
          "relationship {}: back_populates names '{}', but class {} has no relationship '{}'",
          rel, p.def.options.back_populates, target->class_name(),
          p.def.options.back_populates));
    const Mapper* back = nullptr;
    try {
      back = rp->def.ops.target();
    } catch (const UnmappedClassError&) {
    }
    if (back == nullptr || !parent.isa(*back))
      throw ArgumentError(fmt::format(
          "relationship {}: back_populates names {}.{}, which does not point back at {}", rel,
          target->class_name(), rp->key(), parent.class_name()));
    p.reverse_ = rp;
  }
  p.order_by.clear();
  if (p.def.options.order_by) p.order_by = p.def.options.order_by();
  std::vector<ColumnElement> on, crit;
  std::vector<SelectItem> cols;
  for (const auto& a2 : target->attributes())
    if (!a2.deferred) cols.emplace_back(a2.column);  // deferred columns load when asked for
  for (std::size_t k = 0; k < p.pairs.size(); ++k) {
    const auto& pc = parent.attributes()[p.pairs[k].first].column;
    const auto& tc = target->attributes()[p.pairs[k].second].column;
    on.push_back(pc == tc);
    crit.push_back(tc == bindparam(fmt::format("rel_{}", k)));
  }
  alchemy::Select lazy = alchemy::select(std::move(cols));
  if (p.secondary) {
    std::vector<ColumnElement> sec_on;
    for (std::size_t k = 0; k < p.sec_local.size(); ++k) {
      on.push_back(parent.attributes()[p.sec_local[k].first].column == p.sec_local[k].second);
      crit.push_back(p.sec_local[k].second == bindparam(fmt::format("rel_{}", k)));
    }
    for (const auto& [a2, c] : p.sec_remote) {
      on.push_back(target->attributes()[a2].column == c);
      sec_on.push_back(target->attributes()[a2].column == c);
    }
    lazy = lazy.join(*p.secondary, and_(std::move(sec_on)));
  }
  for (const auto& c : p.criteria) {
    on.push_back(c);
    crit.push_back(c);
  }
  p.onclause = and_(std::move(on));
  lazy = lazy.where(and_(std::move(crit)));
  for (const auto& o : p.order_by) lazy = lazy.order_by(o);
  p.lazy_stmt = lazy;
  p.use_get = false;
  if (dir == RelationshipDirection::many_to_one) {
    std::vector<std::size_t> remote;
    for (auto [l, r] : p.pairs) remote.push_back(r);
    auto pk = target->primary_key();
    std::sort(remote.begin(), remote.end());
    std::sort(pk.begin(), pk.end());
    p.use_get = remote == pk && p.order_by.empty();
  }
  p.target_ = target;
}

}  // namespace

void registry::configure() const {
  if (configured_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(configure_mu_);
  if (configured_.load(std::memory_order_relaxed)) return;
  for (const auto& m : mappers_)
    for (const auto& r : m->rels_)
      if (r->target_ == nullptr && r->inherited_from_ == nullptr) configure_one(*r);
  // A subclass's inherited relationships are those of the class declaring them.
  for (const auto& m : mappers_)
    for (const auto& r : m->rels_) {
      if (r->target_ != nullptr || r->inherited_from_ == nullptr) continue;
      const RelationshipProperty* from = r->inherited_from_;
      while (from->inherited_from_ != nullptr) from = from->inherited_from_;
      // Everything configuring found, on this class.
      const Mapper* parent = r->parent_;
      const std::size_t index = r->index;
      const RelationshipProperty* inherited = r->inherited_from_;
      *r = *from;
      r->parent_ = parent;
      r->index = index;
      r->inherited_from_ = inherited;
    }
  // back_populates both ways, once every relationship knows its target.
  for (const auto& m : mappers_)
    for (const auto& r : m->rels_)
      if (r->reverse_ && r->reverse_->reverse_ == nullptr)
        const_cast<RelationshipProperty*>(r->reverse_)->reverse_ = r.get();
  configured_.store(true, std::memory_order_release);
}

const std::vector<std::unique_ptr<RelationshipProperty>>& Mapper::relationships() const {
  if (!rels_.empty()) registry_->configure();
  return rels_;
}

const RelationshipProperty* Mapper::relationship(std::string_view key) const {
  for (const auto& r : relationships())
    if (r->key() == key) return r.get();
  return nullptr;
}

const RelationshipProperty* Mapper::relationship_at(std::ptrdiff_t offset) const {
  for (const auto& r : relationships())
    if (r->def.offset == offset) return r.get();
  return nullptr;
}

// ---- the cycle collector ------------------------------------------------------------------

namespace detail {

namespace {

// The objects with relationships made on one thread. States point at their
// tracker (cross-thread releases lock it); the collector examines one tracker.
// A lock for the tracker: taken once per object created and released, almost
// always by the owning thread and uncontended, where a spin on one atomic
// costs a fraction of a mutex. Contention (a collection running while another
// thread releases objects of this one) waits by yielding.
class SpinLock {
 public:
  void lock() noexcept {
    while (busy_.exchange(true, std::memory_order_acquire))
      while (busy_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  void unlock() noexcept { busy_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> busy_{false};
};

struct Tracker {
  SpinLock mu;
  std::vector<InstanceState*> states;
  std::size_t after_last_run = 0;
};

extern thread_local bool t_tracker_gone;

struct TrackerHolder {
  Tracker* t = new Tracker();
  ~TrackerHolder() {
    t_tracker_gone = true;
    bool empty;
    {
      std::lock_guard lock(t->mu);
      empty = t->states.empty();
    }
    if (empty) {
      delete t;
      return;
    }
    // Objects outlive the thread: their tracker stays (reachable, for leak checkers).
    std::lock_guard lock(orphans_mu());
    orphans().push_back(t);
  }
  static std::vector<Tracker*>& orphans() {
    static auto* v = new std::vector<Tracker*>();
    return *v;
  }
  static std::mutex& orphans_mu() {
    static auto* m = new std::mutex();
    return *m;
  }
};

// Set once the thread's tracker is gone (thread exit): sessions destroyed
// after it (a thread_local Session) neither track nor collect.
thread_local bool t_tracker_gone = false;

Tracker* my_tracker() {
  if (t_tracker_gone) return nullptr;
  thread_local TrackerHolder h;
  return h.t;
}

void track(InstanceState* st) {
  Tracker* tp = my_tracker();
  if (tp == nullptr) return;  // thread exit: not collected
  Tracker& t = *tp;
  std::lock_guard lock(t.mu);
  gc_tracker_slot(st) = &t;
  gc_index_slot(st) = t.states.size();
  t.states.push_back(st);
}

// The states of the objects a relationship member refers to.
void member_states(const RelationshipProperty& p, const void* obj,
                   std::vector<InstanceState*>& out) {
  const void* mem = p.member(obj);
  const std::size_t n = p.def.ops.size(mem);
  for (std::size_t i = 0; i < n; ++i)
    if (InstanceState* cs = p.def.ops.state_at(mem, i)) out.push_back(cs);
}

}  // namespace

void untrack(InstanceState* st) noexcept {
  auto* t = static_cast<Tracker*>(gc_tracker_slot(st));
  if (t == nullptr) return;
  std::lock_guard lock(t->mu);
  const auto i = static_cast<std::size_t>(gc_index_slot(st));
  if (i < t->states.size() && t->states[i] == st) {
    InstanceState* last = t->states.back();
    t->states[i] = last;
    gc_index_slot(last) = i;
    t->states.pop_back();
  }
  gc_tracker_slot(st) = nullptr;
}

void instrument_state(InstanceState* st) {
  const auto& rels = st->mapper->relationship_list();
  void* obj = st->obj();
  bool filled = false;  // members the program filled before the ORM knew the object
  for (std::size_t i = 0; i < rels.size(); ++i) {
    RelationBase& b = rels[i]->def.ops.base(rels[i]->member(obj));
    if (b.owner_ == st) continue;
    b.owner_ = st;
    b.index_ = static_cast<std::uint16_t>(i);
    filled = filled || rels[i]->def.ops.size(rels[i]->member(obj)) != 0;
  }
  if (gc_tracker_slot(st) == nullptr) track(st);
  if (!filled) return;
  // Their other sides catch up now, as if the program had filled them after
  // (std::make_shared objects, or members given to orm::make's constructor).
  std::shared_ptr<void> tmp;
  for (std::size_t i = 0; i < rels.size(); ++i) {
    void* mem = rels[i]->member(obj);
    RelationBase& b = rels[i]->def.ops.base(mem);
    const std::size_t n = rels[i]->def.ops.size(mem);
    if (n == 0) continue;
    std::vector<std::shared_ptr<void>> items;
    for (std::size_t k = 0; k < n; ++k) items.push_back(*rels[i]->def.ops.item(mem, k, tmp));
    if (rels[i]->def.ops.uselist) {
      for (const auto& o : items) rel_appended(b, o);
    } else {
      rel_assigned(b, nullptr, items.front());
    }
  }
}

void instrument_node(const Mapper& m, const std::shared_ptr<void>& obj) noexcept {
  if (m.has_deferred_members()) instrument_deferred(node_state(obj.get()));
  if (m.relationship_count() == 0) return;
  InstanceState* st = node_state(obj.get());
  gc_tracker_slot(st) = nullptr;
  st->ref.watch(obj);  // the object finds its own shared_ptr (back_populates)
  try {
    instrument_state(st);
  } catch (...) {  // out of memory for the tracker: the object is just not collected
  }
}

void unload_relationships(InstanceState* st) noexcept {
  const auto& rels = st->mapper->relationship_list();
  void* obj = st->obj();
  for (const auto& r : rels) {
    RelationBase& b = r->def.ops.base(r->member(obj));
    b.loaded_ = r->lazy() == Lazy::noload || r->lazy() == Lazy::dynamic;
    b.changed_ = false;
    b.raise_ = false;
  }
}

void expire_relationships(InstanceState* st, bool all) noexcept {
  void* obj = st->obj();
  for (const auto& r : st->mapper->relationship_list()) {
    RelationBase& b = r->def.ops.base(r->member(obj));
    if (r->lazy() == Lazy::noload || r->lazy() == Lazy::dynamic || (b.changed_ && !all)) continue;
    b.loaded_ = false;
    b.changed_ = false;
  }
}

}  // namespace detail

std::size_t collect() {
  using namespace detail;
  Tracker* tp = my_tracker();
  if (tp == nullptr) return 0;
  Tracker& t = *tp;
  std::vector<std::shared_ptr<void>> graveyard;
  {
    std::lock_guard lock(t.mu);
    const std::size_t n = t.states.size();
    std::vector<long> refs(n);
    std::vector<std::uint8_t> live(n, 0);
    std::vector<InstanceState*> kids;
    auto index_of = [&](InstanceState* cs) -> std::ptrdiff_t {
      if (cs->mapper->relationship_count() == 0 || gc_tracker_slot(cs) != &t) return -1;
      return static_cast<std::ptrdiff_t>(gc_index_slot(cs));
    };
    for (std::size_t i = 0; i < n; ++i) refs[i] = t.states[i]->ref.use_count();
    // Subtract the references held by relationship members of tracked objects.
    for (std::size_t i = 0; i < n; ++i) {
      InstanceState* st = t.states[i];
      if (st->ref.use_count() <= 0) continue;  // gone or being destroyed
      kids.clear();
      for (const auto& r : st->mapper->relationship_list()) member_states(*r, st->obj(), kids);
      for (InstanceState* c : kids) {
        auto j = index_of(c);
        if (j >= 0) --refs[static_cast<std::size_t>(j)];
      }
    }
    // What the rest of the program holds, and everything reachable from it, lives.
    std::vector<std::size_t> stack;
    for (std::size_t i = 0; i < n; ++i) {
      if (t.states[i]->ref.use_count() <= 0) {
        live[i] = 1;  // gone (a plain object whose state waits for its sweep): never touched
      } else if (refs[i] > 0) {
        live[i] = 1;
        stack.push_back(i);
      }
    }
    while (!stack.empty()) {
      InstanceState* st = t.states[stack.back()];
      stack.pop_back();
      kids.clear();
      for (const auto& r : st->mapper->relationship_list()) member_states(*r, st->obj(), kids);
      for (InstanceState* c : kids) {
        auto j = index_of(c);
        if (j >= 0 && !live[static_cast<std::size_t>(j)] && c->ref.use_count() > 0) {
          live[static_cast<std::size_t>(j)] = 1;
          stack.push_back(static_cast<std::size_t>(j));
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (live[i]) continue;
      InstanceState* st = t.states[i];
      for (const auto& r : st->mapper->relationship_list()) {
        void* mem = r->member(st->obj());
        r->def.ops.take(mem, graveyard);
        r->def.ops.base(mem).loaded_ = true;
      }
    }
  }
  const std::size_t released = graveyard.size();
  graveyard.clear();  // the objects die here, outside the lock
  std::lock_guard lock(t.mu);
  t.after_last_run = t.states.size();
  return released;
}

void detail::maybe_collect() noexcept {
  Tracker* tp = my_tracker();
  if (tp == nullptr) return;
  Tracker& t = *tp;
  {
    std::lock_guard lock(t.mu);
    if (t.states.size() < 4096 || t.states.size() < 2 * t.after_last_run) return;
  }
  try {
    collect();
  } catch (...) {  // out of memory: try again later
  }
}

// ---- lazy loading and in-memory events -------------------------------------------------------

namespace detail {

namespace {

std::string describe_owner(const InstanceState* st) {
  return fmt::format("<{} at {}>", st->mapper->class_name(), st->obj());
}

const RelationshipProperty& prop_of(const RelationBase& r) {
  return *r.owner_->mapper->relationships()[r.index_];
}

// The values of the parent-side columns of the join (null when one is unset).
bool local_values(const RelationshipProperty& p, const InstanceState* st, Params& params,
                  std::vector<Value>* key = nullptr) {
  const auto& attrs = p.parent().attributes();
  for (std::size_t k = 0, n = p.local_count(); k < n; ++k) {
    const auto& a = attrs[p.local_attr(k)];
    if (a.ops.is_unset(st->obj()) && (a.ops.optional_member || a.autoincrement)) return false;
    Value v = a.ops.get(st->obj());
    if (v.is_null()) return false;
    if (key) key->push_back(v);
    params.set(k == 0 ? std::string("rel_0") : fmt::format("rel_{}", k), std::move(v));
  }
  return true;
}

}  // namespace

void rel_load(const RelationBase& r) {
  auto& self = const_cast<RelationBase&>(r);
  InstanceState* st = r.owner_;
  if (st == nullptr) {
    self.loaded_ = true;
    return;
  }
  const RelationshipProperty& p = prop_of(r);
  if (p.lazy() == Lazy::noload || p.lazy() == Lazy::dynamic) {
    self.loaded_ = true;
    return;
  }
  if (p.lazy() == Lazy::raise || r.raise_)
    throw InvalidRequestError(fmt::format("'{}' is not available due to lazy='raise'", p.name()));
  SessionImpl* s = st->session;
  if (s == nullptr) {
    if (!st->has_identity) {  // transient: nothing to load
      self.loaded_ = true;
      return;
    }
    throw DetachedInstanceError(fmt::format(
        "Parent instance {} is not bound to a Session; lazy load operation of attribute '{}' "
        "cannot proceed (load it before the session closes, e.g. with selectinload(), or "
        "add the object to a session)",
        describe_owner(st), p.key()));
  }
  if (st->status == Status::pending) {
    self.loaded_ = true;
    return;
  }
  Params params;
  std::vector<Value> key;
  void* mem = p.member(st->obj());
  if (!local_values(p, st, params, &key)) {
    std::vector<std::shared_ptr<void>> old;
    p.def.ops.take(mem, old);
    self.loaded_ = true;
    return;
  }
  if (p.use_get) {
    std::vector<std::shared_ptr<void>> old;
    p.def.ops.take(mem, old);
    std::shared_ptr<void> obj;
    if (InstanceState* found = s->lookup(*p.target_, key); found && !found->expired)
      obj = found->ref.lock();
    if (!obj) obj = s->owner->get_object(*p.target_, key);
    if (obj) p.def.ops.push(mem, std::move(obj));
    self.loaded_ = true;
    return;
  }
  std::vector<std::shared_ptr<void>> got;
  // Autoflush only for what the session can see cheaply (new, deleted and
  // re-parented objects): a scan of every object for column edits per lazy
  // load would make loops over collections quadratic.
  const bool quiet = s->pending.empty() && s->to_delete.empty() && s->removed.empty() &&
                     !s->rel_dirty;
  const bool was = s->no_autoflush;
  s->no_autoflush = s->no_autoflush || quiet;
  try {
    s->owner->load_objects({p.target_}, p.lazy_stmt, params,
                           [&got](std::shared_ptr<void>&& o) { got.push_back(std::move(o)); });
  } catch (...) {
    s->no_autoflush = was;
    throw;
  }
  s->no_autoflush = was;
  // A load (its autoflush) may have filled the member meanwhile: start afresh.
  std::vector<std::shared_ptr<void>> old;
  p.def.ops.take(mem, old);
  for (auto& o : got) p.def.ops.push(mem, std::move(o));
  self.loaded_ = true;
}

void throw_empty_reference(const RelationBase& r) {
  const RelationshipProperty* p = r.property();
  throw InvalidRequestError(fmt::format(
      "'{}' refers to no object (it is None); check it with `if (obj->{})` before using it",
      p ? p->name() : std::string("relationship"), p ? p->key() : std::string("member")));
}

namespace {

std::shared_ptr<void> self_ptr(const RelationBase& r) { return r.owner_->ref.lock(); }

// Cascades `obj` into the owner's session (save-update).
void cascade_into(const RelationshipProperty& p, InstanceState* owner,
                  const std::shared_ptr<void>& obj) {
  if (owner->session == nullptr || !p.save_update || p.def.options.viewonly || !obj) return;
  attach_related(*owner->session, p, obj);
}

void record_removal(const RelationshipProperty& p, InstanceState* owner,
                    const std::shared_ptr<void>& child) {
  if (owner->session == nullptr || p.def.options.viewonly) return;
  owner->session->removed.emplace_back(child, &p);
}

}  // namespace

// The relationship an event is about; its owner's session (if any) now has
// relationship changes to flush.
static const RelationshipProperty& touched(RelationBase& r) {
  if (SessionImpl* s = r.owner_->session) s->rel_dirty = true;
  return prop_of(r);
}

namespace {

// Many-to-many: the reverse collection of `child` gains / loses the owner
// (only when loaded: the rest of it would be hidden otherwise).
void mirror_collection(const RelationshipProperty* rp, void* child_obj, const InstanceState* owner,
                       const std::shared_ptr<void>& me, bool add) {
  if (rp == nullptr || !rp->def.ops.uselist) return;
  void* cm = rp->member(child_obj);
  RelationBase& cb = rp->def.ops.base(cm);
  if (!cb.loaded_) return;
  if (!add) {
    rp->def.ops.erase(cm, owner->obj());
    return;
  }
  std::shared_ptr<void> tmp;
  for (std::size_t i = 0, n = rp->def.ops.size(cm); i < n; ++i)
    if (rp->def.ops.item(cm, i, tmp)->get() == owner->obj()) return;
  if (me) rp->def.ops.push(cm, me);
}

void record_secondary(const RelationshipProperty& p, InstanceState* owner,
                      const std::shared_ptr<void>& child, bool add) {
  SessionImpl* s = owner->session;
  if (s == nullptr || p.def.options.viewonly || !child || owner->status == Status::pending) return;
  std::shared_ptr<void> me = owner->ref.lock();
  if (!me) return;
  s->secondary_changes.push_back({std::move(me), child, owner, &p, add});
}

}  // namespace

void rel_appended(RelationBase& r, const std::shared_ptr<void>& child) {
  const RelationshipProperty& p = touched(r);
  InstanceState* owner = r.owner_;
  if (p.secondary) {
    mirror_collection(p.reverse_, child.get(), owner, self_ptr(r), true);
    record_secondary(p, owner, child, true);
    cascade_into(p, owner, child);
    return;
  }
  if (const RelationshipProperty* rp = p.reverse_; rp && !rp->def.ops.uselist) {
    // The child's reference (e.g. order->user) now points at the owner.
    void* cm = rp->member(child.get());
    RelationBase& cb = rp->def.ops.base(cm);
    std::shared_ptr<void> me = self_ptr(r);
    std::shared_ptr<void> tmp;
    const std::shared_ptr<void>* old =
        cb.loaded_ && rp->def.ops.size(cm) ? rp->def.ops.item(cm, 0, tmp) : nullptr;
    if (!(old && old->get() == owner->obj())) {
      if (old && *old) {
        std::shared_ptr<void> prev = *old;
        void* pm = p.member(prev.get());
        if (p.def.ops.base(pm).loaded_) p.def.ops.erase(pm, child.get());
      }
      std::vector<std::shared_ptr<void>> gone;
      rp->def.ops.take(cm, gone);
      if (me) rp->def.ops.push(cm, me);
      cb.loaded_ = true;
      cb.changed_ = true;
    }
  }
  cascade_into(p, owner, child);
}

void rel_removed(RelationBase& r, const std::shared_ptr<void>& child) {
  const RelationshipProperty& p = touched(r);
  InstanceState* owner = r.owner_;
  if (p.secondary) {
    mirror_collection(p.reverse_, child.get(), owner, nullptr, false);
    record_secondary(p, owner, child, false);
    return;
  }
  if (const RelationshipProperty* rp = p.reverse_; rp && !rp->def.ops.uselist) {
    void* cm = rp->member(child.get());
    RelationBase& cb = rp->def.ops.base(cm);
    if (cb.loaded_ && rp->def.ops.erase(cm, owner->obj())) cb.changed_ = true;
  }
  if (p.direction_ == RelationshipDirection::one_to_many) record_removal(p, owner, child);
}

void rel_assigned(RelationBase& r, const std::shared_ptr<void>& old,
                  const std::shared_ptr<void>& now) {
  const RelationshipProperty& p = touched(r);
  InstanceState* owner = r.owner_;
  std::shared_ptr<void> me = self_ptr(r);
  if (p.secondary) {  // a many-to-many held as one object (uselist=False)
    if (old) {
      mirror_collection(p.reverse_, old.get(), owner, nullptr, false);
      record_secondary(p, owner, old, false);
    }
    if (now) {
      mirror_collection(p.reverse_, now.get(), owner, me, true);
      record_secondary(p, owner, now, true);
      cascade_into(p, owner, now);
    }
    return;
  }
  if (const RelationshipProperty* rp = p.reverse_) {
    if (old) {
      void* om = rp->member(old.get());
      RelationBase& ob = rp->def.ops.base(om);
      if (ob.loaded_ && rp->def.ops.erase(om, owner->obj())) ob.changed_ = true;
    }
    if (now && me) {
      void* nm = rp->member(now.get());
      RelationBase& nb = rp->def.ops.base(nm);
      if (rp->def.ops.uselist) {
        // Appending to an unloaded collection would hide the rest of it: the
        // flush sets the foreign key and the next load includes the object.
        if (nb.loaded_) {
          bool there = false;
          std::shared_ptr<void> tmp;
          for (std::size_t i = 0, n = rp->def.ops.size(nm); i < n && !there; ++i)
            there = rp->def.ops.item(nm, i, tmp)->get() == owner->obj();
          if (!there) rp->def.ops.push(nm, me);
        }
      } else {
        std::vector<std::shared_ptr<void>> gone;
        rp->def.ops.take(nm, gone);
        rp->def.ops.push(nm, me);
        nb.loaded_ = true;
        nb.changed_ = true;
      }
    }
  }
  if (old && p.direction_ == RelationshipDirection::one_to_many) record_removal(p, owner, old);
  if (now) cascade_into(p, owner, now);
}

// ---- cascades on add, foreign keys at flush ---------------------------------------------------

void attach_related(SessionImpl& s, const RelationshipProperty& p,
                    const std::shared_ptr<void>& obj) {
  InstanceState* cs = p.def.ops.state_of(obj);
  if (cs == nullptr) cs = foreign_state(obj, *p.target_, true);
  // Objects of this or another session stay where they are; deleted ones out.
  if (cs->session != nullptr || cs->status == Status::deleted) return;
  attach(s, cs, obj);
}

void cascade_add(SessionImpl& s, InstanceState* st) {
  const auto& rels = st->mapper->relationships();
  std::shared_ptr<void> tmp;
  for (const auto& r : rels) {
    if (!r->save_update || r->def.options.viewonly) continue;
    void* mem = r->member(st->obj());
    if (!r->def.ops.base(mem).loaded_) continue;
    for (std::size_t i = 0; i < r->def.ops.size(mem); ++i) {
      attach_related(s, *r, *r->def.ops.item(mem, i, tmp));
    }
  }
}

namespace {

// Copies the key of `from` (attributes `from_attrs`) into the foreign key of
// `to`; false when the key is not known yet (a pending object's generated key).
bool copy_key(const Mapper& fm, const void* from, const Mapper& tm, void* to,
              const std::vector<std::pair<std::size_t, std::size_t>>& pairs, bool parent_to_target) {
  const auto& fa = fm.attributes();
  const auto& ta = tm.attributes();
  for (auto [pa, tb] : pairs) {
    const auto& src = fa[parent_to_target ? pa : tb];
    if (src.ops.is_unset(from) && (src.autoincrement || src.ops.optional_member)) return false;
  }
  for (auto [pa, tb] : pairs) {
    const auto& src = fa[parent_to_target ? pa : tb];
    const auto& dst = ta[parent_to_target ? tb : pa];
    Value v = src.ops.get(from);
    if (dst.ops.get(to) != v) dst.ops.set(to, v);
  }
  return true;
}

void null_key(const Mapper& m, void* obj, const RelationshipProperty& p, bool target_side) {
  for (auto [pa, tb] : p.pairs) {
    const auto& a = m.attributes()[target_side ? tb : pa];
    if (a.primary_key) continue;  // a key column cannot be nulled: leave it
    // NULL needs a nullable column and a member that can hold it (std::optional).
    if (!a.ops.optional_member || !a.column.nullable())
      throw FlushError(fmt::format(
          "Dependency rule tried to blank-out NOT NULL column '{}' of {} removed from '{}'; use "
          "cascade \"all, delete-orphan\" to delete such objects, or make the column nullable "
          "(and the member a std::optional)",
          a.key, m.class_name(), p.name()));
    a.ops.set(obj, Value());
  }
}

template <class F>
void for_each_related_state(SessionImpl& s, F&& f) {
  for (std::size_t i = 0; i < s.pending.size(); ++i) {
    InstanceState* st = s.pending[i];
    if (st->mapper->relationship_count() != 0) f(st);
  }
  for (auto& [m, im] : s.maps) {
    // A hierarchy's map (keyed by its base class) holds subclass objects,
    // which may have relationships of their own.
    const bool family = m->self_and_descendants().size() > 1;
    if (!family && m->relationship_count() == 0) continue;
    std::vector<InstanceState*> sts;
    for (auto& [k, st] : im.ints)
      if (st->mapper->relationship_count() != 0) sts.push_back(st);
    for (auto& [k, st] : im.general)
      if (st->mapper->relationship_count() != 0) sts.push_back(st);
    for (InstanceState* st : sts) f(st);
  }
}

}  // namespace

void sync_relationships(SessionImpl& s, bool final_pass) {
  std::shared_ptr<void> tmp;
  for_each_related_state(s, [&](InstanceState* st) {
    if (st->marked_deleted) return;
    for (const auto& r : st->mapper->relationships()) {
      if (r->def.options.viewonly) continue;
      void* mem = r->member(st->obj());
      RelationBase& b = r->def.ops.base(mem);
      if (!b.loaded_ || !b.changed_) continue;
      const std::size_t n = r->def.ops.size(mem);
      if (r->secondary) {  // association rows are written by flush_secondary
        if (r->save_update)
          for (std::size_t i = 0; i < n; ++i) attach_related(s, *r, *r->def.ops.item(mem, i, tmp));
        continue;
      }
      if (r->direction_ == RelationshipDirection::many_to_one) {
        if (n == 0) {
          if (final_pass) null_key(*st->mapper, st->obj(), *r, false);
          continue;
        }
        std::shared_ptr<void> target = *r->def.ops.item(mem, 0, tmp);
        if (r->save_update) attach_related(s, *r, target);
        copy_key(*r->target_, target.get(), *st->mapper, st->obj(), r->pairs, false);
        continue;
      }
      for (std::size_t i = 0; i < n; ++i) {
        std::shared_ptr<void> child = *r->def.ops.item(mem, i, tmp);
        if (r->save_update) attach_related(s, *r, child);
        copy_key(*st->mapper, st->obj(), *r->target_, child.get(), r->pairs, true);
      }
    }
  });
  if (!final_pass) return;
  // Children of deleted parents (without the delete cascade) still pointing
  // at them: their foreign key becomes NULL.
  for (InstanceState* st : s.to_delete) {
    if (st->mapper->relationship_count() == 0) continue;
    for (const auto& r : st->mapper->relationships()) {
      if (r->def.options.viewonly || r->direction_ != RelationshipDirection::one_to_many ||
          r->delete_ || r->delete_orphan)
        continue;
      void* mem = r->member(st->obj());
      if (!r->def.ops.base(mem).loaded_) continue;
      for (std::size_t i = 0, n = r->def.ops.size(mem); i < n; ++i) {
        std::shared_ptr<void> child = *r->def.ops.item(mem, i, tmp);
        InstanceState* cs = r->def.ops.state_of(child);
        if (cs == nullptr) cs = foreign_state(child, *r->target_, false);
        if (cs == nullptr || cs->session != &s || cs->marked_deleted) continue;
        bool points_here = true;
        for (auto [pa, tb] : r->pairs)
          points_here = points_here && st->mapper->attributes()[pa].ops.get(st->obj()) ==
                                           r->target_->attributes()[tb].ops.get(child.get());
        if (points_here) null_key(*r->target_, child.get(), *r, true);
      }
    }
  }
  // Objects taken out of a collection: deleted (delete-orphan), or their
  // foreign key nulled unless they went to another parent meanwhile.
  auto removed = std::move(s.removed);
  s.removed.clear();
  for (auto& [child, p] : removed) {
    InstanceState* cs = p->def.ops.state_of(child);
    if (cs == nullptr) cs = foreign_state(child, *p->target_, false);
    if (cs == nullptr || cs->session != &s) continue;
    bool reparented = false;
    if (const RelationshipProperty* rp = p->reverse_; rp && !rp->def.ops.uselist) {
      void* cm = rp->member(child.get());
      reparented = rp->def.ops.base(cm).loaded_ && rp->def.ops.size(cm) != 0;
    }
    if (reparented) continue;
    if (p->delete_orphan) {
      if (cs->status == Status::pending) {
        std::erase(s.pending, cs);
        std::shared_ptr<void> keep = s.detach(cs);
      } else if (cs->status == Status::persistent && !cs->marked_deleted) {
        cs->marked_deleted = true;
        cs->ref.pin(child);
        s.to_delete.push_back(cs);
      }
      continue;
    }
    if (cs->marked_deleted) continue;
    // Still pointing at a parent through its foreign key only: clear it.
    null_key(*p->target_, child.get(), *p, true);
  }
}

std::vector<std::vector<InstanceState*>> insert_levels(const Mapper& m,
                                                       const std::vector<InstanceState*>& states) {
  std::vector<const RelationshipProperty*> self_rels;
  for (const auto& r : m.relationships())
    if (&r->mapper() == &m && !r->def.options.viewonly && !r->secondary) self_rels.push_back(r.get());
  if (self_rels.empty() || states.size() < 2) return {states};
  // before[i]: the rows that must be inserted before row i.
  std::unordered_map<const InstanceState*, std::size_t> pos;
  for (std::size_t i = 0; i < states.size(); ++i) pos[states[i]] = i;
  std::vector<std::vector<std::size_t>> before(states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    for (const RelationshipProperty* r : self_rels) {
      const void* mem = r->member(states[i]->obj());
      if (!r->def.ops.base(const_cast<void*>(mem)).loaded_) continue;
      for (std::size_t k = 0, n = r->def.ops.size(mem); k < n; ++k) {
        InstanceState* o = r->def.ops.state_at(mem, k);
        auto f = o ? pos.find(o) : pos.end();
        if (f == pos.end() || f->second == i) continue;
        if (r->direction_ == RelationshipDirection::one_to_many)
          before[f->second].push_back(i);  // the child waits for this parent
        else
          before[i].push_back(f->second);  // this child waits for its parent
      }
    }
  }
  std::vector<std::vector<InstanceState*>> levels;
  std::vector<std::uint8_t> done(states.size(), 0);
  std::size_t left = states.size();
  while (left > 0) {
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (done[i]) continue;
      bool ok = true;
      for (std::size_t j : before[i]) ok = ok && done[j];
      if (ok) ready.push_back(i);
    }
    if (ready.empty())
      throw FlushError(fmt::format(
          "Circular dependency among new {} objects: each is (indirectly) the parent of another "
          "through a self-referential relationship; break the cycle (flush a parent first, or "
          "set one reference to null)",
          m.class_name()));
    std::vector<InstanceState*> level;
    for (std::size_t i : ready) {
      done[i] = 1;
      level.push_back(states[i]);
    }
    left -= ready.size();
    levels.push_back(std::move(level));
  }
  return levels;
}

std::vector<std::pair<InstanceState*, std::shared_ptr<void>>> cascade_targets(
    InstanceState* st, bool RelationshipProperty::*flag) {
  std::vector<std::pair<InstanceState*, std::shared_ptr<void>>> out;
  std::shared_ptr<void> tmp;
  for (const auto& r : st->mapper->relationships()) {
    if (!((*r).*flag) || r->def.options.viewonly) continue;
    void* mem = r->member(st->obj());
    if (!r->def.ops.base(mem).loaded_) continue;
    for (std::size_t i = 0, n = r->def.ops.size(mem); i < n; ++i) {
      std::shared_ptr<void> obj = *r->def.ops.item(mem, i, tmp);
      InstanceState* cs = r->def.ops.state_of(obj);
      if (cs == nullptr) cs = foreign_state(obj, *r->target_, false);
      if (cs != nullptr && cs->session != nullptr && cs->session == st->session)
        out.emplace_back(cs, std::move(obj));
    }
  }
  return out;
}

void cascade_delete(Session& session, InstanceState* st) {
  SessionImpl& s = session.impl();
  s.rel_dirty = true;  // the flush deals with the relationships of deleted objects
  for (const auto& r : st->mapper->relationships()) {
    if (r->def.options.viewonly) continue;
    const bool deletes = r->delete_ || r->delete_orphan;
    // Without the delete cascade, the flush nulls the foreign keys of a
    // one-to-many's children (and deletes a many-to-many's rows by key).
    if (!deletes && r->direction_ != RelationshipDirection::one_to_many) continue;
    void* mem = r->member(st->obj());
    RelationBase& b = r->def.ops.base(mem);
    if (!b.loaded_) {
      if (r->def.options.passive_deletes) continue;  // ON DELETE CASCADE / SET NULL does it
      // Not autoflushed: the flush would already DELETE the object itself.
      const bool was = s.no_autoflush;
      s.no_autoflush = true;
      try {
        rel_load(b);
      } catch (...) {
        s.no_autoflush = was;
        throw;
      }
      s.no_autoflush = was;
    }
  }
  for (auto& [cs, obj] : cascade_targets(st, &RelationshipProperty::delete_))
    if (!cs->marked_deleted && cs->status != Status::deleted) session.delete_state(cs, obj);
  for (auto& [cs, obj] : cascade_targets(st, &RelationshipProperty::delete_orphan))
    if (!cs->marked_deleted && cs->status != Status::deleted) session.delete_state(cs, obj);
}

void cascade_merge(Session& session, const Mapper& m, const void* src,
                   const std::shared_ptr<void>& target, MergeMemo& memo) {
  std::shared_ptr<void> tmp;
  for (const auto& r : m.relationships()) {
    if (!r->merge || r->def.options.viewonly) continue;
    const void* smem = r->member(src);
    const RelationBase& sb = r->def.ops.base(const_cast<void*>(smem));
    if (!sb.loaded_) continue;  // never loaded in the source: the target's stays as it is
    std::vector<std::shared_ptr<void>> merged;
    for (std::size_t i = 0, n = r->def.ops.size(smem); i < n; ++i) {
      std::shared_ptr<void> child = *r->def.ops.item(smem, i, tmp);
      if (child)
        merged.push_back(
            session.merge_object(*r->target_, child.get(), &memo, r->def.ops.state_of(child)));
    }
    void* tmem = r->member(target.get());
    RelationBase& tb = r->def.ops.base(tmem);
    if (!tb.loaded_) rel_load(tb);
    std::vector<std::shared_ptr<void>> old;
    r->def.ops.take(tmem, old);
    for (const auto& o : merged) r->def.ops.push(tmem, o);
    tb.loaded_ = true;
    tb.changed_ = true;
    if (tb.owner_ == nullptr) continue;
    // The other side and the flush see it as the program's own edits.
    for (const auto& o : old)
      if (std::find(merged.begin(), merged.end(), o) == merged.end()) rel_removed(tb, o);
    for (const auto& o : merged)
      if (std::find(old.begin(), old.end(), o) == old.end()) {
        if (r->uselist())
          rel_appended(tb, o);
        else
          rel_assigned(tb, old.empty() ? nullptr : old.front(), o);
      }
  }
}

bool secondary_pending(const SessionImpl& s) { return !s.secondary_changes.empty(); }

namespace {

// The association table's parameters for one side of a row: `keys` pairs the
// object's attributes with the table's columns.
void secondary_params(const Mapper& m, const void* obj,
                      const std::vector<std::pair<std::size_t, ColumnElement>>& keys,
                      const RelationshipProperty& p, Params& out) {
  for (const auto& [a, c] : keys) {
    const auto& attr = m.attributes()[a];
    Value v = attr.ops.get(obj);
    if (v.is_null() || (attr.ops.is_unset(obj) && (attr.autoincrement || attr.ops.optional_member)))
      throw FlushError(fmt::format(
          "Can't write the association row of '{}': the {} object has no value for '{}' (it is "
          "not in the session, or not flushed); add it to the session",
          p.name(), m.class_name(), attr.key));
    out.set(key_of(c), std::move(v));
  }
}

}  // namespace

bool flush_secondary(SessionImpl& s) {
  // Net change per (relationship, parent, child): the rows of both sides of a
  // back_populates pair are one row, written once.
  struct Net {
    std::shared_ptr<void> parent, child;
    InstanceState *pst, *cst;
    const RelationshipProperty* rel;
    bool first, last;
  };
  std::vector<Net> nets;
  std::map<std::tuple<const RelationshipProperty*, const void*, const void*>, std::size_t> at;
  auto note = [&](const RelationshipProperty* p, std::shared_ptr<void> parent, InstanceState* pst,
                  std::shared_ptr<void> child, bool add) {
    InstanceState* cst = p->def.ops.state_of(child);
    if (cst == nullptr) cst = foreign_state(child, *p->target_, false);
    const RelationshipProperty* rp = p->reverse_;
    if (rp && rp->secondary && rp < p) {  // the pair's row, seen from its first relationship
      std::swap(parent, child);
      std::swap(pst, cst);
      p = rp;
    }
    auto key = std::make_tuple(p, parent.get(), child.get());
    auto f = at.find(key);
    if (f == at.end()) {
      at.emplace(key, nets.size());
      nets.push_back({std::move(parent), std::move(child), pst, cst, p, add, add});
    } else {
      nets[f->second].last = add;
    }
  };
  for (auto& c : s.secondary_changes) note(c.rel, c.parent, c.parent_state, c.child, c.add);
  // New objects: whatever their collections hold are new rows.
  std::shared_ptr<void> tmp;
  for (InstanceState* st : s.pending) {
    if (st->mapper->relationship_count() == 0) continue;
    std::shared_ptr<void> me;
    for (const auto& r : st->mapper->relationships()) {
      if (!r->secondary || r->def.options.viewonly) continue;
      const void* mem = r->member(st->obj());
      const std::size_t n = r->def.ops.size(mem);
      if (n == 0) continue;
      if (!me) me = st->ref.lock();
      for (std::size_t i = 0; i < n; ++i) note(r.get(), me, st, *r->def.ops.item(mem, i, tmp), true);
    }
  }
  bool any = false;
  Connection& conn = s.connection();
  // Rows of deleted objects go first (unless the database cascades them).
  for (InstanceState* st : s.to_delete) {
    if (st->mapper->relationship_count() == 0) continue;
    for (const auto& r : st->mapper->relationships()) {
      if (!r->secondary || r->def.options.viewonly || r->def.options.passive_deletes) continue;
      std::vector<ColumnElement> where;
      Params params;
      for (const auto& [a, c] : r->sec_local) {
        where.push_back(c == bindparam(key_of(c)));
      }
      secondary_params(*st->mapper, st->obj(), r->sec_local, *r, params);
      conn.execute(r->secondary->delete_().where(and_(std::move(where))), params);
      any = true;
    }
  }
  std::map<const RelationshipProperty*, std::pair<std::vector<Params>, std::vector<Params>>> rows;
  for (const Net& n : nets) {
    if (n.first != n.last) continue;  // added and removed again (or the reverse): as it was
    if ((n.pst && n.pst->marked_deleted) || (n.cst && n.cst->marked_deleted)) continue;
    Params p;
    secondary_params(n.rel->parent(), n.parent.get(), n.rel->sec_local, *n.rel, p);
    secondary_params(n.rel->mapper(), n.child.get(), n.rel->sec_remote, *n.rel, p);
    auto& [ins, del] = rows[n.rel];
    (n.last ? ins : del).push_back(std::move(p));
  }
  for (auto& [rel, io] : rows) {
    auto& [ins, del] = io;
    if (!del.empty()) {
      std::vector<ColumnElement> where;
      for (const auto* side : {&rel->sec_local, &rel->sec_remote})
        for (const auto& [a, c] : *side)
          where.push_back(c == bindparam(key_of(c)));
      Result r = conn.execute(rel->secondary->delete_().where(and_(std::move(where))), del);
      any = true;
    }
  }
  for (auto& [rel, io] : rows) {
    auto& [ins, del] = io;
    if (ins.empty()) continue;
    conn.execute(rel->secondary->insert(), ins);
    any = true;
  }
  return any;
}

void relationships_flushed(SessionImpl& s) noexcept {
  std::vector<std::shared_ptr<void>> written;  // Dynamic members' appended objects
  for_each_related_state(s, [&](InstanceState* st) {
    for (const auto& r : st->mapper->relationship_list()) {
      void* mem = r->member(st->obj());
      r->def.ops.base(mem).changed_ = false;
      if (r->def.ops.dynamic) r->def.ops.take(mem, written);
    }
  });
}

}  // namespace detail


// ---- eager loading -----------------------------------------------------------------------------

namespace detail {

namespace {

constexpr std::size_t kInChunk = 500;  // keys per SELECT ... IN (SQLAlchemy's chunk size)

std::string strategy_name(Lazy how) {
  switch (how) {
    case Lazy::select:
      return "lazyload";
    case Lazy::joined:
      return "joinedload";
    case Lazy::selectin:
      return "selectinload";
    case Lazy::noload:
      return "noload";
    case Lazy::raise:
      return "raiseload";
    case Lazy::subquery:
      return "subqueryload";
    case Lazy::dynamic:
      return "dynamic";
    case Lazy::contains_eager:
      return "contains_eager";
  }
  return "option";
}

// The relationship a loader option step names, on mapper `m`; null when the
// step is for another class.
const RelationshipProperty* resolve_step(const LoaderOption::Step& step, const Mapper& m) {
  const Mapper* cls = nullptr;
  try {
    cls = step.cls();
  } catch (const UnmappedClassError& e) {
    throw ArgumentError(fmt::format("{}(): {}", strategy_name(step.how), e.what()));
  }
  if (cls != &m) return nullptr;
  const RelationshipProperty* r =
      step.offset >= 0 ? m.relationship_at(step.offset) : m.relationship(step.key);
  if (r == nullptr)
    throw ArgumentError(fmt::format(
        "{}(): {} is not a relationship of class {}; name a member mapped with "
        "orm::relationship<...>()",
        strategy_name(step.how),
        step.offset >= 0 ? std::string("this member") : fmt::format("'{}'", step.key),
        m.class_name()));
  return r;
}

struct Eager {
  const RelationshipProperty* rel;
  Lazy how;
  std::vector<LoaderOption> sub;  // options below this relationship
};

// What to load eagerly for objects of `m`, given the options that apply at
// this level; `chain` is the relationships above (default eager strategies
// do not recurse into a relationship already on the chain).
std::vector<Eager> plan_eager(const Mapper& m, const std::vector<LoaderOption>& opts,
                              const std::vector<const RelationshipProperty*>& chain) {
  std::vector<Eager> out;
  for (const auto& r : m.relationships()) {
    Eager e{r.get(), r->lazy(), {}};
    bool explicit_how = false;
    for (const auto& o : opts) {
      if (o.path.empty()) continue;
      if (resolve_step(o.path.front(), m) != r.get()) continue;
      // The step's strategy applies to this relationship (the last option
      // naming it wins); the rest of the path to the objects it loads.
      e.how = o.path.front().how;
      explicit_how = true;
      if (o.path.size() > 1 || o.columns) {
        // Column options chained at the end of the path go along with it.
        LoaderOption rest;
        rest.path.assign(o.path.begin() + 1, o.path.end());
        rest.columns = o.columns;
        e.sub.push_back(std::move(rest));
      }
    }
    if (explicit_how && r->lazy() == Lazy::dynamic && e.how != Lazy::select &&
        e.how != Lazy::noload && e.how != Lazy::raise)
      throw InvalidRequestError(fmt::format(
          "{}(): {} is a dynamic relationship (a query, not a list); it can't be loaded eagerly",
          strategy_name(e.how), r->name()));
    if (e.how == Lazy::contains_eager && !chain.empty())
      throw ArgumentError(fmt::format(
          "contains_eager(): {} is not a relationship of the query's first entity; "
          "contains_eager reads the statement's own JOIN at the first level only",
          r->name()));
    if (!explicit_how && e.sub.empty() && std::find(chain.begin(), chain.end(), r.get()) != chain.end())
      continue;  // a default eager strategy met itself again (self-referential)
    if (e.how == Lazy::joined || e.how == Lazy::selectin || e.how == Lazy::subquery ||
        explicit_how)
      out.push_back(std::move(e));
  }
  return out;
}

// The statement (and its parameters) that loaded the parents: subqueryload
// selects the related rows whose key is IN it. Null below selectin loads.
struct Source {
  const alchemy::Select* stmt = nullptr;
  const Params* params = nullptr;
};

void eager_load(Session& session, const Eager& e, std::vector<InstanceState*>& parents,
                std::vector<const RelationshipProperty*>& chain, Source src);

// Applies a plan to objects just loaded: noload / raise marks, eager loads.
void run_plan(Session& session, std::vector<InstanceState*>& objs, const std::vector<Eager>& plan,
              std::vector<const RelationshipProperty*>& chain, Source src = {}) {
  if (objs.empty()) return;
  for (const Eager& e : plan) {
    if (e.how == Lazy::noload || e.how == Lazy::raise) {
      for (InstanceState* st : objs) {
        RelationBase& b = e.rel->def.ops.base(e.rel->member(st->obj()));
        if (b.loaded_) continue;
        if (e.how == Lazy::noload)
          b.loaded_ = true;
        else
          b.raise_ = true;
      }
      continue;
    }
    chain.push_back(e.rel);
    eager_load(session, e, objs, chain, src);
    chain.pop_back();
  }
}

void run_eager(Session& session, const Mapper& m, std::vector<InstanceState*>& objs,
               const std::vector<LoaderOption>& opts,
               std::vector<const RelationshipProperty*>& chain) {
  if (objs.empty() || m.relationship_count() == 0) return;
  run_plan(session, objs, plan_eager(m, opts, chain), chain);
}

// The WHERE conditions selecting the related rows of `keys` (values of the
// parents' column `local`, matched by the column `remote`): an IN list per
// chunk, or, for subqueryload, one IN over the parents' statement.
struct KeyFilter {
  std::vector<ColumnElement> conds;
  Params params;
};
KeyFilter key_filters(const ColumnElement& remote, const std::vector<Value>& keys,
                      const ColumnElement& local, Source src) {
  KeyFilter out;
  if (keys.empty()) return out;
  if (src.stmt != nullptr) {
    Subquery sq = src.stmt->with_only_columns(local.label("key")).subquery();
    out.conds.push_back(remote.in_(alchemy::select(sq.c["key"])));
    if (src.params != nullptr) out.params = *src.params;
    return out;
  }
  for (std::size_t at = 0; at < keys.size(); at += kInChunk) {
    std::vector<Value> chunk(
        keys.begin() + static_cast<std::ptrdiff_t>(at),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + kInChunk)));
    out.conds.push_back(remote.in_(chunk));
  }
  return out;
}

// The parents of one selectin / subquery load, by the value of their join
// column `pa` (each key once in `keys`); their members are emptied and count
// as loaded from here on.
struct ParentsByKey {
  ParentsByKey(const RelationshipProperty& p, const Mapper::Attribute& pa, bool ints,
               const std::vector<InstanceState*>& todo)
      : int_keys(ints) {
    for (InstanceState* st : todo) {
      void* mem = p.member(st->obj());
      RelationBase& b = p.def.ops.base(mem);
      std::vector<std::shared_ptr<void>> old;
      p.def.ops.take(mem, old);
      b.loaded_ = true;
      b.changed_ = false;
      if (pa.ops.is_unset(st->obj()) && (pa.ops.optional_member || pa.autoincrement)) continue;
      Value v = pa.ops.get(st->obj());
      if (v.is_null()) continue;
      auto& slot = int_keys ? by_int[v.as<std::int64_t>()] : by_val[{v}];
      if (slot.empty()) keys.push_back(v);
      slot.push_back(st);
    }
  }
  /// The parents whose key is `v` (a value of the remote column), or null.
  std::vector<InstanceState*>* find(const Value& v) {
    if (v.is_null()) return nullptr;
    if (int_keys) {
      auto f = by_int.find(v.as<std::int64_t>());
      return f == by_int.end() ? nullptr : &f->second;
    }
    auto f = by_val.find({v});
    return f == by_val.end() ? nullptr : &f->second;
  }
  bool int_keys;
  std::unordered_map<std::int64_t, std::vector<InstanceState*>> by_int;
  std::unordered_map<std::vector<Value>, std::vector<InstanceState*>, ValueVecHash> by_val;
  std::vector<Value> keys;
};

// Many-to-many, selectin: the targets of every parent in `todo`, by chunks of
// keys, through the association table (whose key column comes last in each row).
void load_secondary(SessionImpl& s, const RelationshipProperty& p,
                    const std::vector<InstanceState*>& todo, Source src,
                    const std::vector<LoaderOption>& sub) {
  const auto& pa = p.parent().attributes()[p.sec_local[0].first];
  const ColumnElement& sk = p.sec_local[0].second;
  ParentsByKey parents(p, pa, pa.column.type()->is_integer() && sk.type()->is_integer(), todo);
  const std::vector<Value>& keys = parents.keys;
  const Mapper& tm = p.mapper();
  // The target's columns as column options and deferral say, in order.
  const auto cplan = column_plans({&tm}, &sub);
  std::vector<std::size_t> positional(tm.attributes().size());
  std::size_t kc = 0;
  for (std::size_t i = 0; i < positional.size(); ++i)
    positional[i] = (cplan.empty() || cplan[0][i]) ? kc++ : LoadPlan::kNotLoaded;
  const LoadPlan plan(s, tm, positional);
  std::vector<ColumnElement> sec_on;
  for (const auto& [a, c] : p.sec_remote) sec_on.push_back(tm.attributes()[a].column == c);
  const ColumnElement on = and_(std::move(sec_on));
  const KeyFilter filter = key_filters(sk, keys, pa.column, src);
  for (const ColumnElement& cond : filter.conds) {
    std::vector<SelectItem> cols;
    for (std::size_t i = 0; i < positional.size(); ++i)
      if (positional[i] != LoadPlan::kNotLoaded) cols.emplace_back(tm.attributes()[i].column);
    cols.emplace_back(sk);
    std::vector<ColumnElement> where{cond};
    for (const auto& c : p.criteria) where.push_back(c);
    alchemy::Select q = alchemy::select(std::move(cols)).join(*p.secondary, on).where(and_(std::move(where)));
    for (const auto& o : p.order_by) q = q.order_by(o);
    Result r = s.connection().execute(q, filter.params);
    for (const Row& row : r) {
      std::shared_ptr<void> child = load_row(s, plan, row);
      if (!child) continue;
      if (auto* ps = parents.find(row.get<Value>(kc)))
        for (InstanceState* st : *ps) p.def.ops.push(p.member(st->obj()), child);
    }
  }
}

// Objects loaded by a query whose members are to load as selectin.
void eager_load(Session& session, const Eager& e, std::vector<InstanceState*>& parents,
                std::vector<const RelationshipProperty*>& chain, Source src) {
  if (e.how != Lazy::subquery) src = {};
  const RelationshipProperty& p = *e.rel;
  SessionImpl& s = session.impl();
  std::vector<InstanceState*> todo;
  std::vector<InstanceState*> already;  // loaded (e.g. joined): go deeper only
  std::unordered_set<InstanceState*> once;  // the same object reached twice (many-to-one)
  once.reserve(parents.size());
  for (InstanceState* st : parents) {
    if (!once.insert(st).second) continue;
    RelationBase& b = p.def.ops.base(p.member(st->obj()));
    (b.loaded_ ? already : todo).push_back(st);
  }
  std::vector<InstanceState*> children;
  auto note_children = [&](InstanceState* st) {
    const void* mem = p.member(st->obj());
    for (std::size_t i = 0, n = p.def.ops.size(mem); i < n; ++i)
      if (InstanceState* cs = p.def.ops.state_at(mem, i)) children.push_back(cs);
  };
  if (!todo.empty() && p.secondary && p.sec_local.size() == 1 && e.how != Lazy::select) {
    load_secondary(s, p, todo, src, e.sub);
    for (InstanceState* st : todo) note_children(st);
    for (InstanceState* st : already) note_children(st);
    run_eager(session, p.mapper(), children, e.sub, chain);
    return;
  }
  if (!todo.empty()) {
    if (e.how != Lazy::selectin && e.how != Lazy::joined && e.how != Lazy::subquery) {
      for (InstanceState* st : todo) rel_load(p.def.ops.base(p.member(st->obj())));
    } else if (p.pairs.size() != 1) {
      // Composite keys: one load per parent (IN over tuples is not portable).
      for (InstanceState* st : todo) rel_load(p.def.ops.base(p.member(st->obj())));
    } else {
      const auto& pa = p.parent().attributes()[p.pairs[0].first];
      const auto& ta = p.mapper().attributes()[p.pairs[0].second];
      ParentsByKey parents(p, pa,
                           pa.column.type()->is_integer() && ta.column.type()->is_integer(), todo);
      std::vector<Value>& keys = parents.keys;
      auto parents_of = [&parents](const Value& v) { return parents.find(v); };
      const Mapper& tm = p.mapper();
      if (p.direction_ == RelationshipDirection::many_to_one && p.use_get) {
        // Targets already in the identity map need no SQL.
        std::vector<Value> missing;
        for (const Value& k : keys) {
          InstanceState* f = s.lookup(tm, {k});
          if (f == nullptr || f->expired) missing.push_back(k);
        }
        keys = std::move(missing);
      }
      const ColumnElement remote = ta.column;
      std::vector<std::shared_ptr<void>> hold;  // targets stay alive until assigned
      const KeyFilter filter = key_filters(remote, keys, pa.column, src);
      for (const ColumnElement& cond : filter.conds) {
        std::vector<SelectItem> cols;
        const auto plan = column_plans({&tm}, &e.sub);  // deferred columns stay out
        for (std::size_t i = 0; i < tm.attributes().size(); ++i)
          if (plan.empty() || plan[0][i]) cols.emplace_back(tm.attributes()[i].column);
        alchemy::Select q = alchemy::select(std::move(cols)).where(cond);
        for (const auto& c : p.criteria) q = q.where(c);
        for (const auto& o : p.order_by) q = q.order_by(o);
        if (p.direction_ == RelationshipDirection::many_to_one && p.use_get) {
          session.load_objects(
              {&tm}, q, filter.params,
              [&hold](std::shared_ptr<void>&& o) { hold.push_back(std::move(o)); }, &e.sub);
          continue;
        }
        // Each child goes to the parents whose key its remote column holds.
        session.load_objects(
            {&tm}, q, filter.params,
            [&](std::shared_ptr<void>&& child) {
              if (auto* ps = parents_of(ta.ops.get(child.get())))
                for (InstanceState* st : *ps) p.def.ops.push(p.member(st->obj()), child);
            },
            &e.sub);
      }
      if (p.direction_ == RelationshipDirection::many_to_one && p.use_get) {
        for (InstanceState* st : todo) {
          Value v = pa.ops.get(st->obj());
          if (v.is_null()) continue;
          if (InstanceState* f = s.lookup(tm, {v}))
            if (auto obj = f->ref.lock()) p.def.ops.push(p.member(st->obj()), std::move(obj));
        }
        // Targets found in the identity map were not loaded by this query:
        // their own eager relationships follow below.
        for (InstanceState* st : todo) note_children(st);
        for (InstanceState* st : already) note_children(st);
        run_eager(session, tm, children, e.sub, chain);
        return;
      }
      // Children were loaded through load_objects with e.sub: their eager
      // relationships ran there. Parents that were loaded already go deeper here.
      for (InstanceState* st : already) note_children(st);
      run_eager(session, tm, children, e.sub, chain);
      return;
    }
  }
  for (InstanceState* st : todo) note_children(st);
  for (InstanceState* st : already) note_children(st);
  run_eager(session, p.mapper(), children, e.sub, chain);
}

}  // namespace

void load_default_eager(Session& session, InstanceState* st) {
  SessionImpl& s = session.impl();
  const bool was = s.no_autoflush;
  s.no_autoflush = true;
  try {
    std::vector<InstanceState*> objs{st};
    std::vector<const RelationshipProperty*> chain;
    run_eager(session, *st->mapper, objs, {}, chain);
  } catch (...) {
    s.no_autoflush = was;
    throw;
  }
  s.no_autoflush = was;
}

void check_options(const std::vector<const Mapper*>& mappers,
                   const std::vector<LoaderOption>& options) {
  for (const auto& o : options) {
    if (o.path.empty()) continue;
    bool found = false;
    for (const Mapper* m : mappers)
      if (resolve_step(o.path.front(), *m) != nullptr) found = true;
    if (!found) {
      const Mapper* cls = o.path.front().cls();
      throw ArgumentError(fmt::format(
          "{}(): mapped class {} does not apply to any of the root entities of this query",
          strategy_name(o.path.front().how), cls->class_name()));
    }
  }
}

void load_with_relationships(Session& session, const std::vector<const Mapper*>& mappers,
                             const Executable& stmt, const Params& params, const ObjectSink& sink,
                             const std::vector<LoaderOption>* options) {
  static const std::vector<LoaderOption> kNone;
  const std::vector<LoaderOption>& opts = options ? *options : kNone;
  if (!opts.empty()) check_options(mappers, opts);
  SessionImpl& s = session.impl();
  // Joined eager loads of the first entity change the statement.
  struct Joined {
    const RelationshipProperty* rel;
    std::vector<std::size_t> idx;
    std::unordered_set<InstanceState*> seen;
    std::vector<std::vector<char>> plan;  // the target's columns (column_plans)
  };
  std::vector<Joined> joined;
  const Executable* run = &stmt;
  alchemy::Select with_joins;
  const auto* sel = dynamic_cast<const alchemy::Select*>(&stmt);
  std::vector<Eager> first_plan;
  std::vector<ColumnElement> ordering;
  std::vector<const RelationshipProperty*> chain;
  if (sel != nullptr) {
    first_plan = plan_eager(*mappers.front(), opts, chain);
    const auto& node = static_cast<const alchemy::detail::SelectNode&>(*sel->node());
    const bool limited = node.limit != nullptr || node.offset != nullptr;
    for (Eager& e : first_plan) {
      if (e.how == Lazy::contains_eager) {
        // The statement joins the related table itself: select its columns too.
        if (joined.empty()) with_joins = *sel;
        for (const auto& a : e.rel->mapper().attributes()) with_joins = with_joins.add_columns(a.column);
        joined.push_back(Joined{e.rel, {}, {}});
        continue;
      }
      if (e.how != Lazy::joined || (e.rel->pairs.empty() && !e.rel->secondary)) continue;
      if (limited && e.rel->uselist()) {
        e.how = Lazy::selectin;  // LIMIT counts parents: load the collection afterwards
        continue;
      }
      if (joined.empty()) with_joins = *sel;
      const Mapper& tm = e.rel->mapper();
      // The target's own table when the statement does not use it already
      // (the relationship's order_by applies as written); an alias otherwise.
      const bool self_ref = &tm.table().impl() == &e.rel->parent().table().impl();
      bool dup = self_ref;
      for (const auto& j : joined) dup = dup || &j.rel->mapper() == &tm;
      if (dup && !e.rel->criteria.empty()) {
        e.how = Lazy::selectin;  // primaryjoin criteria name the table, not an alias
        continue;
      }
      FromClause target = dup ? tm.table().alias(fmt::format("{}_{}", tm.table().name(), joined.size() + 1))
                              : FromClause(tm.table());
      std::vector<ColumnElement> on;
      for (auto [pa, tb] : e.rel->pairs)
        on.push_back(e.rel->parent().attributes()[pa].column ==
                     target.c[tm.attributes()[tb].column.impl().key]);
      if (e.rel->secondary) {
        // parent LEFT OUTER JOIN association LEFT OUTER JOIN target.
        FromClause sec = e.rel->secondary->alias(
            fmt::format("{}_{}", e.rel->secondary->name(), joined.size() + 1));
        std::vector<ColumnElement> on_sec;
        for (const auto& [a, c] : e.rel->sec_local)
          on_sec.push_back(e.rel->parent().attributes()[a].column == sec.c[key_of(c)]);
        with_joins = with_joins.outerjoin(sec, and_(std::move(on_sec)));
        for (const auto& [a, c] : e.rel->sec_remote)
          on.push_back(target.c[tm.attributes()[a].column.impl().key] == sec.c[key_of(c)]);
      }
      for (const auto& c : e.rel->criteria) on.push_back(c);
      with_joins = with_joins.outerjoin(target, and_(std::move(on)));
      auto tplan = column_plans({&tm}, &e.sub);  // deferred columns stay out
      for (std::size_t i = 0; i < tm.attributes().size(); ++i)
        if (tplan.empty() || tplan[0][i])
          with_joins = with_joins.add_columns(target.c[tm.attributes()[i].column.impl().key]);
      if (!dup)
        for (const auto& o : e.rel->order_by) ordering.push_back(o);
      joined.push_back(Joined{e.rel, {}, {}, std::move(tplan)});
    }
    if (!joined.empty()) {
      // Each parent's children in the relationship's order.
      for (const auto& o : ordering) with_joins = with_joins.order_by(o);
      run = &with_joins;
    }
  }
  Result r = s.connection().execute(*run, params);
  const auto& keys = r.keys();
  std::vector<std::string> entity_keys = keys;
  auto joined_loads = [](const Joined& j, std::size_t i) {
    return j.plan.empty() || j.plan[0][i] != 0;
  };
  std::size_t extra = 0;
  for (const auto& j : joined)
    for (std::size_t i = 0; i < j.rel->mapper().attributes().size(); ++i)
      extra += joined_loads(j, i) ? 1 : 0;
  entity_keys.resize(keys.size() - extra);
  const auto idx = column_positions(entity_keys, mappers, column_plans(mappers, options));
  std::size_t at = entity_keys.size();
  for (auto& j : joined)
    for (std::size_t i = 0; i < j.rel->mapper().attributes().size(); ++i)
      j.idx.push_back(joined_loads(j, i) ? at++ : LoadPlan::kNotLoaded);
  std::vector<LoadPlan> plans;
  std::vector<PolyPlan> polys(mappers.size());
  for (std::size_t e = 0; e < mappers.size(); ++e) {
    plans.emplace_back(s, *mappers[e], idx[e]);
    if (plans.back().polymorphic) prepare_polymorphic(plans.back(), *run, keys, polys[e]);
  }
  std::vector<LoadPlan> jplans;
  for (auto& j : joined) jplans.emplace_back(s, j.rel->mapper(), j.idx);
  std::vector<std::vector<InstanceState*>> loaded(mappers.size());
  std::vector<std::vector<InstanceState*>> jloaded(joined.size());
  // What each entity loads after the rows (nothing: its objects are not collected).
  std::vector<std::vector<Eager>> eplans(mappers.size());
  for (std::size_t e = 0; e < mappers.size(); ++e)
    eplans[e] = (e == 0 && sel != nullptr) ? first_plan : plan_eager(*mappers[e], opts, chain);
  std::unordered_set<InstanceState*> emitted;
  const bool dedupe = mappers.size() == 1 && !joined.empty();
  struct PairHash {
    std::size_t operator()(const std::pair<const void*, const void*>& p) const noexcept {
      return std::hash<const void*>()(p.first) * 31 + std::hash<const void*>()(p.second);
    }
  };
  std::vector<std::unordered_set<std::pair<const void*, const void*>, PairHash>> pairs_seen(
      joined.size());
  bool pair_check = joined.size() > 1;
  if (sel != nullptr && !joined.empty())
    for (const auto& f : static_cast<const alchemy::detail::SelectNode&>(*sel->node()).froms)
      pair_check = pair_check || f->kind == alchemy::detail::NodeKind::join;
  for (const Row& row : r) {
    InstanceState* first = nullptr;
    std::shared_ptr<void> first_obj;
    for (std::size_t e = 0; e < plans.size(); ++e) {
      InstanceState* st = nullptr;
      std::shared_ptr<void> o = load_row(s, plans[e], row, &st);
      if (mappers[e]->relationship_count() == 0) st = nullptr;
      if (e == 0) {
        first = st;
        first_obj = o;
      }
      if (st && !eplans[e].empty()) loaded[e].push_back(st);
      if (!dedupe) sink(std::move(o));
    }
    if (first != nullptr) {
      for (std::size_t k = 0; k < joined.size(); ++k) {
        Joined& j = joined[k];
        void* mem = j.rel->member(first->obj());
        RelationBase& b = j.rel->def.ops.base(mem);
        if (j.seen.insert(first).second) {
          if (b.loaded_) continue;  // loaded before this query: keep it
          std::vector<std::shared_ptr<void>> old;
          j.rel->def.ops.take(mem, old);
          b.loaded_ = true;
          b.changed_ = false;
        } else if (!b.loaded_) {
          continue;
        }
        InstanceState* cst = nullptr;
        std::shared_ptr<void> child = load_row(s, jplans[k], row, &cst);
        if (!child) continue;
        // Several joined collections (or the statement's own joins) repeat
        // each child on several rows: once per parent.
        if (pair_check && !pairs_seen[k].emplace(first, child.get()).second) continue;
        if (j.rel->uselist() || j.rel->def.ops.size(mem) == 0) j.rel->def.ops.push(mem, child);
        if (cst && cst->mapper->relationship_count() != 0) jloaded[k].push_back(cst);
      }
    }
    if (dedupe && first_obj && emitted.insert(first).second) sink(std::move(first_obj));
  }
  // Parents appear once per joined row: each once from here on.
  if (!joined.empty() || mappers.size() > 1)
    for (auto& v : loaded) {
      std::unordered_set<InstanceState*> once;
      std::erase_if(v, [&](InstanceState* st) { return !once.insert(st).second; });
    }
  // The eager loads read what the statement above saw: no autoflush in between.
  struct NoAutoflush {
    SessionImpl& s;
    bool was;
    explicit NoAutoflush(SessionImpl& si) : s(si), was(si.no_autoflush) { s.no_autoflush = true; }
    ~NoAutoflush() { s.no_autoflush = was; }
  } quiet(s);
  for (std::size_t e = 0; e < mappers.size(); ++e) {
    std::vector<Eager> rest;
    for (const Eager& pe : eplans[e]) {
      auto j = std::find_if(joined.begin(), joined.end(),
                            [&](const Joined& x) { return e == 0 && x.rel == pe.rel; });
      if (j == joined.end()) {
        rest.push_back(pe);
        continue;
      }
      // Loaded by the join: deeper options continue from its children.
      std::vector<InstanceState*> kids = jloaded[static_cast<std::size_t>(j - joined.begin())];
      std::unordered_set<InstanceState*> once;
      std::erase_if(kids, [&](InstanceState* st) { return !once.insert(st).second; });
      chain.push_back(pe.rel);
      run_eager(session, pe.rel->mapper(), kids, pe.sub, chain);
      chain.pop_back();
    }
    run_plan(session, loaded[e], rest, chain,
             sel != nullptr ? Source{sel, &params} : Source{});
  }
}

}  // namespace detail

}  // namespace alchemy::orm

// ---- relationships in SQL expressions ---------------------------------------------------------

namespace alchemy::orm::detail {

namespace {

using alchemy::detail::CaseNode;
using alchemy::detail::CastNode;
using alchemy::detail::CollateNode;
using alchemy::detail::FunctionNode;
using alchemy::detail::LabelNode;
using alchemy::detail::OverNode;
using alchemy::detail::TupleNode;
using alchemy::detail::UnaryNode;

// `n` with the columns of table `t` replaced by those of `alias` (SQLAlchemy's
// ClauseAdapter): a criterion written against a class, applied to an alias of
// its table. Subqueries inside are left as written.
NodeRef adapt_to_alias(const NodeRef& n, const TableNode& t, const FromClause& alias) {
  if (n == nullptr) return n;
  auto each = [&](std::vector<NodeRef>& v) {
    for (auto& e : v) e = adapt_to_alias(e, t, alias);
  };
  switch (n->kind) {
    case NodeKind::column: {
      const auto& c = static_cast<const ColumnNode&>(*n);
      return c.table == &t ? alias.c[c.key].node() : n;
    }
    case NodeKind::binary: {
      auto out = std::make_shared<BinaryNode>(static_cast<const BinaryNode&>(*n));
      out->left = adapt_to_alias(out->left, t, alias);
      out->right = adapt_to_alias(out->right, t, alias);
      return out;
    }
    case NodeKind::unary: {
      auto out = std::make_shared<UnaryNode>(static_cast<const UnaryNode&>(*n));
      out->element = adapt_to_alias(out->element, t, alias);
      return out;
    }
    case NodeKind::clause_list: {
      auto out = std::make_shared<ClauseListNode>(static_cast<const ClauseListNode&>(*n));
      each(out->clauses);
      return out;
    }
    case NodeKind::label: {
      auto out = std::make_shared<LabelNode>(static_cast<const LabelNode&>(*n));
      out->element = adapt_to_alias(out->element, t, alias);
      return out;
    }
    case NodeKind::function: {
      auto out = std::make_shared<FunctionNode>(static_cast<const FunctionNode&>(*n));
      each(out->args);
      out->filter = adapt_to_alias(out->filter, t, alias);
      return out;
    }
    case NodeKind::cast: {
      auto out = std::make_shared<CastNode>(static_cast<const CastNode&>(*n));
      out->element = adapt_to_alias(out->element, t, alias);
      return out;
    }
    case NodeKind::case_: {
      auto out = std::make_shared<CaseNode>(static_cast<const CaseNode&>(*n));
      out->value = adapt_to_alias(out->value, t, alias);
      for (auto& [w, th] : out->whens) {
        w = adapt_to_alias(w, t, alias);
        th = adapt_to_alias(th, t, alias);
      }
      out->else_ = adapt_to_alias(out->else_, t, alias);
      return out;
    }
    case NodeKind::over: {
      auto out = std::make_shared<OverNode>(static_cast<const OverNode&>(*n));
      out->func = adapt_to_alias(out->func, t, alias);
      each(out->partition_by);
      each(out->order_by);
      return out;
    }
    case NodeKind::tuple: {
      auto out = std::make_shared<TupleNode>(static_cast<const TupleNode&>(*n));
      each(out->items);
      return out;
    }
    case NodeKind::collate: {
      auto out = std::make_shared<CollateNode>(static_cast<const CollateNode&>(*n));
      out->element = adapt_to_alias(out->element, t, alias);
      return out;
    }
    default:
      return n;
  }
}

}  // namespace

const RelationshipProperty& relationship_for(const Mapper& m, std::ptrdiff_t offset) {
  if (const RelationshipProperty* p = m.relationship_at(offset)) return *p;
  throw ArgumentError(fmt::format(
      "This member of class {} is not a relationship; map it with orm::relationship<...>() in "
      "registry::map<{}>()",
      m.class_name(), m.class_name()));
}

alchemy::Select relationship_join(const alchemy::Select& stmt, const RelationshipProperty& p,
                                  bool isouter) {
  const Mapper& parent = p.parent();
  const Mapper& target = p.mapper();
  if (&parent.table().impl() == &target.table().impl())
    throw InvalidRequestError(fmt::format(
        "join() along the self-referential relationship {} needs an alias of '{}'; join "
        "orm::aliased / table().alias() explicitly with an ON clause",
        p.name(), target.table().name()));
  std::vector<ColumnElement> on;
  for (auto [pa, tb] : p.pairs)
    on.push_back(parent.attributes()[pa].column == target.attributes()[tb].column);
  alchemy::Select out = stmt;
  if (p.secondary) {
    std::vector<ColumnElement> on_sec;
    for (const auto& [a, c] : p.sec_local) on_sec.push_back(parent.attributes()[a].column == c);
    out = out.join(*p.secondary, and_(std::move(on_sec)), isouter);
    for (const auto& [a, c] : p.sec_remote) on.push_back(target.attributes()[a].column == c);
  }
  for (const auto& c : p.criteria) on.push_back(c);
  return out.join(target.table(), and_(std::move(on)), isouter);
}

ColumnElement relationship_exists(const RelationshipProperty& p, const ColumnElement* criterion,
                                  bool scalar) {
  if (scalar && p.uselist())
    throw InvalidRequestError(fmt::format(
        "'has()' is for references (orm::One); {} is a collection: use any()", p.name()));
  if (!scalar && !p.uselist())
    throw InvalidRequestError(fmt::format(
        "'any()' is for collections (orm::Many); {} refers to one object: use has()", p.name()));
  const Mapper& parent = p.parent();
  const Mapper& target = p.mapper();
  const Table& pt = parent.table();
  const std::size_t pk = target.primary_key().front();
  // EXISTS correlates the parent's table only (SQLAlchemy's correlate_except
  // of the target): comparators nest, each subquery reaching its own tables.
  if (&pt.impl() != &target.table().impl()) {
    std::vector<ColumnElement> where{p.onclause};
    if (criterion != nullptr) where.push_back(*criterion);
    return alchemy::select(target.attributes()[pk].column)
        .where(and_(std::move(where)))
        .correlate(pt)
        .exists();
  }
  // Self-referential: the related rows come from an alias of the table, and
  // the criterion (written against the class) is adapted to it.
  const FromClause alias = target.table().alias();
  auto acol = [&](std::size_t a) { return alias.c[target.attributes()[a].column.impl().key]; };
  std::vector<ColumnElement> where;
  for (auto [pa, tb] : p.pairs) where.push_back(parent.attributes()[pa].column == acol(tb));
  if (p.secondary) {
    for (const auto& [a, c] : p.sec_local) where.push_back(parent.attributes()[a].column == c);
    for (const auto& [a, c] : p.sec_remote) where.push_back(acol(a) == c);
  }
  for (const auto& c : p.criteria) where.push_back(c);
  if (criterion != nullptr)
    where.emplace_back(adapt_to_alias(criterion->node(), target.table().impl(), alias));
  return alchemy::select(acol(pk)).where(and_(std::move(where))).correlate(pt).exists();
}

ColumnElement relationship_compare(const RelationshipProperty& p, const void* obj,
                                   bool contains) {
  if (contains && !p.uselist())
    throw InvalidRequestError(fmt::format(
        "'contains()' is for collections; compare {} with == instead", p.name()));
  if (!contains && p.uselist())
    throw InvalidRequestError(fmt::format(
        "Can't compare the collection {} to an object; use contains()", p.name()));
  const Mapper& parent = p.parent();
  const Mapper& target = p.mapper();
  std::vector<ColumnElement> out;
  if (p.secondary) {
    // EXISTS (SELECT ... FROM association WHERE its parent columns = the
    // parent's AND its target columns = the object's key).
    if (obj == nullptr) {
      std::vector<ColumnElement> on;
      for (const auto& [a, c] : p.sec_local) on.push_back(parent.attributes()[a].column == c);
      return not_(alchemy::select(p.sec_local.front().second)
                      .where(and_(std::move(on)))
                      .correlate(parent.table())
                      .exists());
    }
    std::vector<ColumnElement> on;
    for (const auto& [a, c] : p.sec_local) on.push_back(parent.attributes()[a].column == c);
    for (const auto& [a, c] : p.sec_remote) on.push_back(c == target.attributes()[a].ops.get(obj));
    return alchemy::select(p.sec_local.front().second)
        .where(and_(std::move(on)))
        .correlate(parent.table())
        .exists();
  }
  for (auto [pa, tb] : p.pairs) {
    const auto& pc = parent.attributes()[pa].column;
    if (obj == nullptr) {
      out.push_back(pc.is_(null()));
      continue;
    }
    // The parent's column equals the object's value on the other side of the join.
    Value v = target.attributes()[tb].ops.get(obj);
    if (v.is_null())
      throw InvalidRequestError(fmt::format(
          "Can't compare {} with an object whose '{}' is not set (flush it first)", p.name(),
          target.attributes()[tb].key));
    out.push_back(pc == v);
  }
  return and_(std::move(out));
}

}  // namespace alchemy::orm::detail

namespace alchemy::orm::detail {

Session& dynamic_session(const RelationBase& r) {
  InstanceState* st = r.owner_;
  if (st == nullptr || st->session == nullptr)
    throw DetachedInstanceError(fmt::format(
        "Parent instance {} is not bound to a Session; the dynamic relationship '{}' can't "
        "query (add the object to a session first)",
        st ? describe_owner(st) : std::string("(an object the ORM does not know)"),
        st ? prop_of(r).key() : std::string("?")));
  return *st->session->owner;
}

alchemy::Select dynamic_statement(const RelationBase& r) {
  // The owner's key may come from the flush (a new owner, appended children).
  dynamic_session(r).autoflush();
  const RelationshipProperty& p = prop_of(r);
  const Mapper& tm = p.mapper();
  InstanceState* st = r.owner_;
  std::vector<SelectItem> cols;
  for (const auto& a : tm.attributes())
    if (!a.deferred) cols.emplace_back(a.column);  // as orm::select<T>() (deferral)
  alchemy::Select q = alchemy::select(std::move(cols));
  std::vector<ColumnElement> where;
  const auto& pattrs = p.parent().attributes();
  auto value_of = [&](std::size_t a) {
    const auto& attr = pattrs[a];
    if (attr.ops.is_unset(st->obj()) && (attr.autoincrement || attr.ops.optional_member))
      return Value();
    return attr.ops.get(st->obj());
  };
  if (p.secondary) {
    std::vector<ColumnElement> on;
    for (const auto& [a, c] : p.sec_remote) on.push_back(tm.attributes()[a].column == c);
    q = q.join(*p.secondary, and_(std::move(on)));
    for (const auto& [a, c] : p.sec_local) {
      Value v = value_of(a);
      where.push_back(v.is_null() ? false_() : c == v);  // no key: nothing is related yet
    }
  } else {
    for (auto [pa, tb] : p.pairs) {
      Value v = value_of(pa);
      const auto& tc = tm.attributes()[tb].column;
      where.push_back(v.is_null() ? false_() : tc == v);
    }
  }
  for (const auto& c : p.criteria) where.push_back(c);
  q = q.where(and_(std::move(where)));
  for (const auto& o : p.order_by) q = q.order_by(o);
  return q;
}

}  // namespace alchemy::orm::detail
