// Private ORM internals: per-object instance state, identity maps and the
// session's bookkeeping. Used by mapper.cpp, session.cpp and unit_of_work.cpp.
#pragma once

#include <array>
#include <cstring>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "alchemy/orm/events.hpp"
#include "alchemy/orm/session.hpp"

namespace alchemy::orm::detail {

struct MapperEventLists {
  std::array<event::ListenerList<const Mapper&, Connection&, void*>, 6> lists;
  event::ListenerList<const Mapper&, Connection&, void*>& operator[](MapperEvent e) {
    return lists[static_cast<std::size_t>(e)];
  }
};
struct SessionEventLists {
  std::array<event::ListenerList<Session&>, 5> lists;
  event::ListenerList<Session&>& operator[](SessionEvent e) {
    return lists[static_cast<std::size_t>(e)];
  }
};
/// Listeners for every session.
SessionEventLists& global_session_events();


enum class Status : std::uint8_t { transient, pending, persistent, deleted, detached };

/// The session's reference to an object: strong ("pinned": pending, deleted,
/// inserted in the open transaction, or created by the program) or weak
/// (persistent objects the ORM created: the program's references keep them,
/// as SQLAlchemy's weak identity map does).
class ObjRef {
 public:
  ObjRef() noexcept { ::new (&w_) std::weak_ptr<void>(); }
  ObjRef(const ObjRef&) = delete;
  ObjRef& operator=(const ObjRef&) = delete;
  ~ObjRef() { clear(); }
  bool pinned() const noexcept { return pinned_; }
  /// Strong references to the object (0 once it is gone or was never watched).
  long use_count() const noexcept { return pinned_ ? s_.use_count() : w_.use_count(); }
  std::shared_ptr<void> lock() const noexcept { return pinned_ ? s_ : w_.lock(); }
  /// Holds `p` strongly.
  void pin(std::shared_ptr<void> p) noexcept {
    std::shared_ptr<void> old = take();
    ::new (&s_) std::shared_ptr<void>(std::move(p));
    pinned_ = true;
  }
  /// Holds `p` weakly.
  void watch(const std::shared_ptr<void>& p) noexcept {
    std::shared_ptr<void> old = take();
    ::new (&w_) std::weak_ptr<void>(p);
  }
  /// Switches to a weak reference; returns the strong one, which the caller
  /// drops once its bookkeeping is done (the object may die with it).
  [[nodiscard]] std::shared_ptr<void> unpin() noexcept {
    if (!pinned_) return nullptr;
    std::shared_ptr<void> strong = take();
    ::new (&w_) std::weak_ptr<void>(strong);
    return strong;
  }
  /// Drops the reference; returns it (strong, if it was) for the caller to drop last.
  [[nodiscard]] std::shared_ptr<void> release() noexcept {
    std::shared_ptr<void> strong = take();
    ::new (&w_) std::weak_ptr<void>();
    return strong;
  }

 private:
  // Leaves the union destroyed; the caller constructs the next member.
  std::shared_ptr<void> take() noexcept {
    std::shared_ptr<void> out;
    if (pinned_) {
      out = std::move(s_);
      s_.~shared_ptr();
      pinned_ = false;
    } else {
      out = w_.lock();
      w_.~weak_ptr();
    }
    return out;
  }
  void clear() noexcept {
    if (pinned_) {
      s_.~shared_ptr();
    } else {
      w_.~weak_ptr();
    }
  }
  union {
    std::shared_ptr<void> s_;
    std::weak_ptr<void> w_;
  };
  bool pinned_ = false;
};

/// Bytes a node reserves for the std::shared_ptr control block, right before
/// the state (mapping.hpp places the block there).
inline constexpr std::size_t kCtrlSpace = kNodeCtrlSpace;

/// What the ORM knows about one object. For objects the ORM creates it sits in
/// the same allocation, just before the object (allocate_node); for objects the
/// program creates it lives in the foreign-state table (mapper.cpp). Either way
/// the memory around it is
///   [snapshot[n-1] ... snapshot[0] | control block space | state | object]
/// (a foreign state has a pointer to its object where a node has the object),
/// so the state finds its object, snapshot and control block at fixed offsets.
/// 48 bytes on 64-bit targets: flags share the reference's tail padding and the
/// integer identity shares its word with the pointer to a general one.
struct alignas(16) InstanceState {
  InstanceState() noexcept : ikey(0) {}
  InstanceState(const InstanceState&) = delete;
  InstanceState& operator=(const InstanceState&) = delete;
  ~InstanceState() { reset_key(); }

