// Column deferral: which columns a load selects (mapping-level deferred()
// columns and the load_only / defer / undefer / undefer_group options), the
// unloaded-column mask of instance states, loading unloaded columns later
// (refresh with attribute names, orm::Deferred<T> on first use, a later query
// that selects them) and inspect(obj).unloaded.
//
// Called by session.cpp (load_row's slow paths, refresh, inspect), by
// relationships.cpp (positions of eager loads) and by orm::Select::options().
//
// The mask: one bit per column, in words after the state's snapshot (see
// Mapper::mask_words()); `partial` says some bit is set, so states without
// unloaded columns never read it. The snapshot of an unloaded column holds the
// fingerprint of the member as the load left it, so change tracking needs no
// special case: an unloaded member the program does not change is never
// written, and one it changes is (SQLAlchemy writes an attribute set on an
// unloaded attribute the same way).
#include <fmt/format.h>

#include <algorithm>

#include "alchemy/orm/session.hpp"
#include "orm/state.hpp"

namespace alchemy::orm {

using detail::InstanceState;
using detail::SessionImpl;
using detail::Status;

namespace detail {

namespace {

const char* option_name(LoaderOption::Columns::Kind k) {
  switch (k) {
    case LoaderOption::Columns::Kind::load_only:
      return "load_only";
    case LoaderOption::Columns::Kind::defer:
      return "defer";
    case LoaderOption::Columns::Kind::undefer:
      return "undefer";
    case LoaderOption::Columns::Kind::undefer_group:
      return "undefer_group";
  }
  return "column option";
}

std::string entity_names(const std::vector<const Mapper*>& mappers) {
  std::string out;
  for (const Mapper* m : mappers) out += (out.empty() ? "" : ", ") + m->class_name();
  return out;
}

// Index of the attribute at `offset`; ArgumentError when it is not a column.
std::size_t column_index(const LoaderOption::Columns& c, const Mapper& m, std::ptrdiff_t offset) {
  const auto& attrs = m.attributes();
  for (std::size_t i = 0; i < attrs.size(); ++i)
    if (attrs[i].offset == offset) return i;
  if (m.relationship_at(offset) != nullptr)
    throw ArgumentError(
        fmt::format("{}(): this member of class '{}' is a relationship, not a column; use "
                    "orm::noload()/orm::raiseload()/orm::lazyload() for relationships",
                    option_name(c.kind), m.class_name()));
  throw ArgumentError(fmt::format(
      "{}(): this member of class '{}' is not a mapped column; name members mapped with "
      "orm::column<...>()",
      option_name(c.kind), m.class_name()));
}

// Applies one column option to the plan of mapper `m`.
void apply(const LoaderOption::Columns& c, const Mapper& m, std::vector<char>& plan) {
  const auto& attrs = m.attributes();
  using Kind = LoaderOption::Columns::Kind;
  switch (c.kind) {
    case Kind::load_only: {
      std::vector<char> named(attrs.size(), 0);
      for (std::ptrdiff_t off : c.offsets) named[column_index(c, m, off)] = 1;
      for (std::size_t i = 0; i < attrs.size(); ++i) plan[i] = named[i];
      break;
    }
    case Kind::defer:
    case Kind::undefer:
      for (std::ptrdiff_t off : c.offsets) plan[column_index(c, m, off)] = c.kind == Kind::undefer;
      break;
    case Kind::undefer_group:
      for (std::size_t i = 0; i < attrs.size(); ++i)
        if (attrs[i].deferred && attrs[i].deferred_group == c.group) plan[i] = 1;
      break;
  }
}

bool has_group(const Mapper& m, const std::string& group) {
  for (const auto& a : m.attributes())
    if (a.deferred && a.deferred_group == group) return true;
  return false;
}

}  // namespace

std::vector<std::vector<char>> column_plans(const std::vector<const Mapper*>& mappers,
                                            const std::vector<LoaderOption>* options) {
  bool any = false;
  for (const Mapper* m : mappers) any = any || m->has_deferred();
  const bool opts = options != nullptr && has_column_options(*options);
  if (!any && !opts) return {};  // the common case: every column loads
  std::vector<std::vector<char>> plans(mappers.size());
  for (std::size_t e = 0; e < mappers.size(); ++e) {
    const auto& attrs = mappers[e]->attributes();
    plans[e].resize(attrs.size());
    for (std::size_t i = 0; i < attrs.size(); ++i) plans[e][i] = attrs[i].deferred ? 0 : 1;
  }
  if (opts) {
    for (const auto& o : *options) {
      if (!o.columns || !o.path.empty()) continue;
      const LoaderOption::Columns& c = *o.columns;
      if (c.cls == nullptr) {  // undefer_group("name") for every entity with the group
        bool found = false;
        for (std::size_t e = 0; e < mappers.size(); ++e)
          if (has_group(*mappers[e], c.group)) {
            apply(c, *mappers[e], plans[e]);
            found = true;
          }
        if (!found)
          throw ArgumentError(fmt::format(
              "undefer_group(): no entity of this query ({}) has deferred columns in group '{}'",
              entity_names(mappers), c.group));
        continue;
      }
      const Mapper* cls = nullptr;
      try {
        cls = c.cls();
      } catch (const UnmappedClassError& e) {
        throw ArgumentError(fmt::format("{}(): {}", option_name(c.kind), e.what()));
      }
      bool found = false;
      for (std::size_t e = 0; e < mappers.size(); ++e) {
        if (mappers[e] != cls) continue;
        if (c.kind == LoaderOption::Columns::Kind::undefer_group && !has_group(*cls, c.group))
          throw ArgumentError(
              fmt::format("undefer_group(): class '{}' has no deferred columns in group '{}'",
                          cls->class_name(), c.group));
        apply(c, *cls, plans[e]);
        found = true;
      }
      if (!found)
        throw ArgumentError(fmt::format(
            "{}(): mapped class {} is not an entity of this query (its entities: {}); name "
            "members of an entity, or chain the option after the relationship that loads the "
            "class (orm::selectinload(&User::orders).{}(...))",
            option_name(c.kind), cls->class_name(), entity_names(mappers), option_name(c.kind)));
    }
  }
  // The identity and the version counter always load (SQLAlchemy's load_only
  // keeps the primary key as well).
  bool all = true;
  for (std::size_t e = 0; e < mappers.size(); ++e) {
    const Mapper& m = *mappers[e];
    for (std::size_t k : m.primary_key()) plans[e][k] = 1;
    if (m.version_attr() >= 0) plans[e][static_cast<std::size_t>(m.version_attr())] = 1;
    for (char c : plans[e]) all = all && c != 0;
  }
  if (all) return {};
  return plans;
}

alchemy::Select with_column_options(const alchemy::Select& core,
                                    const std::vector<const Mapper*>& mappers,
                                    const std::vector<LoaderOption>& options) {
  const auto plans = column_plans(mappers, &options);
  std::vector<SelectItem> items;
  for (std::size_t e = 0; e < mappers.size(); ++e) {
    const auto& attrs = mappers[e]->attributes();
    for (std::size_t i = 0; i < attrs.size(); ++i)
      if (plans.empty() || plans[e][i]) items.emplace_back(attrs[i].column);
  }
  alchemy::Select out = core;
  out.with_only_columns_impl(std::move(items));
  return out;
}

void load_partial(InstanceState* st, const LoadPlan& plan, const Row& row) {
  const auto& attrs = plan.m->attributes();
  const auto& idx = *plan.idx;
  void* o = st->obj();
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (idx[i] == LoadPlan::kNotLoaded) {
      st->snap(i) = attrs[i].ops.fingerprint(o);  // the member as the load leaves it
      set_unloaded(st, i);
      continue;
    }
    attrs[i].ops.load(o, row, idx[i]);
    st->snap(i) = attrs[i].ops.fingerprint(o);
  }
}

void refill(InstanceState* st, const LoadPlan& plan, const Row& row) {
  const auto& attrs = plan.m->attributes();
  const auto& idx = *plan.idx;
  void* o = st->obj();
  if (st->expired) {
    // Members changed in C++ since the last load keep their values (unless a
    // rollback discarded them); columns the row lacks are stale now: unloaded.
    bool stale = false;
    for (std::size_t i = 0; i < attrs.size(); ++i) {
      const bool keep = !st->reload_all && st->column_changed(i);
      if (keep) {
        clear_unloaded(st, i);
        continue;
      }
      if (idx[i] == LoadPlan::kNotLoaded) {
        if (st->has_mask) {
          set_unloaded(st, i);
        } else {
          stale = true;  // no mask to record it in: the object stays expired
        }
        continue;
      }
      attrs[i].ops.load(o, row, idx[i]);
      st->snap(i) = attrs[i].ops.fingerprint(o);
      clear_unloaded(st, i);
    }
    st->expired = stale;
    st->reload_all = false;
    settle_unloaded(st);
    return;
  }
  // Unloaded columns this row has are filled in (SQLAlchemy populates
  // unloaded attributes of objects already in the identity map).
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (idx[i] == LoadPlan::kNotLoaded || !column_unloaded(st, i)) continue;
    if (!st->column_changed(i)) {
      attrs[i].ops.load(o, row, idx[i]);
      st->snap(i) = attrs[i].ops.fingerprint(o);
    }
    clear_unloaded(st, i);  // loaded, or the program's value stands
  }
  settle_unloaded(st);
}

