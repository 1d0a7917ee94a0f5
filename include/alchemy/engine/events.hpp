// Engine and pool events (SQLAlchemy's PoolEvents and ConnectionEvents).
//
//   alchemy::event::listen(engine, alchemy::event::connect,
//       [](alchemy::DBAPIConnection& dbapi, alchemy::ConnectionRecord&) {
//         dbapi.exec("PRAGMA foreign_keys=ON");
//       });
//
// Each event is a tag object; listen() checks the listener's signature at
// compile time. Listeners run on the thread that triggered the event, in
// registration order; an exception from a listener propagates to the caller
// (for `checkout`, DisconnectionError makes the pool discard the connection
// and try another). listen() returns an id for remove().
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "alchemy/engine/engine.hpp"
#include "alchemy/event/registry.hpp"
#include "alchemy/exc.hpp"

namespace alchemy {

/// What the cursor-execute events see of one execution.
struct ALCHEMY_EXPORT CursorExecuteContext {
  /// The SQL as sent to the driver.
  std::string_view statement;
  /// The parameters in driver order (single execution).
  std::span<const Value* const> parameters;
  /// The parameter sets (executemany), else nullptr.
  const ParamBatch* batch = nullptr;
  bool executemany = false;
  /// after_cursor_execute only: time spent in the driver.
  std::chrono::nanoseconds elapsed{0};
  /// The parameters rendered as in log lines (truncated for big batches).
  std::string parameters_repr() const;
};

/// What handle_error listeners see (SQLAlchemy's ExceptionContext).
struct ExceptionContext {
  /// The connection, when the error happened on one.
  Connection* connection = nullptr;
  std::string_view statement;
  std::string parameters;
  /// The error alchemy is about to raise; a listener may throw another instead.
  const SQLAlchemyError* sqlalchemy_exception = nullptr;
  /// Whether the error means the connection is gone; listeners may change it.
  bool is_disconnect = false;
  /// On a disconnect, also recycle the pool's other connections (default true).
  bool invalidate_pool_on_disconnect = true;
};

namespace event {

// Event tags. Signatures are those of the listeners.
/// Pool: a new DBAPI connection was opened: (DBAPIConnection&, ConnectionRecord&).
inline constexpr struct connect_t {
} connect{};
/// Pool: a connection is handed out: (DBAPIConnection&, ConnectionRecord&).
inline constexpr struct checkout_t {
} checkout{};
/// Pool: a connection came back (already reset): (DBAPIConnection*, ConnectionRecord&);
/// the pointer is null when the connection was invalidated.
inline constexpr struct checkin_t {
} checkin{};
/// Before the driver executes: (Connection&, const CursorExecuteContext&).
inline constexpr struct before_cursor_execute_t {
} before_cursor_execute{};
/// After the driver executed: (Connection&, const CursorExecuteContext&).
inline constexpr struct after_cursor_execute_t {
} after_cursor_execute{};
/// A statement failed: (ExceptionContext&).
inline constexpr struct handle_error_t {
} handle_error{};
/// Transaction boundaries: (Connection&).
inline constexpr struct begin_t {
} begin{};
inline constexpr struct commit_t {
} commit{};
inline constexpr struct rollback_t {
} rollback{};

using ConnectFn = std::function<void(DBAPIConnection&, ConnectionRecord&)>;
using CheckinFn = std::function<void(DBAPIConnection*, ConnectionRecord&)>;
using CursorFn = std::function<void(Connection&, const CursorExecuteContext&)>;
using ErrorFn = std::function<void(ExceptionContext&)>;
using TxFn = std::function<void(Connection&)>;

namespace detail {
ALCHEMY_EXPORT ListenerId add(const Engine& e, connect_t, ConnectFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, checkout_t, ConnectFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, checkin_t, CheckinFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, before_cursor_execute_t, CursorFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, after_cursor_execute_t, CursorFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, handle_error_t, ErrorFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, begin_t, TxFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, commit_t, TxFn fn);
ALCHEMY_EXPORT ListenerId add(const Engine& e, rollback_t, TxFn fn);
ALCHEMY_EXPORT bool remove(const Engine& e, connect_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, checkout_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, checkin_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, before_cursor_execute_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, after_cursor_execute_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, handle_error_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, begin_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, commit_t, ListenerId id);
ALCHEMY_EXPORT bool remove(const Engine& e, rollback_t, ListenerId id);
}  // namespace detail

/// Registers `fn` for `event` on `engine` (and its pool). Returns its id.
template <class Tag, class Fn>
ListenerId listen(const Engine& engine, Tag event, Fn&& fn) {
  if constexpr (std::is_same_v<Tag, connect_t> || std::is_same_v<Tag, checkout_t>) {
    static_assert(std::is_invocable_v<Fn&, DBAPIConnection&, ConnectionRecord&>,
                  "a connect/checkout listener takes (alchemy::DBAPIConnection&, "
                  "alchemy::ConnectionRecord&)");
    return detail::add(engine, event, ConnectFn(std::forward<Fn>(fn)));
  } else if constexpr (std::is_same_v<Tag, checkin_t>) {
    static_assert(std::is_invocable_v<Fn&, DBAPIConnection*, ConnectionRecord&>,
                  "a checkin listener takes (alchemy::DBAPIConnection*, alchemy::ConnectionRecord&)");
    return detail::add(engine, event, CheckinFn(std::forward<Fn>(fn)));
  } else if constexpr (std::is_same_v<Tag, before_cursor_execute_t> ||
                       std::is_same_v<Tag, after_cursor_execute_t>) {
    static_assert(std::is_invocable_v<Fn&, Connection&, const CursorExecuteContext&>,
                  "a before/after_cursor_execute listener takes (alchemy::Connection&, const "
                  "alchemy::CursorExecuteContext&)");
    return detail::add(engine, event, CursorFn(std::forward<Fn>(fn)));
  } else if constexpr (std::is_same_v<Tag, handle_error_t>) {
    static_assert(std::is_invocable_v<Fn&, ExceptionContext&>,
                  "a handle_error listener takes (alchemy::ExceptionContext&)");
    return detail::add(engine, event, ErrorFn(std::forward<Fn>(fn)));
  } else {
    static_assert(std::is_invocable_v<Fn&, Connection&>,
                  "a begin/commit/rollback listener takes (alchemy::Connection&)");
    return detail::add(engine, event, TxFn(std::forward<Fn>(fn)));
  }
}

/// Unregisters the listener `id` for `event`; returns whether it was registered.
template <class Tag>
bool remove(const Engine& engine, Tag event, ListenerId id) {
  return detail::remove(engine, event, id);
}

}  // namespace event
}  // namespace alchemy