  const Mapper* mapper = nullptr;
  SessionImpl* session = nullptr;
  /// The session's reference while the object is attached. The flags below
  /// live in its tail padding.
  [[no_unique_address]] ObjRef ref;
  Status status = Status::transient;
  bool has_identity : 1 = false;
  bool expired : 1 = false;
  /// session.delete_() called; the DELETE is not flushed yet.
  bool marked_deleted : 1 = false;
  bool foreign : 1 = false;
  /// Pending since the current transaction began / inserted or deleted in it.
  bool tx_new : 1 = false;
  bool tx_deleted : 1 = false;
  /// The autoincrement key came from the database in the open transaction.
  bool generated_key : 1 = false;
  /// Rolled back: the next load overwrites every member (changes made before
  /// the rollback are discarded, as SQLAlchemy discards them).
  bool reload_all : 1 = false;
  /// The node has the unloaded-column mask words after its snapshot (fixed at
  /// allocation; see Mapper::mask_words()).
  bool has_mask : 1 = false;
  /// Some bit of the mask is set: a column is unloaded (deferral.cpp).
  bool partial : 1 = false;

  bool general_key_ = false;  // key_ is the live member of the union below
  union {
    /// Identity (primary key) once persistent, for a single integer key;
    /// key() otherwise.
    std::int64_t ikey;
    std::vector<Value>* key_;
  };

  /// The identity when it is not a single integer (null otherwise).
  const std::vector<Value>* key() const noexcept { return general_key_ ? key_ : nullptr; }
  void set_key(std::vector<Value> k) {
    auto* v = new std::vector<Value>(std::move(k));
    reset_key();
    key_ = v;
    general_key_ = true;
  }
  void set_ikey(std::int64_t k) noexcept {
    reset_key();
    ikey = k;
  }
  void reset_key() noexcept {
    if (general_key_) delete key_;
    general_key_ = false;
    ikey = 0;
  }

