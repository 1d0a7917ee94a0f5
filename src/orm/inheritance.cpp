// Inheritance: loading rows of a class hierarchy (the discriminator picks the
// class), the follow-up SELECTs of subclass columns a base-class query did not
// select (SQLAlchemy's selectin_polymorphic), get() of a polymorphic class and
// the discriminator of new objects. The mapping side (tables, attributes,
// entity statements) is in mapper.cpp; the per-table writes in unit_of_work.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "alchemy/core/sql/selectable.hpp"
#include "orm/state.hpp"

namespace alchemy::orm::detail {

namespace {

constexpr std::size_t kInChunk = 500;  // keys per SELECT ... IN (SQLAlchemy's chunk size)

// The class of a row from its discriminator (the queried class when it is NULL).
const Mapper& row_mapper(const LoadPlan& plan, const Row& row) {
  const Mapper& m = *plan.m;
  const std::size_t at = plan.poly ? plan.poly->disc
                                   : (*plan.idx)[static_cast<std::size_t>(m.polymorphic_on())];
  if (at == kNoColumn || row.is_null(at)) return m;
  const Value v = row.get<Value>(at);
  const Mapper* cm = m.polymorphic_mapper(v);
  if (cm == nullptr) {
    std::string known;
    for (const Mapper* d : m.base_mapper().self_and_descendants())
      if (d->polymorphic_identity())
        known += fmt::format("{}{} ({})", known.empty() ? "" : ", ",
                             d->polymorphic_identity()->repr(), d->class_name());
    throw InvalidRequestError(fmt::format(
        "No such polymorphic_identity {} is defined: a row of table '{}' has discriminator "
        "'{}' = {}, which no class of the hierarchy of '{}' has (known identities: {})",
        v.repr(), m.tables().front().table.name(),
        m.attributes()[static_cast<std::size_t>(m.polymorphic_on())].column.name(), v.repr(),
        m.base_mapper().class_name(), known.empty() ? "none" : known));
  }
  if (!cm->isa(m))
    throw InvalidRequestError(fmt::format(
        "A row loaded as class '{}' has polymorphic_identity {}, which is class '{}', not a "
        "'{}' (the statement selected rows of other classes)",
        m.class_name(), v.repr(), cm->class_name(), m.class_name()));
  return *cm;
}

// Where the row holds attribute i of `cm`, or kNoColumn.
inline std::size_t position(const LoadPlan& plan, const std::vector<std::size_t>* at,
                            std::size_t i) {
  if (at != nullptr) return (*at)[i];
  const auto& idx = *plan.idx;
  return i < idx.size() ? idx[i] : kNoColumn;
}

}  // namespace

void prepare_polymorphic(LoadPlan& plan, const Executable& stmt,
                         const std::vector<std::string>& keys, PolyPlan& out) {
  const Mapper& m = *plan.m;
  out.per.clear();
  const auto* sel = dynamic_cast<const alchemy::Select*>(&stmt);
  std::vector<ColumnElement> cols;
  if (sel != nullptr) cols = sel->selected_columns();
  const auto& idx = *plan.idx;
  for (const Mapper* d : m.self_and_descendants()) {
    std::vector<std::size_t> at(d->attributes().size(), kNoColumn);
    for (std::size_t i = 0; i < at.size(); ++i) {
      if (i < idx.size()) {  // the queried class's columns: as the plan found them
        at[i] = idx[i];
        continue;
      }
      const auto& col = d->attributes()[i].column;
      if (sel != nullptr) {
        for (std::size_t c = 0; c < cols.size() && c < keys.size(); ++c)
          if (cols[c].node() == col.node()) {
            at[i] = c;
            break;
          }
      } else {
        // Other SQL (from_statement): by name, when the name is not ambiguous.
        std::size_t found = kNoColumn, n = 0;
        for (std::size_t c = 0; c < keys.size(); ++c)
          if (keys[c] == col.name()) {
            found = c;
            ++n;
          }
        if (n == 1) at[i] = found;
      }
    }
    out.per.emplace_back(d, std::move(at));
  }
  out.disc = idx[static_cast<std::size_t>(m.polymorphic_on())];
  plan.poly = &out;
}

std::shared_ptr<void> load_row_polymorphic(SessionImpl& s, const LoadPlan& plan, const Row& row,
                                           InstanceState** state) {
  const Mapper& m = *plan.m;
  const auto& pk = m.primary_key();
  const auto& idx = *plan.idx;
  std::vector<Value> key;
  key.reserve(pk.size());
  bool all_null = true;
  for (std::size_t k : pk) {
    key.push_back(row.get<Value>(idx[k]));
    all_null = all_null && key.back().is_null();
  }
  if (all_null) return nullptr;  // an outer join without a match
  IdentityMap& im = *plan.im;
  InstanceState* found = nullptr;
  if (plan.int_key) {
    auto f = im.ints.find(key[0].as<std::int64_t>());
    if (f != im.ints.end()) found = f->second;
  } else {
    auto f = im.general.find(key);
    if (f != im.general.end()) found = f->second;
  }
  if (found) {
    if (found->expired) {
      const Mapper& fm = *found->mapper;
      const auto* at = plan.poly ? plan.poly->positions(&fm) : nullptr;
      if (plan.poly && at == nullptr) at = plan.poly->positions(&m);  // not of the queried family
      const auto& attrs = fm.attributes();
      std::size_t missing = kNoColumn;
      for (std::size_t i = 0; i < attrs.size(); ++i) {
        const std::size_t c = at && i >= at->size() ? kNoColumn : position(plan, at, i);
        if (c == kNoColumn) {
          missing = std::min(missing, i);
          continue;
        }
        if (!found->reload_all && found->column_changed(i)) continue;
        attrs[i].ops.load(found->obj(), row, c);
        found->snap(i) = attrs[i].ops.fingerprint(found->obj());
      }
      if (missing != kNoColumn)
        s.poly_loads.push_back({found->ref.lock(), found, missing, found->reload_all});
      found->expired = found->reload_all = false;
    }
    if (state) *state = found;
    return found->ref.lock();
  }
  const Mapper& cm = row_mapper(plan, row);
  const auto* at = plan.poly ? plan.poly->positions(&cm) : nullptr;
  std::shared_ptr<void> obj = cm.create();
  InstanceState* st = node_state(obj.get());
  void* o = obj.get();
  const auto& attrs = cm.attributes();
  std::size_t missing = kNoColumn;
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    const std::size_t c = position(plan, at, i);
    if (c == kNoColumn) {
      missing = std::min(missing, i);
    } else {
      attrs[i].ops.load(o, row, c);
    }
    st->snap(i) = attrs[i].ops.fingerprint(o);
  }
  st->session = &s;
  st->status = Status::persistent;
  st->has_identity = true;
  if (plan.int_key) {
    st->set_ikey(key[0].as<std::int64_t>());
    im.ints[st->ikey] = st;
  } else {
    st->set_key(std::move(key));
    im.general.emplace(*st->key(), st);
  }
  if (cm.relationship_count() == 0) {
    st->ref.watch(obj);
  } else {
    unload_relationships(st);  // instrument_node watched it already
  }
  if (missing != kNoColumn) s.poly_loads.push_back({obj, st, missing, true});
  if (state) *state = st;
  return obj;
}

