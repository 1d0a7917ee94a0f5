// Session: object lifecycle, identity map, loading, transactions; plus
// sessionmaker, scoped_session, Query's bulk UPDATE/DELETE and bulk inserts.
// flush() itself is in unit_of_work.cpp.
#include "alchemy/orm/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <mutex>

#include "alchemy/core/sql/dml.hpp"
#include "orm/state.hpp"

namespace alchemy::orm {

using detail::InstanceState;
using detail::SessionImpl;
using detail::Status;

namespace detail {

InstanceState* SessionImpl::lookup(const Mapper& m, const std::vector<Value>& pk) {
  // One identity map per hierarchy: get<Person>(1) and get<Employee>(1) find one object.
  auto it = maps.find(&m.base_mapper());
  if (it == maps.end()) return nullptr;
  if (int_identity(m)) {
    if (pk[0].is_null()) return nullptr;
    auto f = it->second.ints.find(pk[0].as<std::int64_t>());
    return f == it->second.ints.end() ? nullptr : f->second;
  }
  auto f = it->second.general.find(pk);
  return f == it->second.general.end() ? nullptr : f->second;
}

void SessionImpl::insert_identity(InstanceState* st) {
  IdentityMap& im = map_for(&st->mapper->base_mapper());
  if (const auto* k = st->key()) {
    im.general[*k] = st;
  } else {
    im.ints[st->ikey] = st;
  }
}

void SessionImpl::remove_identity(InstanceState* st) {
  if (!st->has_identity) return;
  auto it = maps.find(&st->mapper->base_mapper());
  if (it == maps.end()) return;
  if (const auto* k = st->key()) {
    auto f = it->second.general.find(*k);
    if (f != it->second.general.end() && f->second == st) it->second.general.erase(f);
  } else {
    auto f = it->second.ints.find(st->ikey);
    if (f != it->second.ints.end() && f->second == st) it->second.ints.erase(f);
  }
}

std::shared_ptr<void> SessionImpl::detach(InstanceState* st) noexcept {
  st->session = nullptr;
  st->marked_deleted = false;
  st->tx_new = st->tx_deleted = false;
  st->status = st->has_identity ? Status::detached : Status::transient;
  // A weak reference stays: the object still finds its own shared_ptr
  // (back_populates) and the cycle collector its reference count.
  return st->ref.unpin();
}

void SessionImpl::released(InstanceState* st) noexcept {
  try {
    if (st->status == Status::persistent && st->modified()) {
      // Changed, then dropped by the program before a flush: the session keeps
      // a copy so the change is still written (SQLAlchemy holds modified
      // objects strongly for the same reason).
      const Mapper& m = *st->mapper;
      std::shared_ptr<void> copy = m.create(st->has_mask);
      InstanceState* c = node_state(copy.get());
      const auto& attrs = m.attributes();
      for (std::size_t i = 0; i < attrs.size(); ++i) {
        attrs[i].ops.set(c->obj(), attrs[i].ops.get(st->obj()));
        c->snap(i) = st->snap(i);
      }
      if (st->partial) {  // unloaded columns stay unloaded (never written)
        for (std::size_t w = 0; w < m.mask_words(); ++w) mask_word(c, w) = mask_word(st, w);
        c->partial = true;
      }
      if (const auto* k = st->key())
        c->set_key(*k);
      else
        c->set_ikey(st->ikey);
      c->has_identity = true;
      c->status = Status::persistent;
      c->expired = st->expired;
      c->session = this;
      c->ref.pin(std::move(copy));
      remove_identity(st);
      insert_identity(c);
    } else {
      remove_identity(st);
    }
  } catch (...) {
    remove_identity(st);
  }
  st->session = nullptr;
}

void node_release(const void* obj) noexcept {
  InstanceState* st = node_state(obj);
  if (st->mapper->relationship_count() != 0) untrack(st);
  if (st->session != nullptr) st->session->released(st);
  // The state's own weak reference would keep the control block, and with it
  // this node, alive forever. (Dropping it here cannot free the node yet: the
  // strong owners' collective weak count is released after the deleter.)
  std::shared_ptr<void> none = st->ref.release();
}

void SessionImpl::check_active() const {
  if (pending_rollback)
    throw PendingRollbackError(fmt::format(
        "This Session's transaction has been rolled back due to a previous exception during "
        "flush. To begin a new transaction with this Session, first issue Session.rollback(). "
        "Original exception was: {}",
        *pending_rollback));
}

Connection& SessionImpl::connection() {
  check_active();
  if (!conn) {
    if (!options.autobegin && !explicit_tx)
      throw InvalidRequestError(
          "Autobegin is disabled on this Session; call session.begin() before using it");
    conn.emplace(engine.connect());
  }
  return *conn;
}

void SessionImpl::after_rollback() noexcept {
  pending_rollback.reset();
  explicit_tx = false;
  std::vector<std::shared_ptr<void>> keep;  // objects die after the bookkeeping is done
  for (auto& c : secondary_changes) {
    keep.push_back(std::move(c.parent));
    keep.push_back(std::move(c.child));
  }
  secondary_changes.clear();
  // Pending objects and those inserted in the transaction leave the session.
  for (InstanceState* st : pending) keep.push_back(detach(st));
  pending.clear();
  for (InstanceState* st : inserted_in_tx) {
    if (st->session != this) continue;
    remove_identity(st);
    st->has_identity = false;
    st->reset_key();
    if (st->generated_key) {  // the database's key is void now: not set again
      for (const auto& a : st->mapper->attributes())
        if (a.autoincrement) {
          try {
            a.ops.set(st->obj(), a.ops.optional_member ? Value() : Value(std::int64_t{0}));
          } catch (...) {
          }
        }
      st->generated_key = false;
    }
    keep.push_back(detach(st));
  }
  inserted_in_tx.clear();
  // Deletes of the transaction are undone: back in the identity map.
  for (InstanceState* st : deleted_in_tx) {
    if (st->session != this) continue;
    st->status = Status::persistent;
    st->tx_deleted = false;
    insert_identity(st);
    keep.push_back(unpin(st));
  }
  deleted_in_tx.clear();
  for (InstanceState* st : to_delete) {
    st->marked_deleted = false;
    keep.push_back(unpin(st));
  }
  to_delete.clear();
  for (auto& [m, im] : maps) {
    // Changes made before the rollback are discarded: the members as they are
    // now count as unchanged, and the next load overwrites all of them.
    for (auto& [k, st] : im.ints) {
      st->take_snapshot();
      st->expired = st->reload_all = true;
      if (st->mapper->relationship_count() != 0) expire_relationships(st, true);
    }
    for (auto& [k, st] : im.general) {
      st->take_snapshot();
      st->expired = st->reload_all = true;
      if (st->mapper->relationship_count() != 0) expire_relationships(st, true);
    }
  }
}

/// Loads one entity from `row`: the identity map's object when present
/// (expired members refreshed), else a new persistent object.
std::shared_ptr<void> load_row(SessionImpl& s, const LoadPlan& plan, const Row& row,
                               InstanceState** state) {
  if (plan.polymorphic) return load_row_polymorphic(s, plan, row, state);
  const Mapper& m = *plan.m;
  const auto& attrs = m.attributes();
  const auto& pk = m.primary_key();
  const auto& idx = *plan.idx;
  InstanceState* found = nullptr;
  std::int64_t ikey = 0;
  std::vector<Value> key;
  IdentityMap& im = *plan.im;
  InstanceState** slot = nullptr;
  if (plan.int_key) {
    const std::size_t c = idx[pk[0]];
    if (row.is_null(c)) return nullptr;  // an outer join without a match
    ikey = row.get<std::int64_t>(c);
    slot = &im.ints[ikey];  // one probe: the slot is filled below when new
    found = *slot;
  } else {
    bool all_null = true;
    for (std::size_t k : pk) {
      key.push_back(row.get<Value>(idx[k]));
      all_null = all_null && key.back().is_null();
    }
    if (all_null) return nullptr;
    auto f = im.general.find(key);
    if (f != im.general.end()) found = f->second;
  }
  if (found) {
    if (found->expired && !found->partial && !plan.partial) {
      // Members changed in C++ since the last load keep their values (unless
      // a rollback discarded them).
      for (std::size_t i = 0; i < attrs.size(); ++i) {
        if (!found->reload_all && found->column_changed(i)) continue;
        attrs[i].ops.load(found->obj(), row, idx[i]);
        found->snap(i) = attrs[i].ops.fingerprint(found->obj());
      }
      found->expired = found->reload_all = false;
    } else if (found->expired || found->partial) {
      refill(found, plan, row);  // columns left out of a load (deferral.cpp)
    }
    if (state) *state = found;
    return found->ref.lock();
  }
  std::shared_ptr<void> obj;
  try {
    obj = m.create(plan.partial);
    InstanceState* made = node_state(obj.get());
    void* o = obj.get();
    if (plan.partial) {
      load_partial(made, plan, row);
    } else {
      for (std::size_t i = 0; i < attrs.size(); ++i) {
        attrs[i].ops.load(o, row, idx[i]);
        made->snap(i) = attrs[i].ops.fingerprint(o);
      }
    }
  } catch (...) {
    if (slot) im.ints.abandon(slot);  // the slot reserved above
    throw;
  }
  InstanceState* st = node_state(obj.get());
  st->session = &s;
  st->status = Status::persistent;
  st->has_identity = true;
  if (slot) {
    st->set_ikey(ikey);
    *slot = st;
  } else {
    st->set_key(std::move(key));
    im.general.emplace(*st->key(), st);
  }
  if (m.relationship_count() == 0) {
    st->ref.watch(obj);
  } else {
    unload_relationships(st);  // instrument_node watched it already
  }
  if (state) *state = st;
  return obj;
}

}  // namespace detail

namespace {
std::string describe(const InstanceState* st) {
  return fmt::format("<{} at {}>", st->mapper->class_name(), st->obj());
}
}  // namespace

InstanceInfo inspect_state(const InstanceState* st) {
  InstanceInfo info;
  if (st == nullptr) return info;
  switch (st->status) {
    case Status::transient:
      info.state = ObjectState::transient;
      break;
    case Status::pending:
      info.state = ObjectState::pending;
      break;
    case Status::persistent:
      info.state = ObjectState::persistent;
      break;
    case Status::deleted:
      info.state = ObjectState::deleted;
      break;
    case Status::detached:
      info.state = ObjectState::detached;
      break;
  }
  info.has_identity = st->has_identity;
  if (st->has_identity) info.identity = st->identity();
  info.expired = st->expired;
  info.modified = st->modified();
  info.session = st->session ? st->session->owner : nullptr;
  info.unloaded = detail::unloaded_keys(st);
  return info;
}

// ---- Session ------------------------------------------------------------------------------

Session::Session(Engine bind, SessionOptions options)
    : impl_(std::make_unique<SessionImpl>(std::move(bind), options)) {
  impl_->owner = this;
}

Session::Session(Session&& o) noexcept : impl_(std::move(o.impl_)) {
  if (impl_) impl_->owner = this;
}

Session& Session::operator=(Session&& o) noexcept {
  if (this != &o) {
    if (impl_) close();
    impl_ = std::move(o.impl_);
    if (impl_) impl_->owner = this;
  }
  return *this;
}

Session::~Session() {
  if (impl_) close();
}

void Session::check_object(const void* obj) {
  if (obj == nullptr)
    throw InvalidRequestError("A null object was given to the Session; pass a mapped object");
}

void Session::add_state(InstanceState* st, std::shared_ptr<void> obj) {
  detail::attach(*impl_, st, std::move(obj));
}

void detail::attach(SessionImpl& s, InstanceState* st, std::shared_ptr<void> obj) {
  if (st->session == &s) return;
  if (st->session != nullptr)
    throw InvalidRequestError(fmt::format(
        "Object '{}' is already attached to another Session; expunge() it there (or close that "
        "session) before adding it here",
        describe(st)));
  if (st->status == Status::deleted)
    throw InvalidRequestError(fmt::format(
        "Object '{}' was deleted; it cannot be added back to a Session", describe(st)));
  if (st->has_identity) {  // detached -> persistent
    if (InstanceState* other = s.lookup(*st->mapper, st->identity()); other && other != st)
      throw InvalidRequestError(fmt::format(
          "Can't attach instance '{}'; another instance with the same identity is already "
          "present in this session",
          describe(st)));
    st->session = &s;
    st->status = Status::persistent;
    if (st->foreign) {
      st->ref.pin(std::move(obj));
      if (st->mapper->has_deferred_members()) instrument_deferred(st);
    } else {
      st->ref.watch(obj);
    }
    s.insert_identity(st);
    if (st->mapper->relationship_count() != 0) {
      if (st->foreign) instrument_state(st);
      cascade_add(s, st);
    }
    return;
  }
  if (st->mapper->polymorphic_identity()) set_polymorphic_identity(st);
  if (!st->mapper->validators().empty()) st->mapper->validate(st->obj());
  if (st->foreign && st->mapper->has_deferred_members()) instrument_deferred(st);
  st->session = &s;
  st->status = Status::pending;
  st->ref.pin(std::move(obj));
  s.pending.push_back(st);
  if (st->mapper->relationship_count() != 0) {
    if (st->foreign) instrument_state(st);
    s.rel_dirty = true;
    cascade_add(s, st);
  }
}

void Session::delete_state(InstanceState* st, std::shared_ptr<void> obj) {
  SessionImpl& s = *impl_;
  if (st == nullptr || (st->status == Status::transient))
    throw InvalidRequestError(
        "Instance is not persisted; only objects loaded or flushed by a Session can be deleted");
  if (st->session != nullptr && st->session != &s)
    throw InvalidRequestError(fmt::format(
        "Object '{}' is attached to another Session; delete it through that session",
        describe(st)));
  if (st->status == Status::pending) {
    expunge_state(st);
    return;
  }
  if (st->status == Status::detached) add_state(st, obj);
  if (st->status == Status::deleted || st->marked_deleted) return;
  st->marked_deleted = true;
  st->ref.pin(std::move(obj));
  s.to_delete.push_back(st);
  if (st->mapper->relationship_count() != 0) detail::cascade_delete(*this, st);
}

void Session::expunge_state(InstanceState* st) {
  SessionImpl& s = *impl_;
  if (st == nullptr || st->session != &s)
    throw InvalidRequestError("Instance is not present in this Session; nothing to expunge");
  std::vector<std::pair<InstanceState*, std::shared_ptr<void>>> kids;
  if (st->mapper->relationship_count() != 0)
    kids = detail::cascade_targets(st, &RelationshipProperty::expunge);
  std::erase(s.pending, st);
  std::erase(s.to_delete, st);
  std::erase(s.inserted_in_tx, st);
  std::erase(s.deleted_in_tx, st);
  s.remove_identity(st);
  std::shared_ptr<void> keep = s.detach(st);
  for (auto& [cs, obj] : kids)
    if (cs->session == &s) expunge_state(cs);  // cycles end at objects expunged already
}

void Session::expunge_all() {
  SessionImpl& s = *impl_;
  std::vector<std::shared_ptr<void>> keep;
  auto drop = [&](InstanceState* st) {
    if (st->session != &s) return;
    keep.push_back(s.detach(st));
  };
  for (InstanceState* st : s.pending) drop(st);
  for (auto& [m, im] : s.maps) {
    for (auto& [k, st] : im.ints) drop(st);
    for (auto& [k, st] : im.general) drop(st);
  }
  for (InstanceState* st : s.deleted_in_tx) drop(st);
  s.pending.clear();
  s.to_delete.clear();
  s.inserted_in_tx.clear();
  s.deleted_in_tx.clear();
  s.maps.clear();
}

void Session::refresh_state(InstanceState* st) {
  SessionImpl& s = *impl_;
  if (st == nullptr || st->session != &s || st->status != Status::persistent)
    throw InvalidRequestError(
        "Instance is not persistent within this Session; refresh() needs an object loaded or "
        "flushed by this session");
  s.check_active();
  const Mapper& m = *st->mapper;
  std::vector<std::pair<InstanceState*, std::shared_ptr<void>>> kids;
  if (m.relationship_count() != 0)
    kids = detail::cascade_targets(st, &RelationshipProperty::refresh_expire);
  detail::refresh_all(s, st);
  st->expired = st->reload_all = false;
  if (m.relationship_count() != 0) detail::expire_relationships(st, false);
  if (kids.empty()) return;
  // The refresh-expire cascade; each object once per refresh() (cycles).
  thread_local std::vector<const InstanceState*>* t_refreshing = nullptr;
  std::vector<const InstanceState*> mine;
  const bool outer = t_refreshing == nullptr;
  if (outer) t_refreshing = &mine;
  t_refreshing->push_back(st);
  try {
    for (auto& [cs, obj] : kids) {
      if (cs->session != &s || cs->status != Status::persistent) continue;
      if (std::find(t_refreshing->begin(), t_refreshing->end(), cs) != t_refreshing->end()) continue;
      refresh_state(cs);
    }
  } catch (...) {
    if (outer) t_refreshing = nullptr;
    throw;
  }
  if (outer) t_refreshing = nullptr;
}

void Session::expire_state(InstanceState* st) {
  if (st == nullptr || st->session != impl_.get() || st->status != Status::persistent)
    throw InvalidRequestError("Instance is not persistent within this Session; nothing to expire");
  std::vector<std::pair<InstanceState*, std::shared_ptr<void>>> kids;
  if (st->mapper->relationship_count() != 0)
    kids = detail::cascade_targets(st, &RelationshipProperty::refresh_expire);
  st->expired = true;
  if (st->mapper->relationship_count() != 0) detail::expire_relationships(st, false);
  for (auto& [cs, obj] : kids)  // cycles end at objects expired already
    if (cs->session == impl_.get() && cs->status == Status::persistent && !cs->expired)
      expire_state(cs);
}

void Session::expire_all() {
  for (auto& [m, im] : impl_->maps) {
    // A hierarchy's map holds objects of its subclasses too, which may have
    // relationships of their own.
    const bool family = m->self_and_descendants().size() > 1;
    const bool rels = m->relationship_count() != 0;
    for (auto& [k, st] : im.ints) {
      st->expired = true;
      if (family ? st->mapper->relationship_count() != 0 : rels)
        detail::expire_relationships(st, false);
    }
    for (auto& [k, st] : im.general) {
      st->expired = true;
      if (family ? st->mapper->relationship_count() != 0 : rels)
        detail::expire_relationships(st, false);
    }
  }
}

bool Session::contains_state(const InstanceState* st) const {
  return st != nullptr && st->session == impl_.get();
}

IdentitySet Session::new_() const {
  std::vector<std::shared_ptr<void>> out;
  for (InstanceState* st : impl_->pending) out.push_back(st->ref.lock());
  return IdentitySet(std::move(out));
}

IdentitySet Session::dirty() const {
  std::vector<std::shared_ptr<void>> out;
  for (auto& [m, im] : impl_->maps) {
    for (auto& [k, st] : im.ints)
      if (!st->marked_deleted && st->modified()) out.push_back(st->ref.lock());
    for (auto& [k, st] : im.general)
      if (!st->marked_deleted && st->modified()) out.push_back(st->ref.lock());
  }
  return IdentitySet(std::move(out));
}

IdentitySet Session::deleted() const {
  std::vector<std::shared_ptr<void>> out;
  for (InstanceState* st : impl_->to_delete) out.push_back(st->ref.lock());
  return IdentitySet(std::move(out));
}

std::size_t Session::identity_map_size() const noexcept {
  std::size_t n = 0;
  for (auto& [m, im] : impl_->maps) n += im.size();
  return n;
}

void Session::flush() { impl_->flush(); }

void Session::autoflush() {
  SessionImpl& s = *impl_;
  if (s.options.autoflush && !s.flushing && !s.no_autoflush &&
      (!s.pending.empty() || !s.to_delete.empty() || !s.maps.empty()))
    s.flush();
}

void Session::commit() {
  SessionImpl& s = *impl_;
  s.check_active();
  s.fire(detail::SessionEvent::before_commit);
  s.flush();
  if (s.conn) {
    s.conn->commit();
    s.conn.reset();
  }
  s.explicit_tx = false;
  std::vector<std::shared_ptr<void>> keep;
  for (InstanceState* st : s.deleted_in_tx) {
    if (st->session != &s) continue;
    keep.push_back(s.detach(st));
  }
  s.deleted_in_tx.clear();
  for (InstanceState* st : s.inserted_in_tx) {
    st->tx_new = st->generated_key = false;
    keep.push_back(s.unpin(st));
  }
  s.inserted_in_tx.clear();
  if (s.options.expire_on_commit) expire_all();
  keep.clear();
  detail::maybe_collect();
  s.fire(detail::SessionEvent::after_commit);
}

void Session::rollback() {
  SessionImpl& s = *impl_;
  if (s.conn) {
    try {
      s.conn->rollback();
    } catch (...) {
      s.conn.reset();
      s.after_rollback();
      throw;
    }
    s.conn.reset();
  }
  s.after_rollback();
  s.fire(detail::SessionEvent::after_rollback);
}

void Session::close() {
  SessionImpl& s = *impl_;
  const bool had_tx = s.conn && s.conn->in_transaction();
  if (s.conn) {
    s.conn->close();
    s.conn.reset();
  }
  if (had_tx) {
    try {
      s.fire(detail::SessionEvent::after_rollback);
    } catch (...) {  // close() must not fail because of a listener
    }
  }
  s.pending_rollback.reset();
  s.explicit_tx = false;
  // Objects inserted by an uncommitted transaction lose their identity.
  for (InstanceState* st : s.inserted_in_tx) {
    if (st->session != &s) continue;
    st->has_identity = false;
    st->reset_key();
  }
  for (InstanceState* st : s.deleted_in_tx) st->status = Status::persistent;
  s.removed.clear();
  s.secondary_changes.clear();
  expunge_all();
  detail::maybe_collect();
}

SessionTransaction Session::begin() {
  SessionImpl& s = *impl_;
  s.check_active();
  if (s.explicit_tx || (s.conn && s.conn->in_transaction()))
    throw InvalidRequestError(
        "A transaction is already begun on this Session; commit() or rollback() it first");
  s.explicit_tx = true;
  s.connection();
  return SessionTransaction(this);
}

bool Session::in_transaction() const noexcept {
  return impl_->explicit_tx || (impl_->conn && impl_->conn->in_transaction());
}
bool Session::is_active() const noexcept { return !impl_->pending_rollback; }
Connection& Session::connection() { return impl_->connection(); }
const Engine& Session::bind() const noexcept { return impl_->engine; }
const SessionOptions& Session::options() const noexcept { return impl_->options; }

Result Session::execute(const Executable& statement, const Params& params) {
  impl_->check_active();
  autoflush();
  return impl_->connection().execute(statement, params);
}

Result Session::execute(const Executable& statement, const std::vector<Params>& params) {
  impl_->check_active();
  autoflush();
  return impl_->connection().execute(statement, params);
}

Value Session::scalar(const Executable& statement, const Params& params) {
  return execute(statement, params).scalar();
}

namespace detail {

namespace {
// Whether keys[at], which differs from `name`, is the name the compiler made
// unique in a multi-entity row ("id_1" for the second "id").
bool unique_label(const std::vector<std::string>& keys, std::size_t at, const std::string& name) {
  const std::string& k = keys[at];
  if (k.size() <= name.size() + 1 || k.compare(0, name.size(), name) != 0 ||
      k[name.size()] != '_')
    return false;
  for (std::size_t c = name.size() + 1; c < k.size(); ++c)
    if (k[c] < '0' || k[c] > '9') return false;
  const auto end = keys.begin() + static_cast<std::ptrdiff_t>(at);
  return std::find(keys.begin(), end, name) != end;
}
}  // namespace

std::vector<std::vector<std::size_t>> column_positions(
    const std::vector<std::string>& keys, const std::vector<const Mapper*>& mappers,
    const std::vector<std::vector<char>>& plans) {
  // Where each entity's columns are: in order for entity statements, else by
  // name. Columns a plan leaves out may be missing (deferred).
  const bool all = plans.empty();
  auto loads = [&](std::size_t e, std::size_t i) { return all || plans[e][i] != 0; };
  std::vector<std::vector<std::size_t>> idx(mappers.size());
  std::size_t at = 0;
  bool positional = true;
  for (std::size_t e = 0; e < mappers.size() && positional; ++e) {
    const auto& attrs = mappers[e]->attributes();
    for (std::size_t i = 0; i < attrs.size(); ++i) {
      if (!all && plans[e][i] == 0) continue;
      const std::string& name = attrs[i].column.name();
      if (at >= keys.size() || (keys[at] != name && !unique_label(keys, at, name))) {
        positional = false;
        break;
      }
      ++at;
    }
  }
  if (!positional) {
    for (std::size_t e = 0; e < mappers.size(); ++e) {
      const auto& attrs = mappers[e]->attributes();
      for (std::size_t i = 0; i < attrs.size(); ++i) {
        const auto& a = attrs[i];
        auto f = std::find(keys.begin(), keys.end(), a.column.name());
        if (f == keys.end() && !loads(e, i)) {
          idx[e].push_back(LoadPlan::kNotLoaded);
          continue;
        }
        if (f == keys.end())
          throw InvalidRequestError(fmt::format(
              "The statement's rows have no column '{}' for {}.{}; select every mapped column "
              "(its columns are: {})",
              a.column.name(), mappers[e]->class_name(), a.key, fmt::join(keys, ", ")));
        idx[e].push_back(static_cast<std::size_t>(f - keys.begin()));
      }
    }
  } else {
    at = 0;
    for (std::size_t e = 0; e < mappers.size(); ++e) {
      const std::size_t n = mappers[e]->attributes().size();
      idx[e].resize(n);
      for (std::size_t i = 0; i < n; ++i) idx[e][i] = loads(e, i) ? at++ : LoadPlan::kNotLoaded;
    }
  }
  return idx;
}

}  // namespace detail

void Session::load_objects(const std::vector<const Mapper*>& mappers, const Executable& stmt,
                           const Params& params, const ObjectSink& sink,
                           const std::vector<LoaderOption>* options) {
  SessionImpl& s = *impl_;
  s.check_active();
  autoflush();
  for (const Mapper* m : mappers)
    if (m->relationship_count() != 0) {
      detail::load_with_relationships(*this, mappers, stmt, params, sink, options);
      if (!s.poly_loads.empty()) detail::run_polymorphic_loads(s);
      return;
    }
  if (options != nullptr && !options->empty())
    detail::check_options(mappers, *options);  // raises: the classes have no relationships
  Result r = s.connection().execute(stmt, params);
  const auto idx =
      detail::column_positions(r.keys(), mappers, detail::column_plans(mappers, options));
  std::vector<detail::LoadPlan> plans;
  plans.reserve(mappers.size());
  std::vector<detail::PolyPlan> polys;
  for (std::size_t e = 0; e < mappers.size(); ++e) {
    plans.emplace_back(s, *mappers[e], idx[e]);
    if (plans.back().polymorphic) {
      polys.resize(mappers.size());
      detail::prepare_polymorphic(plans.back(), stmt, r.keys(), polys[e]);
    }
  }
  if (plans.size() == 1) {
    for (const Row& row : r) sink(detail::load_row(s, plans[0], row));
  } else {
    for (const Row& row : r)
      for (const auto& plan : plans) sink(detail::load_row(s, plan, row));
  }
  if (!s.poly_loads.empty()) detail::run_polymorphic_loads(s);
}

std::shared_ptr<void> Session::get_object(const Mapper& m, const std::vector<Value>& pk) {
  SessionImpl& s = *impl_;
  s.check_active();
  if (pk.size() != m.primary_key().size())
    throw InvalidRequestError(fmt::format(
        "get() of {} needs {} primary key value(s) (in key column order), got {}",
        m.class_name(), m.primary_key().size(), pk.size()));
  for (const Value& v : pk)
    if (v.is_null()) return nullptr;
  InstanceState* st = s.lookup(m, pk);
  // An object of another class of the hierarchy has this key: not a `m`.
  if (st && !st->mapper->isa(m)) return nullptr;
  if (st && !st->expired) return st->ref.lock();
  autoflush();
  Params p;
  for (std::size_t k = 0; k < pk.size(); ++k) {
    const auto& col = m.attributes()[m.primary_key()[k]].column;
    p.set(k == 0 ? std::string("pk_0") : fmt::format("pk_{}", k),
          col.type()->bind_value(pk[k], s.engine.dialect().statement_compiler()));
  }
  if (m.polymorphic()) return detail::get_polymorphic(s, m, p);
  Result r = s.connection().execute(m.get_statement(), p);
  std::shared_ptr<void> out;
  InstanceState* loaded = nullptr;
  for (const Row& row : r) {
    out = detail::load_row(s, detail::LoadPlan(s, m, m.get_positions()), row, &loaded);
    break;
  }
  // Relationships whose default strategy is eager load with the object.
  if (out && m.relationship_count() != 0) detail::load_default_eager(*this, loaded);
  return out;
}

std::shared_ptr<void> Session::merge_object(const Mapper& m, const void* obj,
                                           detail::MergeMemo* memo,
                                           const InstanceState* obj_state) {
  if (obj == nullptr) throw InvalidRequestError("merge() of a null object");
  detail::MergeMemo local;
  if (memo == nullptr) memo = &local;
  if (auto f = memo->done.find(obj); f != memo->done.end()) return f->second;
  const auto& attrs = m.attributes();
  std::vector<Value> pk;
  bool complete = true;
  for (std::size_t k : m.primary_key()) {
    if (attrs[k].ops.is_unset(obj)) complete = false;
    pk.push_back(attrs[k].ops.get(obj));
  }
  std::shared_ptr<void> target = complete ? get_object(m, pk) : nullptr;
  const bool fresh = target == nullptr;
  if (fresh) target = m.create();
  memo->done.emplace(obj, target);
  if (target.get() == obj) return target;  // already this session's object
  // Unloaded members of `obj` hold no value to copy (SQLAlchemy's merge skips
  // unloaded attributes too).
  for (std::size_t i = 0; i < attrs.size(); ++i)
    if (obj_state == nullptr || !detail::column_unloaded(obj_state, i) ||
        obj_state->column_changed(i))
      attrs[i].ops.set(target.get(), attrs[i].ops.get(obj));
  if (fresh) add_state(detail::node_state(target.get()), target);
  if (m.relationship_count() != 0) detail::cascade_merge(*this, m, obj, target, *memo);
  return target;
}

void Session::bulk_insert(const Mapper& m, const std::vector<Params>& mappings) {
  impl_->check_active();
  if (mappings.empty()) return;
  for (const auto& item : mappings.front())
    if (m.attribute(item.first) == nullptr)
      throw InvalidRequestError(fmt::format("bulk_insert_mappings(): {} has no attribute '{}'",
                                            m.class_name(), item.first));
  impl_->connection().execute(insert(m.table()), mappings);
}

void Session::bulk_save(const Mapper& m, const void* obj) {
  if (obj == nullptr) throw InvalidRequestError("bulk_save_objects() of a null object");
  impl_->bulk.emplace_back(&m, obj);
}

void Session::flush_bulk() {
  SessionImpl& s = *impl_;
  auto items = std::move(s.bulk);
  s.bulk.clear();
  s.check_active();
  std::size_t i = 0;
  while (i < items.size()) {
    const Mapper& m = *items[i].first;
    const auto& attrs = m.attributes();
    // Objects with every primary key member set are UPDATEs when their row exists
    // in a session's identity; plain C++ objects carry no such state, so, as
    // SQLAlchemy does for objects without identity, they are INSERTs.
    std::size_t j = i;
    while (j < items.size() && items[j].first == &m) ++j;
    std::vector<Params> rows;
    rows.reserve(j - i);
    for (std::size_t k = i; k < j; ++k) {
      Params p;
      for (const auto& a : attrs)
        if (!(a.autoincrement && a.ops.is_unset(items[k].second)) &&
            !(a.ops.optional_member && (a.has_default || a.server_generated) &&
              a.ops.is_unset(items[k].second)))
          p.set(a.key, a.ops.get(items[k].second));
      rows.push_back(std::move(p));
    }
    // Group runs of identical key sets into one executemany each.
    std::size_t a = 0;
    while (a < rows.size()) {
      std::size_t b = a + 1;
      auto same = [&](const Params& x, const Params& y) {
        if (x.size() != y.size()) return false;
        for (std::size_t t = 0; t < x.size(); ++t)
          if (x.begin()[t].first != y.begin()[t].first) return false;
        return true;
      };
      while (b < rows.size() && same(rows[a], rows[b])) ++b;
      std::vector<Params> run(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(a)),
                              std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(b)));
      s.connection().execute(insert(m.table()), run);
      a = b;
    }
    i = j;
  }
}