  /// The object: right after a node's state, or where a foreign state points.
  void* obj() const noexcept {
    auto* after = const_cast<InstanceState*>(this + 1);
    if (!foreign) return after;
    void* o;
    std::memcpy(&o, after, sizeof(void*));
    return o;
  }
  /// Column i's fingerprint as last loaded or flushed (stored downwards from
  /// the control block space, so no column count is needed to find it).
  std::uint64_t& snap(std::size_t i) noexcept {
    return reinterpret_cast<std::uint64_t*>(reinterpret_cast<unsigned char*>(this) -
                                            kCtrlSpace)[-1 - static_cast<std::ptrdiff_t>(i)];
  }
  std::uint64_t snap(std::size_t i) const noexcept {
    return const_cast<InstanceState*>(this)->snap(i);
  }
  std::vector<Value> identity() const;
  void take_snapshot() noexcept;
  bool modified() const;
  bool column_changed(std::size_t i) const;
};
static_assert(sizeof(InstanceState) % 16 == 0, "the object after a node's state stays aligned");
static_assert(sizeof(void*) != 8 || sizeof(InstanceState) == 48, "flags no longer pack");

/// Word w of the unloaded-column mask (only when st->has_mask).
inline std::uint64_t& mask_word(InstanceState* st, std::size_t w) noexcept {
  return st->snap(st->mapper->snapshot_size() + w);
}
/// Column i was left out of a load and not loaded or assigned since.
inline bool column_unloaded(const InstanceState* st, std::size_t i) noexcept {
  return st->partial && ((mask_word(const_cast<InstanceState*>(st), i / 64) >> (i % 64)) & 1U) != 0;
}
/// Marks column i unloaded (the node must have the mask: has_mask).
inline void set_unloaded(InstanceState* st, std::size_t i) noexcept {
  if (!st->partial) {
    for (std::size_t w = 0; w < st->mapper->mask_words(); ++w) mask_word(st, w) = 0;
    st->partial = true;
  }
  mask_word(st, i / 64) |= std::uint64_t{1} << (i % 64);
}
inline void clear_unloaded(InstanceState* st, std::size_t i) noexcept {
  if (st->partial) mask_word(st, i / 64) &= ~(std::uint64_t{1} << (i % 64));
}
/// Clears `partial` when no bit is left.
inline void settle_unloaded(InstanceState* st) noexcept {
  if (!st->partial) return;
  for (std::size_t w = 0; w < st->mapper->mask_words(); ++w)
    if (mask_word(st, w) != 0) return;
  st->partial = false;
}

/// Whether the mapper's identity is one integer column (the fast identity map).
inline bool int_identity(const Mapper& m) {
  return m.primary_key().size() == 1 &&
         m.attributes()[m.primary_key()[0]].column.type()->is_integer();
}

struct ValueVecHash {
  std::size_t operator()(const std::vector<Value>& k) const noexcept;
};

/// The identity map for single integer keys: open addressing with linear
/// probing, one 16-byte slot per entry (no allocation per object). The subset
/// of std::unordered_map's interface the session uses.
///
/// Keys start out placed at their own value modulo the table size: rows come
/// back in key order far more often than not, and then the table fills like an
/// array, one cache line per four objects instead of a cache miss per object.
/// Keys that collide under that placement (strided or widely spread keys) make
/// long probe runs; the first probe longer than kMaxRun switches the table to a
/// multiplicative mix for good, so the worst case is that of an ordinary hash
/// table plus one rehash.
class IntIdentityMap {
 public:
  struct Slot {
    std::int64_t first = 0;
    InstanceState* second = nullptr;  // null: empty; tombstone(): erased
  };
  class iterator {
   public:
    iterator(Slot* p, Slot* end) : p_(p), end_(end) { skip(); }
    Slot& operator*() const { return *p_; }
    Slot* operator->() const { return p_; }
    iterator& operator++() {
      ++p_;
      skip();
      return *this;
    }
    bool operator==(const iterator& o) const { return p_ == o.p_; }

   private:
    void skip() {
      while (p_ != end_ && (p_->second == nullptr || p_->second == tombstone())) ++p_;
    }
    Slot* p_;
    Slot* end_;
  };
  iterator begin() { return {slots_.data(), slots_.data() + slots_.size()}; }
  iterator end() { return {slots_.data() + slots_.size(), slots_.data() + slots_.size()}; }
  std::size_t size() const noexcept { return size_; }
  iterator find(std::int64_t key) {
    if (slots_.empty()) return end();
    const std::size_t mask = slots_.size() - 1;
    std::size_t run = 0;
    for (std::size_t i = home(key) & mask;; i = (i + 1) & mask, ++run) {
      Slot& s = slots_[i];
      if (s.second == nullptr) break;
      if (s.second != tombstone() && s.first == key) {
        if (run > kMaxRun) long_run_ = true;
        return {&s, slots_.data() + slots_.size()};
      }
    }
    if (run > kMaxRun) long_run_ = true;
    return end();
  }
  void emplace(std::int64_t key, InstanceState* v) { (*this)[key] = v; }
  InstanceState*& operator[](std::int64_t key) {
    if (full(used_ + 1)) {
      grow();
    } else if (long_run_ && !mixed_) {
      switch_to_mix();
    }
    for (;;) {
      Slot* at = probe(key);
      if (at != nullptr) return at->second;
      // A run longer than kMaxRun under the identity placement.
      switch_to_mix();
    }
  }
  void erase(iterator it) {
    it->second = tombstone();
    --size_;
  }
  /// Gives back a slot operator[] created for a value that was never stored.
  void abandon(InstanceState** slot) noexcept {
    *slot = tombstone();
    --size_;
  }
  void clear() {
    slots_.clear();
    size_ = used_ = 0;
    mixed_ = long_run_ = false;
  }
  /// Whether keys are placed by the mix (tests and diagnostics).
  bool mixed() const noexcept { return mixed_; }

