// The unit of work: Session.flush() turns pending, changed and deleted objects
// into INSERT / UPDATE / DELETE statements.
//
// Called only by SessionImpl::flush (Session::flush, commit, autoflush).
// Order: mappers sorted by foreign-key dependency (registry sort order);
// INSERTs and UPDATEs parents first, DELETEs children first. Within a mapper,
// INSERTs keep add() order and UPDATEs/DELETEs go by primary key (SQLAlchemy's
// persistence._sort_states). Consecutive rows that write the same columns are
// one executemany; when the database generates values (autoincrement keys,
// server defaults), they come back through RETURNING in multi-row VALUES pages.
// Bookkeeping (identity map, snapshots, states) happens only after every
// statement succeeded, so a failed flush leaves the objects as they were.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <tuple>

#include "alchemy/core/sql/dml.hpp"
#include "core/sql/nodes.hpp"
#include "orm/state.hpp"

namespace alchemy::orm::detail {

namespace {

constexpr const char* kPkParam = "alchemy_pk_";
constexpr const char* kVersionParam = "alchemy_version_old";

std::string pk_param(std::size_t k) { return kPkParam + std::to_string(k); }

// Binds a state's identity to the pk_param() placeholders of an UPDATE or
// DELETE, the names made once per statement rather than per row.
class IdentityBinder {
 public:
  explicit IdentityBinder(std::size_t columns) {
    for (std::size_t k = 0; k < columns; ++k) names_.push_back(pk_param(k));
  }
  void bind(const InstanceState* st, Params& p) const {
    if (const auto* key = st->key()) {
      for (std::size_t k = 0; k < key->size(); ++k) p.set(names_[k], (*key)[k]);
    } else {
      p.set(names_[0], Value(st->ikey));
    }
  }

 private:
  std::vector<std::string> names_;
};

// The columns an UPDATE sets, as a set of attribute indices kept in order: a
// bit mask for the first 64, a sorted vector for the rest (mappers that wide
// are rare), so a flush of many changed objects allocates nothing per object
// and its work list stays small.
class ColList {
 public:
  void push_back(std::size_t c) {
    if (c < 64) {
      bits_ |= std::uint64_t{1} << c;
      return;
    }
    const auto v = static_cast<std::uint32_t>(c);
    auto at = std::lower_bound(more_.begin(), more_.end(), v);
    if (at == more_.end() || *at != v) more_.insert(at, v);
  }
  bool empty() const noexcept { return bits_ == 0 && more_.empty(); }
  void clear() noexcept {
    bits_ = 0;
    more_.clear();
  }
  bool contains(std::size_t c) const noexcept {
    if (c < 64) return (bits_ >> c) & 1U;
    return std::binary_search(more_.begin(), more_.end(), static_cast<std::uint32_t>(c));
  }
  /// Calls f(index) in ascending order.
  template <class F>
  void for_each(F&& f) const {
    for (std::uint64_t b = bits_; b != 0; b &= b - 1)
      f(static_cast<std::size_t>(std::countr_zero(b)));
    for (std::uint32_t c : more_) f(static_cast<std::size_t>(c));
  }
  std::vector<std::size_t> to_vector() const {
    std::vector<std::size_t> out;
    for_each([&](std::size_t c) { out.push_back(c); });
    return out;
  }
  friend bool operator==(const ColList& a, const ColList& b) noexcept {
    return a.bits_ == b.bits_ && a.more_ == b.more_;
  }

