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

/// What the ORM knows about one object. For objects the ORM creates it sits in
/// the same allocation, just before the object (allocate_node); for objects the
/// program creates it lives in the foreign-state table (mapper.cpp).
struct InstanceState {
  const Mapper* mapper = nullptr;
  SessionImpl* session = nullptr;
  void* obj = nullptr;
  /// The session's strong reference while the object is attached.
  std::shared_ptr<void> strong;
  /// Identity (primary key) once persistent: `ikey` for a single integer key,
  /// `key` otherwise.
  std::int64_t ikey = 0;
  std::unique_ptr<std::vector<Value>> key;
  /// One fingerprint per mapped column, as last loaded or flushed.
  std::uint64_t* snapshot = nullptr;
  std::unique_ptr<std::uint64_t[]> own_snapshot;  // foreign states
  Status status = Status::transient;
  bool has_identity = false;
  bool expired = false;
  /// session.delete_() called; the DELETE is not flushed yet.
  bool marked_deleted = false;
  bool foreign = false;
  /// Pending since the current transaction began / inserted or deleted in it.
  bool tx_new = false;
  bool tx_deleted = false;

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

/// One mapper's identity map.
struct IdentityMap {
  std::unordered_map<std::int64_t, InstanceState*> ints;
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
  /// Releases the state from this session (detached, or transient without identity).
  void detach(InstanceState* st) noexcept;
  Connection& connection();
  void check_active() const;
  /// flush(): unit_of_work.cpp.
  void flush();
  void after_rollback() noexcept;
};

/// Builds `st`'s identity from the object's primary key members.
void identity_from_object(InstanceState* st);

}  // namespace alchemy::orm::detail