 private:
  static constexpr std::size_t kMaxRun = 32;
  static InstanceState* tombstone() noexcept {
    return reinterpret_cast<InstanceState*>(static_cast<std::uintptr_t>(1));
  }
  std::size_t home(std::int64_t k) const noexcept {
    auto z = static_cast<std::uint64_t>(k);
    if (!mixed_) return static_cast<std::size_t>(z);
    z *= 0x9e3779b97f4a7c15ULL;
    return static_cast<std::size_t>(z ^ (z >> 29));
  }
  // The key's slot, claimed (and counted) if the key is new; null when the
  // identity placement met a run longer than kMaxRun.
  Slot* probe(std::int64_t key) {
    const std::size_t mask = slots_.size() - 1;
    Slot* grave = nullptr;
    std::size_t run = 0;
    for (std::size_t i = home(key) & mask;; i = (i + 1) & mask, ++run) {
      if (run > kMaxRun && !mixed_) return nullptr;
      Slot& s = slots_[i];
      if (s.second == nullptr) {
        Slot* at = grave ? grave : &s;
        if (!grave) ++used_;
        ++size_;
        at->first = key;
        at->second = nullptr;
        return at;
      }
      if (s.second == tombstone()) {
        // The key's own grave: it cannot live further on (a re-insert takes
        // the first grave of its path), so reuse it.
        if (s.first == key) {
          ++size_;
          s.second = nullptr;
          return &s;
        }
        if (!grave) grave = &s;
      } else if (s.first == key) {
        return &s;
      }
    }
  }
  // Keys in identity placement only collide when their span exceeds the table
  // (and then runs grow and the table switches to the mix): it may fill up to
  // 63/64. Mixed placement keeps linear probing's usual 3/4.
  bool full(std::size_t used) const noexcept {
    return mixed_ ? used * 4 >= slots_.size() * 3 : used * 64 >= slots_.size() * 63;
  }
  void grow() {
    std::size_t cap = slots_.empty() ? 16 : slots_.size();
    if (size_ * 2 >= cap) cap *= 2;  // otherwise tombstones are the load: rehash in place
    rehash(cap);
  }
  void switch_to_mix() {
    mixed_ = true;
    std::size_t cap = slots_.size();
    while (size_ * 4 >= cap * 3) cap *= 2;
    rehash(cap);
  }
  void rehash(std::size_t cap) {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t size_before = size_;
    for (;;) {
      slots_.assign(cap, Slot{});
      size_ = used_ = 0;
      long_run_ = false;
      bool ok = true;
      for (const Slot& s : old) {
        if (s.second == nullptr || s.second == tombstone()) continue;
        Slot* at = probe(s.first);
        if (at == nullptr) {
          ok = false;
          break;
        }
        at->second = s.second;
      }
      if (ok) return;
      mixed_ = true;
      while (size_before * 4 >= cap * 3) cap *= 2;
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t used_ = 0;  // live + tombstones
  bool mixed_ = false;     // keys placed by the multiplicative mix
  bool long_run_ = false;  // find() met a long run: mix at the next insert
};

/// One mapper's identity map.
struct IdentityMap {
  IntIdentityMap ints;
  std::unordered_map<std::vector<Value>, InstanceState*, ValueVecHash> general;
  std::size_t size() const noexcept { return ints.size() + general.size(); }
};

struct SessionImpl {
  SessionImpl(Engine e, SessionOptions o) : engine(std::move(e)), options(o) {}
  Engine engine;
  SessionOptions options;
  Session* owner = nullptr;
  std::optional<Connection> conn;
  bool explicit_tx = false;
  /// A failed flush rolled the transaction back; its message, until rollback().
  std::optional<std::string> pending_rollback;
  bool flushing = false;
  /// Autoflush is off (a lazy load with nothing structural to flush).
  bool no_autoflush = false;
  /// A relationship of an attached object changed since the last flush.
  bool rel_dirty = false;
  /// Pending objects in add() order.
  std::vector<InstanceState*> pending;
  /// Objects marked for deletion, in delete_() order.
  std::vector<InstanceState*> to_delete;
  /// Flushed DELETEs of the current transaction (detached at commit, restored at rollback).
  std::vector<InstanceState*> deleted_in_tx;
  /// Flushed INSERTs of the current transaction (expunged at rollback).
  std::vector<InstanceState*> inserted_in_tx;
  std::unordered_map<const Mapper*, IdentityMap> maps;
  /// Listeners of this session only.
  SessionEventLists events;
  /// Fires `e` for every-session listeners, then this session's.
  void fire(SessionEvent e) {
    auto& g = global_session_events()[e];
    if (!g.empty()) g(*owner);
    auto& mine = events[e];
    if (!mine.empty()) mine(*owner);
  }
  /// Objects removed from a collection / reference (child, relationship) since
  /// the last flush: orphans are deleted or their foreign key nulled.
  std::vector<std::pair<std::shared_ptr<void>, const RelationshipProperty*>> removed;
  /// Many-to-many changes of persistent objects since the last flush: rows of
  /// the association table to insert (add) or delete.
  struct SecondaryChange {
    std::shared_ptr<void> parent, child;
    InstanceState* parent_state;
    const RelationshipProperty* rel;
    bool add;
  };
  std::vector<SecondaryChange> secondary_changes;
  /// Objects loaded without some of their class's columns (a base-class query
  /// of a joined-table subclass), from attribute `first` on; run_polymorphic_loads.
  struct PolyLoad {
    std::shared_ptr<void> obj;
    InstanceState* st;
    std::size_t first;
    bool overwrite;  // a new object, or reload_all: every member takes the row
  };
  std::vector<PolyLoad> poly_loads;
  /// bulk_save_objects: objects to write without attaching them.
  std::vector<std::pair<const Mapper*, const void*>> bulk;

  IdentityMap& map_for(const Mapper* m) { return maps[m]; }
  InstanceState* lookup(const Mapper& m, const std::vector<Value>& pk);
  void insert_identity(InstanceState* st);
  void remove_identity(InstanceState* st);
  /// Releases the state from this session (detached, or transient without
  /// identity); returns the session's strong reference for the caller to drop last.
  [[nodiscard]] std::shared_ptr<void> detach(InstanceState* st) noexcept;
  /// The session's reference stops keeping the object alive (objects the ORM
  /// created); returns it for the caller to drop last.
  [[nodiscard]] std::shared_ptr<void> unpin(InstanceState* st) noexcept {
    return st->foreign ? nullptr : st->ref.unpin();
  }
  /// Called when the last reference to an unpinned object goes: forget it, or,
  /// if it has unflushed changes, keep them in a copy the session holds.
  void released(InstanceState* st) noexcept;
  Connection& connection();
  void check_active() const;
  /// flush(): unit_of_work.cpp.
  void flush();
  void after_rollback() noexcept;
};

/// Builds `st`'s identity from the object's primary key members.
void identity_from_object(InstanceState* st);

// ---- relationships (relationships.cpp) ----

/// The cycle collector's words in a state of a class with relationships
/// (after the column fingerprints): its tracker and its index there.
inline void*& gc_tracker_slot(InstanceState* st) noexcept {
  return reinterpret_cast<void*&>(st->snap(st->mapper->attributes().size()));
}
inline std::uint64_t& gc_index_slot(InstanceState* st) noexcept {
  return st->snap(st->mapper->attributes().size() + 1);
}
/// Connects the relationship members of `obj` to its state and tracks it.
void instrument_state(InstanceState* st);
/// Forgets a state of a class with relationships (its object is going).
void untrack(InstanceState* st) noexcept;
/// Expiry of an object's relationships: they load again on next use (the
/// objects they hold stay until then); `all` includes ones the program changed.
void expire_relationships(InstanceState* st, bool all) noexcept;
/// Marks every relationship of a freshly loaded object unloaded.
void unload_relationships(InstanceState* st) noexcept;
/// Runs the cycle collector when the tracked objects doubled since its last run.
void maybe_collect() noexcept;
/// save-update cascade of one related object into `s` (no-op when it is in a session).
void attach_related(SessionImpl& s, const RelationshipProperty& p,
                    const std::shared_ptr<void>& obj);
/// save-update cascade from `st` (just added): related objects join the session.
void cascade_add(SessionImpl& s, InstanceState* st);
/// Makes `obj` (state `st`) pending or persistent in `s` (Session::add's work).
void attach(SessionImpl& s, InstanceState* st, std::shared_ptr<void> obj);
/// Before a flush: cascades and foreign keys from changed relationships;
/// returns whether anything was changed.
void sync_relationships(SessionImpl& s, bool final_pass);
/// New objects of `m` in the order their self-referential parents need:
/// batches, each after the ones it depends on. FlushError for a cycle.
std::vector<std::vector<InstanceState*>> insert_levels(const Mapper& m,
                                                       const std::vector<InstanceState*>& states);
/// After a successful flush: relationships count as unchanged.
void relationships_flushed(SessionImpl& s) noexcept;
/// Writes the association table rows of many-to-many relationships: rows
/// removed and those of deleted objects first, then the new ones (after the
/// INSERTs of both sides, before the DELETEs). Whether there was anything.
bool flush_secondary(SessionImpl& s);
/// Whether the flush has association rows to write.
bool secondary_pending(const SessionImpl& s);
/// Session::delete_(): the delete cascade to related objects (loading
/// unloaded collections unless passive_deletes); one-to-many collections
/// without it are loaded too, so that the flush can null their foreign keys.
void cascade_delete(Session& session, InstanceState* st);
/// The objects in loaded relationships of `st` whose cascade has `flag`
/// (RelationshipProperty::expunge, refresh_expire, ...), in st's session.
std::vector<std::pair<InstanceState*, std::shared_ptr<void>>> cascade_targets(
    InstanceState* st, bool RelationshipProperty::*flag);
/// Session::merge(): merges the objects in `src`'s loaded relationships with
/// merge cascade and puts the merged ones in `target`'s. `memo`: objects
/// merged so far in this merge() (cycles).
struct MergeMemo {
  std::unordered_map<const void*, std::shared_ptr<void>> done;
};
void cascade_merge(Session& session, const Mapper& m, const void* src,
                   const std::shared_ptr<void>& target, MergeMemo& memo);
/// Eager loads (selectin, joined) for objects a query returned.
/// What loading rows of one entity needs, worked out once per statement.
struct PolyPlan;
struct LoadPlan {
  LoadPlan(SessionImpl& s, const Mapper& mapper, const std::vector<std::size_t>& columns)
      : m(&mapper),
        im(&s.map_for(&mapper.base_mapper())),
        int_key(int_identity(mapper)),
        polymorphic(mapper.polymorphic()),
        idx(&columns) {
    for (std::size_t c : columns) partial = partial || c == kNotLoaded;
  }
  /// An attribute whose column the row does not have (deferred in this load).
  static constexpr std::size_t kNotLoaded = static_cast<std::size_t>(-1);
  const Mapper* m;
  /// The identity map of the hierarchy (keyed by the base mapper).
  IdentityMap* im;
  bool int_key;
  /// Rows may be of subclasses (load_row_polymorphic).
  bool polymorphic;
  /// Some attribute is kNotLoaded: new objects record unloaded columns.
  bool partial = false;
  /// Where each attribute's column is in the row (owned by the caller).
  const std::vector<std::size_t>* idx;
  /// For polymorphic plans: where each subclass's columns are (prepare_polymorphic);
  /// null: only the queried class's columns are in the row.
  const PolyPlan* poly = nullptr;
};

// ---- column deferral (deferral.cpp) ----

/// Which attributes of each entity a load leaves out (1 = loaded, per
/// attribute); empty when every entity loads every column (the common case,
/// decided without allocating). Raises ArgumentError for column options that
/// name no entity or an unmapped member (`check`).
std::vector<std::vector<char>> column_plans(const std::vector<const Mapper*>& mappers,
                                            const std::vector<LoaderOption>* options);
/// An object already in the identity map met a row again while expired or
/// with unloaded columns: fills in what the row has (load_row's slow path).
void refill(InstanceState* st, const LoadPlan& plan, const Row& row);
/// Loads a new object's columns from a partial row, recording the left-out ones.
void load_partial(InstanceState* st, const LoadPlan& plan, const Row& row);
/// Loads attributes `attrs` of `st` by primary key; `overwrite`: the program's
/// changes to them are discarded (refresh), else kept. ObjectDeletedError when
/// the row is gone.
void load_attributes(SessionImpl& s, InstanceState* st, const std::vector<std::size_t>& attrs,
                     bool overwrite);
/// refresh(): loads what a default query loads plus the deferred columns
/// already loaded, discarding the program's changes to them.
void refresh_all(SessionImpl& s, InstanceState* st);
/// Connects orm::Deferred members of `st`'s object to it.
void instrument_deferred(InstanceState* st) noexcept;
/// inspect(obj).unloaded.
std::vector<std::string> unloaded_keys(const InstanceState* st);

/// Loads one entity from `row` (session.cpp).
/// `state`, when given, receives the object's state.
std::shared_ptr<void> load_row(SessionImpl& s, const LoadPlan& plan, const Row& row,
                               InstanceState** state = nullptr);

// ---- inheritance (inheritance.cpp) ----

inline constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);
/// Where the columns of each class of a queried hierarchy are in a statement's rows.
struct PolyPlan {
  std::vector<std::pair<const Mapper*, std::vector<std::size_t>>> per;
  /// The discriminator's position, or kNoColumn.
  std::size_t disc = kNoColumn;
  const std::vector<std::size_t>* positions(const Mapper* m) const noexcept {
    for (const auto& [pm, v] : per)
      if (pm == m) return &v;
    return nullptr;
  }
};
/// Finds the columns of the queried class's subclasses in the rows of `stmt`
/// (by column for Core selects, by name otherwise) and points plan.poly at `out`.
void prepare_polymorphic(LoadPlan& plan, const Executable& stmt,
                         const std::vector<std::string>& keys, PolyPlan& out);
/// load_row for polymorphic plans: the class from the discriminator; columns
/// the row lacks are loaded by run_polymorphic_loads().
std::shared_ptr<void> load_row_polymorphic(SessionImpl& s, const LoadPlan& plan, const Row& row,
                                           InstanceState** state);
/// The follow-up SELECTs of subclass columns for the objects loaded without
/// them (SQLAlchemy's selectin_polymorphic): one per class, keys IN chunks.
void run_polymorphic_loads(SessionImpl& s);
/// get() of a polymorphic class.
std::shared_ptr<void> get_polymorphic(SessionImpl& s, const Mapper& m, const Params& params);
/// Sets the discriminator member to the class's polymorphic_identity.
void set_polymorphic_identity(InstanceState* st);
/// Where each entity's columns are in rows with these keys; `plans` (from
/// column_plans(), may be empty) says which columns may be missing (kNotLoaded).
std::vector<std::vector<std::size_t>> column_positions(
    const std::vector<std::string>& keys, const std::vector<const Mapper*>& mappers,
    const std::vector<std::vector<char>>& plans = {});
/// Session::load_objects for entities with relationships (relationships.cpp).
void load_with_relationships(Session& session, const std::vector<const Mapper*>& mappers,
                             const Executable& stmt, const Params& params, const ObjectSink& sink,
                             const std::vector<LoaderOption>* options);
/// get(): the relationships of a freshly loaded object whose default strategy
/// is eager (lazy=selectin / joined / subquery) load now.
void load_default_eager(Session& session, InstanceState* st);
/// Raises ArgumentError for options naming no relationship of the entities.
void check_options(const std::vector<const Mapper*>& mappers,
                   const std::vector<LoaderOption>& options);

}  // namespace alchemy::orm::detail