namespace {
std::string describe(const InstanceState* st) {
  return fmt::format("<{} at {}>", st->mapper->class_name(), st->obj());
}

// The columns refresh() loads: what a default query loads, plus deferred
// columns that are loaded already (so their values do not go stale).
std::vector<std::size_t> refresh_columns(const InstanceState* st) {
  std::vector<std::size_t> out;
  const auto& attrs = st->mapper->attributes();
  for (std::size_t i = 0; i < attrs.size(); ++i)
    if (!attrs[i].deferred || !column_unloaded(st, i)) out.push_back(i);
  return out;
}
}  // namespace

void refresh_all(SessionImpl& s, InstanceState* st) {
  load_attributes(s, st, refresh_columns(st), true);
}

void load_attributes(SessionImpl& s, InstanceState* st, const std::vector<std::size_t>& which,
                     bool overwrite) {
  if (which.empty()) return;
  const Mapper& m = *st->mapper;
  const auto& attrs = m.attributes();
  std::vector<SelectItem> items;
  for (std::size_t i : which) items.emplace_back(attrs[i].column);
  std::vector<ColumnElement> crit;
  const auto& pk = m.primary_key();
  Params p;
  const auto ident = st->identity();
  for (std::size_t k = 0; k < pk.size(); ++k) {
    crit.push_back(attrs[pk[k]].column == bindparam(fmt::format("pk_{}", k)));
    p.set(fmt::format("pk_{}", k), ident[k]);
  }
  alchemy::Select stmt = alchemy::select(std::move(items));
  // A joined-table subclass's row spans its tables: FROM them joined.
  if (m.tables().size() > 1)
    if (auto from = m.entity_parts({}, false).from) stmt = stmt.select_from(*from);
  Result r = s.connection().execute(stmt.where(and_(std::move(crit))), p);
  auto row = r.first();
  if (!row)
    throw ObjectDeletedError(fmt::format(
        "Instance '{}' has been deleted, or its row is otherwise not present", describe(st)));
  void* o = st->obj();
  for (std::size_t k = 0; k < which.size(); ++k) {
    const std::size_t i = which[k];
    if (!overwrite && !st->reload_all && st->column_changed(i)) {
      clear_unloaded(st, i);  // the program's value stands
      continue;
    }
    attrs[i].ops.load(o, *row, k);
    st->snap(i) = attrs[i].ops.fingerprint(o);
    clear_unloaded(st, i);
  }
  settle_unloaded(st);
}