// ---- SessionTransaction -----------------------------------------------------------------

SessionTransaction::SessionTransaction(Session* s)
    : session_(s), exceptions_(std::uncaught_exceptions()) {}

SessionTransaction::~SessionTransaction() noexcept(false) {
  if (session_ == nullptr || !is_active()) return;
  Session* s = std::exchange(session_, nullptr);
  if (std::uncaught_exceptions() > exceptions_) {
    try {
      s->rollback();
    } catch (...) {  // already unwinding: the first error wins
    }
    return;
  }
  s->commit();
}

void SessionTransaction::commit() {
  if (session_ == nullptr) throw InvalidRequestError("This transaction is closed");
  std::exchange(session_, nullptr)->commit();
}

void SessionTransaction::rollback() {
  if (session_ == nullptr) return;
  std::exchange(session_, nullptr)->rollback();
}

bool SessionTransaction::is_active() const noexcept {
  return session_ != nullptr && session_->impl().explicit_tx;
}

// ---- sessionmaker / scoped_session --------------------------------------------------------

Session sessionmaker::begin() const {
  Session s(bind_, options_);
  s.impl().explicit_tx = true;
  s.connection().begin();
  return s;
}

struct scoped_session::Registry {
  mutable std::mutex mu;
  std::unordered_map<std::thread::id, std::unique_ptr<Session>> sessions;
};