void run_polymorphic_loads(SessionImpl& s) {
  while (!s.poly_loads.empty()) {
    std::vector<SessionImpl::PolyLoad> todo = std::move(s.poly_loads);
    s.poly_loads.clear();
    // By class, in the order the classes were first met.
    std::vector<const Mapper*> classes;
    for (const auto& t : todo)
      if (std::find(classes.begin(), classes.end(), t.st->mapper) == classes.end())
        classes.push_back(t.st->mapper);
    for (const Mapper* d : classes) {
      std::unordered_map<const InstanceState*, const SessionImpl::PolyLoad*> mine;
      std::vector<const SessionImpl::PolyLoad*> order;
      for (const auto& t : todo)
        if (t.st->mapper == d && t.st->session == &s && t.st->has_identity &&
            mine.emplace(t.st, &t).second)
          order.push_back(&t);
      if (order.empty()) continue;
      Mapper::EntityParts parts = d->entity_parts({}, false);
      const auto& attrs = d->attributes();
      const auto& pk = d->primary_key();
      for (std::size_t b = 0; b < order.size(); b += kInChunk) {
        const std::size_t e = std::min(order.size(), b + kInChunk);
        ColumnElement crit;
        if (pk.size() == 1) {
          std::vector<Value> keys;
          keys.reserve(e - b);
          for (std::size_t i = b; i < e; ++i) keys.push_back(order[i]->st->identity()[0]);
          crit = attrs[pk[0]].column.in_(keys);
        } else {
          std::vector<ColumnElement> any;
          for (std::size_t i = b; i < e; ++i) {
            const auto ident = order[i]->st->identity();
            std::vector<ColumnElement> all;
            for (std::size_t k = 0; k < pk.size(); ++k)
              all.push_back(attrs[pk[k]].column == ident[k]);
            any.push_back(and_(std::move(all)));
          }
          crit = or_(std::move(any));
        }
        alchemy::Select stmt = alchemy::select(parts.columns);
        if (parts.from) stmt = stmt.select_from(*parts.from);
        stmt = stmt.where(crit);
        Result r = s.connection().execute(stmt);
        for (const Row& row : r) {
          std::vector<Value> key;
          for (std::size_t k : pk) key.push_back(row.get<Value>(k));
          InstanceState* st = s.lookup(*d, key);
          auto f = mine.find(st);
          if (st == nullptr || f == mine.end()) continue;
          const SessionImpl::PolyLoad& t = *f->second;
          for (std::size_t i = t.first; i < attrs.size(); ++i) {
            if (!t.overwrite && st->column_changed(i)) continue;
            attrs[i].ops.load(st->obj(), row, i);
            st->snap(i) = attrs[i].ops.fingerprint(st->obj());
          }
        }
      }
    }
  }
}

std::shared_ptr<void> get_polymorphic(SessionImpl& s, const Mapper& m, const Params& params) {
  Result r = s.connection().execute(m.get_statement(), params);
  std::vector<std::size_t> positional(m.attributes().size());
  for (std::size_t i = 0; i < positional.size(); ++i) positional[i] = i;
  LoadPlan plan(s, m, positional);
  PolyPlan poly;
  prepare_polymorphic(plan, m.get_statement(), r.keys(), poly);
  std::shared_ptr<void> out;
  for (const Row& row : r) {
    out = load_row(s, plan, row);
    break;
  }
  if (!s.poly_loads.empty()) run_polymorphic_loads(s);
  return out;
}

void set_polymorphic_identity(InstanceState* st) {
  const Mapper& m = *st->mapper;
  if (!m.polymorphic_identity() || m.polymorphic_on() < 0) return;
  const auto& a = m.attributes()[static_cast<std::size_t>(m.polymorphic_on())];
  a.ops.set(st->obj(), *m.polymorphic_identity());
}

}  // namespace alchemy::orm::detail