void instrument_deferred(InstanceState* st) noexcept {
  const auto& attrs = st->mapper->attributes();
  void* o = st->obj();
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (attrs[i].ops.deferred_member == nullptr) continue;
    DeferredBase* b = attrs[i].ops.deferred_member(o);
    b->owner_ = st;
    b->index_ = static_cast<std::uint32_t>(i);
  }
}

namespace {
bool column_loaded(const InstanceState* st, std::size_t i) {
  if (column_unloaded(st, i) || st->expired) return st->column_changed(i);
  return true;
}
}  // namespace

bool attribute_loaded(const InstanceState* st, const Mapper& m, std::ptrdiff_t offset) {
  const auto& attrs = m.attributes();
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    if (attrs[i].offset != offset) continue;
    return st == nullptr || column_loaded(st, i);
  }
  if (const RelationshipProperty* r = m.relationship_at(offset)) {
    if (st == nullptr) return true;
    return r->def.ops.base(r->member(st->obj())).loaded_;
  }
  throw ArgumentError(
      fmt::format("is_loaded(): this member of class '{}' is not a mapped column or relationship",
                  m.class_name()));
}

std::vector<std::string> unloaded_keys(const InstanceState* st) {
  std::vector<std::string> out;
  const Mapper& m = *st->mapper;
  const auto& attrs = m.attributes();
  for (std::size_t i = 0; i < attrs.size(); ++i)
    if (!column_loaded(st, i)) out.push_back(attrs[i].key);
  for (const auto& r : m.relationship_list())
    if (!r->def.ops.base(r->member(st->obj())).loaded_) out.push_back(r->def.key);
  return out;
}