scoped_session::scoped_session(sessionmaker factory)
    : factory_(std::move(factory)), registry_(std::make_unique<Registry>()) {}
scoped_session::~scoped_session() = default;

Session& scoped_session::operator()() {
  std::lock_guard lock(registry_->mu);
  auto& slot = registry_->sessions[std::this_thread::get_id()];
  if (!slot) slot = std::make_unique<Session>(factory_());
  return *slot;
}

void scoped_session::remove() {
  std::unique_ptr<Session> s;
  {
    std::lock_guard lock(registry_->mu);
    auto it = registry_->sessions.find(std::this_thread::get_id());
    if (it == registry_->sessions.end()) return;
    s = std::move(it->second);
    registry_->sessions.erase(it);
  }
  s->close();
}

bool scoped_session::has() const {
  std::lock_guard lock(registry_->mu);
  return registry_->sessions.count(std::this_thread::get_id()) != 0;
}

// ---- Query.update() / Query.delete_() ------------------------------------------------------

namespace detail {

namespace {
// Runs an UPDATE/DELETE ... RETURNING <all columns> and calls fn(state, row)
// for each matched row whose object is in the identity map; returns the rows.
template <class Fn>
std::int64_t for_each_matched(Session& s, const Mapper& m, const Executable& stmt, Fn fn) {
  Result res = s.connection().execute(stmt);
  std::int64_t n = 0;
  for (const Row& row : res) {
    ++n;
    std::vector<Value> key;
    for (std::size_t k : m.primary_key()) key.push_back(row.get<Value>(k));
    if (InstanceState* st = s.impl().lookup(m, key)) fn(st, row);
  }
  return n;
}

bool synchronizes(const std::string& sync) {
  if (sync == "evaluate" || sync == "fetch") return true;
  if (sync == "false" || sync == "False" || sync.empty()) return false;
  throw ArgumentError(fmt::format(
      "synchronize_session must be \"evaluate\", \"fetch\" or \"false\", not \"{}\"", sync));
}
}  // namespace

std::int64_t query_update(Session& s, const Mapper& m, const alchemy::Select& stmt,
                          const Params* values, const ValuesList* exprs,
                          const std::string& sync) {
  const bool do_sync = synchronizes(sync);
  s.impl().check_active();
  s.autoflush();
  Update u = update(m.table());
  if (auto w = stmt.whereclause()) u = u.where(*w);
  if (values) {
    for (const auto& item : *values)
      if (m.attribute(item.first) == nullptr)
        throw InvalidRequestError(fmt::format("Query.update(): {} has no attribute '{}'",
                                              m.class_name(), item.first));
    u = u.values(*values);
  } else {
    u = u.values(*exprs);
  }
  SessionImpl& impl = s.impl();
  if (!do_sync || impl.maps.find(&m.base_mapper()) == impl.maps.end())
    return s.connection().execute(u).rowcount();
  // The matched keys come back with RETURNING: exactly the rows the UPDATE changed
  // ("evaluate" and "fetch" alike). Members the program has not changed take the row.
  return for_each_matched(s, m, u.returning(m.table()), [&](InstanceState* st, const Row& row) {
    const auto& attrs = m.attributes();
    for (std::size_t i = 0; i < attrs.size(); ++i) {
      if (st->column_changed(i)) continue;
      attrs[i].ops.load(st->obj(), row, i);
      st->snap(i) = attrs[i].ops.fingerprint(st->obj());
      clear_unloaded(st, i);
    }
    settle_unloaded(st);
  });
}

std::int64_t query_delete(Session& s, const Mapper& m, const alchemy::Select& stmt,
                          const std::string& sync) {
  const bool do_sync = synchronizes(sync);
  s.impl().check_active();
  s.autoflush();
  Delete d = delete_(m.table());
  if (auto w = stmt.whereclause()) d = d.where(*w);
  SessionImpl& impl = s.impl();
  if (!do_sync || impl.maps.find(&m.base_mapper()) == impl.maps.end())
    return s.connection().execute(d).rowcount();
  return for_each_matched(s, m, d.returning(m.table()), [&](InstanceState* st, const Row&) {
    impl.remove_identity(st);
    std::erase(impl.to_delete, st);
    st->marked_deleted = false;
    st->status = Status::deleted;
    st->tx_deleted = true;
    st->ref.pin(st->ref.lock());
    impl.deleted_in_tx.push_back(st);
  });
}

}  // namespace detail

}  // namespace alchemy::orm
