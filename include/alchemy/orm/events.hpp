// ORM events (SQLAlchemy's MapperEvents and SessionEvents), on the generic
// listener registry of <alchemy/event/registry.hpp>.
//
//   orm::listen<User>(orm::before_insert, [](const orm::Mapper&, Connection&, User& u) {
//     u.created_at = DateTime::utcnow();
//   });
//   orm::listen(orm::after_commit, [](orm::Session&) { std::puts("After Commit"); });
//   orm::listen(session, orm::before_flush, [](orm::Session& s) { ... });   // one session
//
// Mapper events run inside flush(), on the flush's connection, for each object
// of class T: before_* before the statement that writes it (changes the
// listener makes to the object are written), after_* once that statement ran
// (generated keys are set). Session events run for every session (listen
// without a session) or for one. An exception from a listener propagates; in a
// before_/after_ mapper event it fails the flush (the transaction rolls back).
// Registering is thread-safe; register before sessions run for predictability.
#pragma once

#include <type_traits>
#include <utility>

#include "alchemy/event/registry.hpp"
#include "alchemy/orm/session.hpp"

namespace alchemy::orm {

// Mapper event tags: listeners take (const orm::Mapper&, Connection&, T& target).
inline constexpr struct before_insert_t {
} before_insert{};
inline constexpr struct after_insert_t {
} after_insert{};
inline constexpr struct before_update_t {
} before_update{};
inline constexpr struct after_update_t {
} after_update{};
inline constexpr struct before_delete_t {
} before_delete{};
inline constexpr struct after_delete_t {
} after_delete{};

// Session event tags: listeners take (orm::Session&).
inline constexpr struct before_flush_t {
} before_flush{};
inline constexpr struct after_flush_t {
} after_flush{};
inline constexpr struct before_commit_t {
} before_commit{};
inline constexpr struct after_commit_t {
} after_commit{};
inline constexpr struct after_rollback_t {
} after_rollback{};

namespace detail {
using MapperFn = std::function<void(const Mapper&, Connection&, void*)>;
using SessionFn = std::function<void(Session&)>;
enum class MapperEvent { before_insert, after_insert, before_update, after_update, before_delete, after_delete };
enum class SessionEvent { before_flush, after_flush, before_commit, after_commit, after_rollback };
template <class Tag>
constexpr int mapper_event_index() {
  if constexpr (std::is_same_v<Tag, before_insert_t>) return 0;
  else if constexpr (std::is_same_v<Tag, after_insert_t>) return 1;
  else if constexpr (std::is_same_v<Tag, before_update_t>) return 2;
  else if constexpr (std::is_same_v<Tag, after_update_t>) return 3;
  else if constexpr (std::is_same_v<Tag, before_delete_t>) return 4;
  else if constexpr (std::is_same_v<Tag, after_delete_t>) return 5;
  else return -1;
}
template <class Tag>
constexpr int session_event_index() {
  if constexpr (std::is_same_v<Tag, before_flush_t>) return 0;
  else if constexpr (std::is_same_v<Tag, after_flush_t>) return 1;
  else if constexpr (std::is_same_v<Tag, before_commit_t>) return 2;
  else if constexpr (std::is_same_v<Tag, after_commit_t>) return 3;
  else if constexpr (std::is_same_v<Tag, after_rollback_t>) return 4;
  else return -1;
}
ALCHEMY_EXPORT event::ListenerId add_mapper_listener(const Mapper& m, MapperEvent e, MapperFn fn);
ALCHEMY_EXPORT bool remove_mapper_listener(const Mapper& m, MapperEvent e, event::ListenerId id);
/// `session` null: every session.
ALCHEMY_EXPORT event::ListenerId add_session_listener(Session* session, SessionEvent e,
                                                      SessionFn fn);
ALCHEMY_EXPORT bool remove_session_listener(Session* session, SessionEvent e,
                                            event::ListenerId id);
}  // namespace detail

/// A mapper event for class T.
template <class T, class Tag, class Fn>
requires(detail::mapper_event_index<Tag>() >= 0) event::ListenerId listen(Tag, Fn&& fn) {
  static_assert(std::is_invocable_v<Fn&, const Mapper&, Connection&, T&>,
                "alchemy: a mapper event listener takes (const orm::Mapper&, Connection&, T&)");
  return detail::add_mapper_listener(
      mapper_of<T>(), static_cast<detail::MapperEvent>(detail::mapper_event_index<Tag>()),
      [f = std::forward<Fn>(fn)](const Mapper& m, Connection& c, void* obj) mutable {
        f(m, c, *static_cast<T*>(obj));
      });
}
template <class T, class Tag>
requires(detail::mapper_event_index<Tag>() >= 0) bool remove(Tag, event::ListenerId id) {
  return detail::remove_mapper_listener(
      mapper_of<T>(), static_cast<detail::MapperEvent>(detail::mapper_event_index<Tag>()), id);
}

/// A session event for every session.
template <class Tag, class Fn>
requires(detail::session_event_index<Tag>() >= 0) event::ListenerId listen(Tag, Fn&& fn) {
  static_assert(std::is_invocable_v<Fn&, Session&>,
                "alchemy: a session event listener takes (orm::Session&)");
  return detail::add_session_listener(
      nullptr, static_cast<detail::SessionEvent>(detail::session_event_index<Tag>()),
      detail::SessionFn(std::forward<Fn>(fn)));
}
/// A session event for one session.
template <class Tag, class Fn>
requires(detail::session_event_index<Tag>() >= 0) event::ListenerId
    listen(Session& session, Tag, Fn&& fn) {
  static_assert(std::is_invocable_v<Fn&, Session&>,
                "alchemy: a session event listener takes (orm::Session&)");
  return detail::add_session_listener(
      &session, static_cast<detail::SessionEvent>(detail::session_event_index<Tag>()),
      detail::SessionFn(std::forward<Fn>(fn)));
}
template <class Tag>
requires(detail::session_event_index<Tag>() >= 0) bool remove(Tag, event::ListenerId id) {
  return detail::remove_session_listener(
      nullptr, static_cast<detail::SessionEvent>(detail::session_event_index<Tag>()), id);
}
template <class Tag>
requires(detail::session_event_index<Tag>() >= 0) bool remove(Session& s, Tag,
                                                               event::ListenerId id) {
  return detail::remove_session_listener(
      &s, static_cast<detail::SessionEvent>(detail::session_event_index<Tag>()), id);
}

}  // namespace alchemy::orm