 private:
  std::uint64_t bits_ = 0;
  std::vector<std::uint32_t> more_;
};

struct Work {
  std::vector<InstanceState*> inserts;
  struct Upd {
    InstanceState* st;
    ColList cols;  // attributes to SET
    std::int64_t old_version = 0;
    std::int64_t ikey = 0;  // copy of the integer identity: sorting without pointer chasing
  };
  std::vector<Upd> updates;
  std::vector<InstanceState*> deletes;
};

bool identity_less(const InstanceState* a, const InstanceState* b) {
  if (!a->key() && !b->key()) return a->ikey < b->ikey;
  const auto ka = a->identity(), kb = b->identity();
  for (std::size_t i = 0; i < ka.size() && i < kb.size(); ++i) {
    if (ka[i] == kb[i]) continue;
    return ka[i].repr() < kb[i].repr();
  }
  return false;
}

// Resets generated keys assigned by a flush that then failed.
struct Undo {
  std::vector<std::pair<InstanceState*, std::size_t>> generated;
  void run() noexcept {
    for (auto [st, i] : generated) {
      const auto& a = st->mapper->attributes()[i];
      try {
        a.ops.set(st->obj(), a.ops.optional_member ? Value() : Value(std::int64_t{0}));
      } catch (...) {
      }
    }
  }
};

void run_inserts(SessionImpl& s, const Mapper& m, const std::vector<InstanceState*>& states,
                 Undo& undo) {
  const auto& attrs = m.attributes();
  const Dialect& dialect = s.engine.dialect();
  // Client-side defaults first, then which columns the database must fill.
  // omit[r * width + i]: row r leaves column i to the database (one flat array:
  // no allocation per object).
  const std::size_t width = attrs.size();
  std::vector<std::uint8_t> omit_flat(states.size() * width, 0);
  auto omit_row = [&](std::size_t r) { return omit_flat.data() + r * width; };
  auto same_omits = [&](std::size_t a, std::size_t b) {
    return std::memcmp(omit_row(a), omit_row(b), width) == 0;
  };
  const bool has_version = m.version_attr() >= 0;
  for (std::size_t r = 0; r < states.size(); ++r) {
    InstanceState* st = states[r];
    std::uint8_t* omit = omit_row(r);
    for (std::size_t i = 0; i < attrs.size(); ++i) {
      const auto& a = attrs[i];
      if (has_version && a.version_id &&
          (a.ops.is_unset(st->obj()) || a.ops.get(st->obj()) == Value(0))) {
        a.ops.set(st->obj(), Value(std::int64_t{1}));  // version counters start at 1
        continue;
      }
      if (!a.ops.is_unset(st->obj())) continue;
      const bool nullish = a.ops.optional_member || a.autoincrement ||
                           (a.primary_key && a.column.type()->kind() == TypeKind::uuid);
      if (!nullish) continue;
      if (a.has_default) {
        a.ops.set(st->obj(), a.column.impl().default_.produce());
      } else if (a.primary_key && a.column.type()->kind() == TypeKind::uuid) {
        a.ops.set(st->obj(), Value(Uuid::uuid4()));  // UUID keys are generated client-side
      } else if (a.autoincrement || a.server_generated) {
        omit[i] = 1;
      } else if (a.primary_key) {
        throw FlushError(fmt::format(
            "Instance <{}> has a NULL identity key: primary key column '{}' is not set and "
            "nothing generates it; set the member, or give the column a default",
            m.class_name(), a.key));
      }
    }
    // Another object of this session already has this identity.
    bool complete = true;
    for (std::size_t k : m.primary_key()) complete = complete && !omit[k];
    if (complete) {
      std::vector<Value> key;
      for (std::size_t k : m.primary_key()) key.push_back(attrs[k].ops.get(st->obj()));
      if (InstanceState* other = s.lookup(m, key); other && other != st)
        throw FlushError(fmt::format(
            "New instance <{}> with identity key ({}) conflicts with persistent instance <{}>",
            m.class_name(), key.front().repr(), m.class_name()));
    }
  }
  // One INSERT per table, the base class's first: a joined-table subclass's
  // tables take the key the base table's INSERT generated.
  const auto& tables = m.tables();
  for (std::size_t t = 0; t < tables.size(); ++t) {
  const Mapper::MapperTable& mt = tables[t];
  std::size_t a0 = 0;
  while (a0 < states.size()) {
    std::size_t b0 = a0 + 1;
    while (b0 < states.size() && same_omits(b0, a0)) ++b0;
    const std::uint8_t* om = omit_row(a0);
    std::vector<std::size_t> write, fetch;
    for (std::size_t i : mt.attrs) (om[i] ? fetch : write).push_back(i);
    const std::size_t n = b0 - a0;
    const auto& pk = m.primary_key();
    auto fill = [&](std::size_t i, Params& p) {
      const void* obj = states[a0 + i]->obj();
      for (std::size_t c : write) attrs[c].ops.put(obj, p, attrs[c].key);
      if (t > 0)
        for (std::size_t k = 0; k < mt.key_columns.size(); ++k)
          attrs[pk[mt.key_pos[k]]].ops.put(obj, p, mt.key_columns[k].impl().key);
    };
    Insert stmt = insert(mt.table);
    if (fetch.empty()) {
      s.conn->execute(stmt, n, fill);
    } else if (dialect.supports_returning()) {
      std::vector<SelectItem> ret;
      for (std::size_t c : fetch) ret.emplace_back(attrs[c].column);
      Result r = s.conn->execute(stmt.returning(std::move(ret)), n, fill);
      std::size_t i = 0;
      for (const Row& row : r) {
        if (i >= n) break;
        InstanceState* st = states[a0 + i];
        for (std::size_t k = 0; k < fetch.size(); ++k) {
          attrs[fetch[k]].ops.load(st->obj(), row, k);
          if (attrs[fetch[k]].autoincrement) {
            undo.generated.emplace_back(st, fetch[k]);
            st->generated_key = true;
          }
        }
        ++i;
      }
      if (i != n)
        throw FlushError(fmt::format("INSERT into '{}' returned {} row(s) for {} object(s)",
                                     mt.table.name(), i, n));
    } else {
      // Without RETURNING: one INSERT per row, the key from the cursor.
      for (std::size_t i = 0; i < n; ++i) {
        Params p;
        fill(i, p);
        Result r = s.conn->execute(stmt, p);
        Row key = r.inserted_primary_key();
        InstanceState* st = states[a0 + i];
        for (std::size_t k = 0; k < m.primary_key().size() && t == 0; ++k) {
          const std::size_t c = m.primary_key()[k];
          if (om[c]) {
            attrs[c].ops.set(st->obj(), key[k]);
            undo.generated.emplace_back(st, c);
            st->generated_key = true;
          }
        }
        for (std::size_t c : fetch)
          if (!attrs[c].primary_key) st->expired = true;  // server defaults: loaded later
      }
    }
    a0 = b0;
  }
  }
}

void run_updates_table(SessionImpl& s, const Mapper& m, std::vector<Work::Upd>& ups,
                       std::size_t table);

void run_updates(SessionImpl& s, const Mapper& m, std::vector<Work::Upd>& ups) {
  if (m.tables().size() == 1) {
    run_updates_table(s, m, ups, 0);
    return;
  }
  // Joined-table inheritance: each table's changed columns, in its own UPDATE.
  for (std::size_t t = 0; t < m.tables().size(); ++t) {
    std::vector<Work::Upd> mine;
    for (const auto& u : ups) {
      Work::Upd part{u.st, {}, u.old_version, u.ikey};
      for (std::size_t c : m.tables()[t].attrs)
        if (u.cols.contains(c)) part.cols.push_back(c);
      if (!part.cols.empty()) mine.push_back(std::move(part));
    }
    if (!mine.empty()) run_updates_table(s, m, mine, t);
  }
}

void run_updates_table(SessionImpl& s, const Mapper& m, std::vector<Work::Upd>& ups,
                       std::size_t table) {
  const auto& attrs = m.attributes();
  const Mapper::MapperTable& mt = m.tables()[table];
  // The version counter lives in (and guards) the base table.
  const std::ptrdiff_t ver = table == 0 ? m.version_attr() : -1;
  std::size_t a0 = 0;
  while (a0 < ups.size()) {
    std::size_t b0 = a0 + 1;
    while (b0 < ups.size() && ups[b0].cols == ups[a0].cols) ++b0;
    const std::size_t n = b0 - a0;
    const auto& cols = ups[a0].cols;
    std::vector<ColumnElement> crit;
    for (std::size_t k = 0; k < mt.key_columns.size(); ++k)
      crit.push_back(mt.key_columns[k] == bindparam(pk_param(mt.key_pos[k])));
    if (ver >= 0) crit.push_back(attrs[static_cast<std::size_t>(ver)].column ==
                                 bindparam(kVersionParam));
    Update stmt = update(mt.table).where(and_(std::move(crit)));
    const IdentityBinder ident(m.primary_key().size());
    auto fill = [&](std::size_t i, Params& p) {
      const Work::Upd& u = ups[a0 + i];
      cols.for_each([&](std::size_t c) { attrs[c].ops.put(u.st->obj(), p, attrs[c].key); });
      ident.bind(u.st, p);
      if (ver >= 0) p.set(kVersionParam, Value(u.old_version));
    };
    Result r = s.conn->execute(stmt, n, fill);
    if (r.rowcount() >= 0 && r.rowcount() != static_cast<std::int64_t>(n))
      throw StaleDataError(fmt::format(
          "UPDATE statement on table '{}' expected to update {} row(s); {} were matched.",
          mt.table.name(), n, r.rowcount()));
    a0 = b0;
  }
}

void run_deletes(SessionImpl& s, const Mapper& m, const std::vector<InstanceState*>& dels) {
  if (dels.empty()) return;
  const auto& attrs = m.attributes();
  const auto& pk = m.primary_key();
  // A joined-table subclass's rows: its own tables' first, the base table's last.
  for (std::size_t t = m.tables().size(); t-- > 0;) {
  const Mapper::MapperTable& mt = m.tables()[t];
  const std::ptrdiff_t ver = t == 0 ? m.version_attr() : -1;
  std::vector<ColumnElement> crit;
  for (std::size_t k = 0; k < mt.key_columns.size(); ++k)
    crit.push_back(mt.key_columns[k] == bindparam(pk_param(mt.key_pos[k])));
  if (ver >= 0)
    crit.push_back(attrs[static_cast<std::size_t>(ver)].column == bindparam(kVersionParam));
  Delete stmt = delete_(mt.table).where(and_(std::move(crit)));
  const IdentityBinder ident(pk.size());
  Result r = s.conn->execute(stmt, dels.size(), [&](std::size_t i, Params& p) {
    ident.bind(dels[i], p);
    if (ver >= 0)
      p.set(kVersionParam,
            Value(static_cast<std::int64_t>(dels[i]->snap(static_cast<std::size_t>(ver)))));
  });
  if (ver >= 0 && r.rowcount() >= 0 && r.rowcount() != static_cast<std::int64_t>(dels.size()))
    throw StaleDataError(fmt::format(
        "DELETE statement on table '{}' expected to delete {} row(s); {} were matched.",
        mt.table.name(), dels.size(), r.rowcount()));
  }
}

}  // namespace

void SessionImpl::flush() {
  check_active();
  if (flushing) throw InvalidRequestError("Session is already flushing");
  // What to write, per mapper.
  // Keyed by (dependency order, mapper, 0); the INSERTs of a class hierarchy
  // (mapped subclasses) are one entry (order of its last class, base mapper, 1),
  // so that its objects are inserted in add() order, as SQLAlchemy does.
  std::map<std::tuple<std::size_t, const Mapper*, int>, Work> work;
  auto work_for = [&](const Mapper* m) -> Work& { return work[{m->sort_order(), m, 0}]; };
  auto inserts_for = [&](const Mapper* m) -> std::vector<InstanceState*>& {
    const Mapper& b = m->base_mapper();
    if (b.self_and_descendants().size() == 1) return work_for(m).inserts;
    std::size_t order = 0;
    for (const Mapper* d : b.self_and_descendants()) order = std::max(order, d->sort_order());
    return work[{order, &b, 1}].inserts;
  };
  bool related = !removed.empty() || rel_dirty;
  for (InstanceState* st : pending) related = related || st->mapper->relationship_count() != 0;
  // Cascades and foreign keys from relationships, before anything is decided.
  if (related) sync_relationships(*this, true);
  // The changed objects of class `m` (a hierarchy's objects share the base
  // class's identity map).
  auto updates_of = [&](const Mapper* m, std::vector<Work::Upd>& out) {
    out.clear();
    auto f = maps.find(&m->base_mapper());
    if (f == maps.end()) return;
    const bool family = m->base_mapper().self_and_descendants().size() > 1;
    auto consider = [&](InstanceState* st) {
      if (st->marked_deleted || (family && st->mapper != m)) return;
      const auto& attrs = m->attributes();
      Work::Upd u{st, {}, 0, st->ikey};
      for (std::size_t i = 0; i < attrs.size(); ++i)
        if (st->column_changed(i)) u.cols.push_back(i);
      if (u.cols.empty()) return;
      out.push_back(std::move(u));
    };
    for (auto& [k, st] : f->second.ints) consider(st);
    for (auto& [k, st] : f->second.general) consider(st);
  };
  auto collect = [&] {
    work.clear();
  for (InstanceState* st : pending) inserts_for(st->mapper).push_back(st);
  for (InstanceState* st : to_delete) work_for(st->mapper).deletes.push_back(st);
  std::vector<Work::Upd> ups;
  for (auto& [m, im] : maps) {
    for (const Mapper* cm : m->self_and_descendants()) {
      updates_of(cm, ups);
      if (!ups.empty()) work_for(cm).updates = std::move(ups);
    }
  }
  };
  collect();
  if (work.empty() && !secondary_pending(*this)) return;
  if (!global_session_events()[SessionEvent::before_flush].empty() ||
      !events[SessionEvent::before_flush].empty()) {
    fire(SessionEvent::before_flush);  // listeners may add, change or delete objects
    if (related || !removed.empty()) sync_relationships(*this, true);
    collect();
    if (work.empty() && !secondary_pending(*this)) return;
  }
  // Validators run before any SQL: a rejected value leaves the session as it was.
  for (auto& [key, w] : work) {
    const Mapper& m = *std::get<1>(key);
    for (InstanceState* st : w.inserts)
      if (!st->mapper->validators().empty()) st->mapper->validate(st->obj());
    if (m.validators().empty()) continue;
    for (auto& u : w.updates) {
      const auto cols = u.cols.to_vector();
      m.validate(u.st->obj(), &cols);
    }
  }

  flushing = true;
  Undo undo;
  std::vector<std::pair<InstanceState*, std::vector<std::pair<std::size_t, Value>>>> undo_updates;
  try {
    connection();
    for (auto& [key, w] : work) {
      const Mapper& m = *std::get<1>(key);
      const bool hierarchy_inserts = std::get<2>(key) == 1;
      MapperEventLists& ev = m.events();
      if (related) {
        // Keys generated by the inserts before reach the foreign keys now.
        sync_relationships(*this, false);
        if (!hierarchy_inserts) updates_of(&m, w.updates);
      }
      // One class's objects at a time (a hierarchy's, in runs of one class).
      auto insert_run = [&](const Mapper& rm, const std::vector<InstanceState*>& run) {
        MapperEventLists& rev = rm.events();
        if (!rev[MapperEvent::before_insert].empty())
          for (InstanceState* st : run) rev[MapperEvent::before_insert](rm, *conn, st->obj());
        if (related && rm.relationship_count() != 0) {
          // Self-referential parents before their children, batch by batch.
          auto levels = insert_levels(rm, run);
          for (std::size_t l = 0; l < levels.size(); ++l) {
            if (l > 0) sync_relationships(*this, false);
            run_inserts(*this, rm, levels[l], undo);
          }
        } else {
          run_inserts(*this, rm, run, undo);
        }
        if (!rev[MapperEvent::after_insert].empty())
          for (InstanceState* st : run) rev[MapperEvent::after_insert](rm, *conn, st->obj());
      };
      if (!hierarchy_inserts && !w.inserts.empty()) {
        insert_run(m, w.inserts);
      } else if (!w.inserts.empty()) {
        std::size_t a = 0;
        while (a < w.inserts.size()) {
          std::size_t b = a + 1;
          while (b < w.inserts.size() && w.inserts[b]->mapper == w.inserts[a]->mapper) ++b;
          const std::vector<InstanceState*> run(w.inserts.begin() + static_cast<std::ptrdiff_t>(a),
                                                w.inserts.begin() + static_cast<std::ptrdiff_t>(b));
          if (related && a > 0) sync_relationships(*this, false);
          insert_run(*w.inserts[a]->mapper, run);
          a = b;
        }
      }
      if (!w.updates.empty() && !ev[MapperEvent::before_update].empty()) {
        for (auto& u : w.updates) {
          ev[MapperEvent::before_update](m, *conn, u.st->obj());
          u.cols.clear();  // the listener may have changed more members
          for (std::size_t i = 0; i < m.attributes().size(); ++i)
            if (u.st->column_changed(i)) u.cols.push_back(i);
        }
        std::erase_if(w.updates, [](const Work::Upd& u) { return u.cols.empty(); });
      }
      if (!w.updates.empty()) {
        if (int_identity(m)) {
          auto by_key = [](const Work::Upd& a, const Work::Upd& b) { return a.ikey < b.ikey; };
          if (!std::is_sorted(w.updates.begin(), w.updates.end(), by_key))
            std::sort(w.updates.begin(), w.updates.end(), by_key);
        } else {
          std::sort(w.updates.begin(), w.updates.end(), [](const Work::Upd& a, const Work::Upd& b) {
            return identity_less(a.st, b.st);
          });
        }
        const auto& attrs = m.attributes();
        const std::ptrdiff_t ver = m.version_attr();
        for (auto& u : w.updates) {
          std::vector<std::pair<std::size_t, Value>> saved;
          // onupdate values for the columns the program did not set.
          for (std::size_t i = 0; i < attrs.size(); ++i) {
            const auto& a = attrs[i];
            const auto& od = a.column.impl().onupdate;
            if (!a.has_onupdate || u.cols.contains(i))
              continue;
            if (od.scalar || od.callable) {
              saved.emplace_back(i, a.ops.get(u.st->obj()));
              a.ops.set(u.st->obj(), od.produce());
              u.cols.push_back(i);
            } else {
              u.st->expired = true;  // a SQL onupdate: the new value is loaded later
            }
          }
          if (ver >= 0) {
            const auto v = static_cast<std::size_t>(ver);
            u.old_version = static_cast<std::int64_t>(u.st->snap(v));
            if (!u.cols.contains(v)) {
              saved.emplace_back(v, attrs[v].ops.get(u.st->obj()));
              attrs[v].ops.set(u.st->obj(), Value(u.old_version + 1));
              u.cols.push_back(v);
            }
          }
          if (!saved.empty()) undo_updates.emplace_back(u.st, std::move(saved));
        }
        run_updates(*this, m, w.updates);
        if (!ev[MapperEvent::after_update].empty())
          for (auto& u : w.updates) ev[MapperEvent::after_update](m, *conn, u.st->obj());
      }
    }
    bool secondary = related || !secondary_changes.empty();
    for (const InstanceState* st : to_delete)
      secondary = secondary || st->mapper->relationship_count() != 0;
    if (secondary) flush_secondary(*this);
    for (auto it = work.rbegin(); it != work.rend(); ++it) {
      auto& dels = it->second.deletes;
      std::sort(dels.begin(), dels.end(), identity_less);
      const Mapper& m = *std::get<1>(it->first);
      MapperEventLists& ev = m.events();
      if (!ev[MapperEvent::before_delete].empty())
        for (InstanceState* st : dels) ev[MapperEvent::before_delete](m, *conn, st->obj());
      run_deletes(*this, m, dels);
      if (!ev[MapperEvent::after_delete].empty())
        for (InstanceState* st : dels) ev[MapperEvent::after_delete](m, *conn, st->obj());
    }
  } catch (const std::exception& e) {
    flushing = false;
    undo.run();
    for (auto& [st, saved] : undo_updates)
      for (auto& [i, v] : saved) {
        try {
          st->mapper->attributes()[i].ops.set(st->obj(), v);
        } catch (...) {
        }
      }
    // The whole transaction is rolled back; the session waits for rollback().
    if (conn) {
      try {
        conn->rollback();
      } catch (...) {
      }
    }
    pending_rollback = e.what();
    try {
      fire(SessionEvent::after_rollback);
    } catch (...) {  // the flush's own error is the one to report
    }
    throw;
  }
  flushing = false;

  // Every statement succeeded: now the states change.
  for (auto& [key, w] : work) {
    for (InstanceState* st : w.inserts) {
      identity_from_object(st);
      st->status = Status::persistent;
      st->tx_new = true;
      st->take_snapshot();
      insert_identity(st);
      inserted_in_tx.push_back(st);
    }
    for (auto& u : w.updates) {
      bool key_changed = false;
      for (std::size_t k : std::get<1>(key)->primary_key())
        key_changed = key_changed || u.cols.contains(k);
      if (u.st->has_identity && key_changed) {
        // A changed primary key moves the object in the identity map.
        remove_identity(u.st);
        identity_from_object(u.st);
        insert_identity(u.st);
      }
      // Only the written columns changed their fingerprint. A written column
      // that was unloaded holds the database's value now: loaded.
      const auto& attrs = std::get<1>(key)->attributes();
      u.cols.for_each([&](std::size_t c) {
        u.st->snap(c) = attrs[c].ops.fingerprint(u.st->obj());
        clear_unloaded(u.st, c);
      });
      settle_unloaded(u.st);
    }
    for (InstanceState* st : w.deletes) {
      remove_identity(st);
      st->marked_deleted = false;
      st->status = Status::deleted;
      st->tx_deleted = true;
      deleted_in_tx.push_back(st);
    }
  }
  pending.clear();
  to_delete.clear();
  secondary_changes.clear();
  if (related) relationships_flushed(*this);
  rel_dirty = false;
  fire(SessionEvent::after_flush);
}

}  // namespace alchemy::orm::detail
