// Private ORM internals: per-object instance state, identity maps and the
// session's bookkeeping. Used by mapper.cpp, session.cpp and unit_of_work.cpp.
#pragma once

#include <array>
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

/// What the ORM knows about one object. For objects the ORM creates it sits in
/// the same allocation, just before the object (allocate_node); for objects the
/// program creates it lives in the foreign-state table (mapper.cpp).
struct InstanceState {
  const Mapper* mapper = nullptr;
  SessionImpl* session = nullptr;
  void* obj = nullptr;
  /// The session's reference while the object is attached. The flags below
  /// live in its tail padding.
  [[no_unique_address]] ObjRef ref;
  Status status = Status::transient;
  bool has_identity = false;
  bool expired = false;
  /// session.delete_() called; the DELETE is not flushed yet.
  bool marked_deleted = false;
  bool foreign = false;
  /// Pending since the current transaction began / inserted or deleted in it.
  bool tx_new = false;
  bool tx_deleted = false;
  /// The autoincrement key came from the database in the open transaction.
  bool generated_key = false;
  /// Rolled back: the next load overwrites every member (changes made before
  /// the rollback are discarded, as SQLAlchemy discards them).
  bool reload_all = false;
  /// Identity (primary key) once persistent: `ikey` for a single integer key,
  /// `key` otherwise.
  std::int64_t ikey = 0;
  std::unique_ptr<std::vector<Value>> key;

  /// One fingerprint per mapped column, as last loaded or flushed: stored
  /// right after the state (nodes and foreign states alike).
  std::uint64_t* snapshot() noexcept { return reinterpret_cast<std::uint64_t*>(this + 1); }
  const std::uint64_t* snapshot() const noexcept {
    return reinterpret_cast<const std::uint64_t*>(this + 1);
  }
  std::vector<Value> identity() const;
  void take_snapshot() noexcept;
  bool modified() const;
  bool column_changed(std::size_t i) const;
};

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
    for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.second == nullptr) return end();
      if (s.second != tombstone() && s.first == key)
        return {&s, slots_.data() + slots_.size()};
    }
  }
  void emplace(std::int64_t key, InstanceState* v) { (*this)[key] = v; }
  InstanceState*& operator[](std::int64_t key) {
    if ((used_ + 1) * 4 >= slots_.size() * 3) grow();
    const std::size_t mask = slots_.size() - 1;
    Slot* grave = nullptr;
    for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.second == nullptr) {
        Slot* at = grave ? grave : &s;
        if (!grave) ++used_;
        ++size_;
        at->first = key;
        at->second = nullptr;
        return at->second;
      }
      if (s.second == tombstone()) {
        // The key's own grave: it cannot live further on (a re-insert takes
        // the first grave of its path), so reuse it.
        if (s.first == key) {
          ++size_;
          s.second = nullptr;
          return s.second;
        }
        if (!grave) grave = &s;
      } else if (s.first == key) {
        return s.second;
      }
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
  }

 private:
  static InstanceState* tombstone() noexcept {
    return reinterpret_cast<InstanceState*>(static_cast<std::uintptr_t>(1));
  }
  // A multiplicative mix: sequential ids spread over the table, so linear
  // probing never meets long runs (a locality-preserving hash made runs as
  // long as the table and probes quadratic).
  static std::size_t hash(std::int64_t k) noexcept {
    auto z = static_cast<std::uint64_t>(k) * 0x9e3779b97f4a7c15ULL;
    return static_cast<std::size_t>(z ^ (z >> 29));
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    std::size_t cap = old.empty() ? 16 : old.size();
    if (size_ * 2 >= cap) cap *= 2;  // otherwise tombstones are the load: rehash in place
    slots_.assign(cap, Slot{});
    size_ = used_ = 0;
    for (const Slot& s : old)
      if (s.second != nullptr && s.second != tombstone()) (*this)[s.first] = s.second;
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::size_t used_ = 0;  // live + tombstones
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

}  // namespace alchemy::orm::detail