// ---- orm::Deferred<T> ---------------------------------------------------------------------

void deferred_load(const DeferredBase& d) {
  InstanceState* st = d.owner_;
  const std::size_t i = d.index_;
  const bool unloaded = column_unloaded(st, i);
  if (!unloaded && !st->expired) return;
  const Mapper& m = *st->mapper;
  const auto& a = m.attributes()[i];
  SessionImpl* s = st->session;
  if (s != nullptr && st->status == Status::deleted && unloaded)
    throw ObjectDeletedError(fmt::format(
        "Instance {} has been deleted; attribute '{}' was never loaded", describe(st), a.key));
  if (s == nullptr || st->status != Status::persistent) {
    if (!unloaded || !st->has_identity) return;  // the value there is all there is
    throw DetachedInstanceError(fmt::format(
        "Instance {} is not bound to a Session; deferred load operation of attribute '{}' "
        "cannot proceed (load it before the session closes, e.g. with orm::undefer(), or "
        "add the object to a session)",
        describe(st), a.key));
  }
  if (unloaded && a.deferred_raiseload)
    throw InvalidRequestError(
        fmt::format("'{}.{}' is not available due to raiseload=True (load it with orm::undefer())",
                    m.class_name(), a.key));
  // The column with the unloaded columns of its group; for an expired object
  // also every column refresh() loads (Python loads all expired attributes
  // on first access).
  std::vector<std::size_t> which;
  if (st->expired) which = refresh_columns(st);
  const auto& attrs = m.attributes();
  for (std::size_t j = 0; j < attrs.size(); ++j) {
    const bool in_group =
        j == i || (!a.deferred_group.empty() && attrs[j].deferred &&
                   attrs[j].deferred_group == a.deferred_group && column_unloaded(st, j));
    if (in_group && std::find(which.begin(), which.end(), j) == which.end()) which.push_back(j);
  }
  std::sort(which.begin(), which.end());
  const bool expired = st->expired;
  load_attributes(*s, st, which, false);
  if (expired) {
    st->expired = false;
    st->reload_all = false;
  }
}

void deferred_assigned(DeferredBase& d) noexcept {
  InstanceState* st = d.owner_;
  const std::size_t i = d.index_;
  if (!column_unloaded(st, i)) return;
  clear_unloaded(st, i);
  settle_unloaded(st);
  // No value was loaded to compare with: the assignment is written whatever it is.
  st->snap(i) = st->mapper->attributes()[i].ops.fingerprint(st->obj()) ^ 1U;
}

bool deferred_loaded(const DeferredBase& d) noexcept {
  try {
    return column_loaded(d.owner_, d.index_);
  } catch (...) {
    return false;
  }
}

}  // namespace detail

// ---- Session::refresh(obj, attribute_names) --------------------------------------------

void Session::refresh_state(InstanceState* st, const std::vector<std::string>& names) {
  SessionImpl& s = *impl_;
  if (st == nullptr || st->session != &s || st->status != Status::persistent)
    throw InvalidRequestError(
        "Instance is not persistent within this Session; refresh() needs an object loaded or "
        "flushed by this session");
  s.check_active();
  const Mapper& m = *st->mapper;
  std::vector<std::size_t> cols;
  std::vector<const RelationshipProperty*> rels;
  for (const auto& name : names) {
    if (const Mapper::Attribute* a = m.attribute(name)) {
      const auto i = static_cast<std::size_t>(a - m.attributes().data());
      if (std::find(cols.begin(), cols.end(), i) == cols.end()) cols.push_back(i);
      continue;
    }
    if (const RelationshipProperty* r = m.relationship(name)) {
      rels.push_back(r);
      continue;
    }
    std::string keys;
    for (const auto& a : m.attributes()) keys += (keys.empty() ? "" : ", ") + a.key;
    for (const auto& r : m.relationship_list()) keys += ", " + r->def.key;
    throw InvalidRequestError(
        fmt::format("refresh(): class '{}' has no attribute '{}'; its attributes are: {}",
                    m.class_name(), name, keys));
  }
  std::sort(cols.begin(), cols.end());
  detail::load_attributes(s, st, cols, true);
  for (const RelationshipProperty* r : rels) {
    detail::RelationBase& b = r->def.ops.base(r->member(st->obj()));
    if (b.changed_) continue;  // the program's change is flushed, not discarded
    b.loaded_ = false;
    b.raise_ = false;
    detail::rel_load(b);
  }
}

}  // namespace alchemy::orm
