// Engine and create_engine(): the starting point of every program.
//
// An Engine owns a dialect and a connection pool. Create one per database per
// process and share it: copies of an Engine are cheap handles to the same pool,
// and every method is thread-safe.
//
//   auto engine = alchemy::create_engine("sqlite:///app.db", {.echo = true});
//   {
//     auto conn = engine.connect();
//     conn.execute(alchemy::text("INSERT INTO t (x) VALUES (:x)"), {{"x", 1}});
//     conn.commit();                 // without it, closing the scope rolls back
//   }
//   engine.begin([](alchemy::Connection& conn) {   // commits, or rolls back on exception
//     conn.execute(alchemy::text("DELETE FROM t"));
//   });
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/log.hpp"
#include "alchemy/engine/pool.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

namespace detail {
struct EngineState;
}

/// create_engine()'s keyword arguments. Use designated initializers, in this order:
/// `create_engine(url, {.echo = true, .pool_size = 10, .pool_pre_ping = true})`.
struct EngineOptions {
  /// Log every statement, its parameters and its duration (and BEGIN/COMMIT/ROLLBACK).
  bool echo = false;
  /// Log pool checkouts, checkins, connects and invalidations.
  bool echo_pool = false;
  /// Connections kept open in a QueuePool (0 = no limit). Default 5.
  int pool_size = 5;
  /// Connections allowed beyond pool_size (-1 = no limit). Default 10.
  int max_overflow = 10;
  /// Seconds a checkout waits for a free connection before TimeoutError.
  double pool_timeout = 30.0;
  /// Replace connections older than this many seconds at checkout (-1 = never).
  double pool_recycle = -1;
  /// Test each connection with a round trip at checkout; replace it if dead.
  bool pool_pre_ping = false;
  /// Hand out the most recently returned connection first (default: oldest first).
  bool pool_use_lifo = false;
  /// Which pool to build (default: what the dialect prefers for the URL).
  PoolClass poolclass = PoolClass::default_;
  /// Isolation level for every connection ("" = the database's default).
  std::string isolation_level;
  /// Extra driver arguments (libpq keywords; sqlite: timeout, uri, ...); they
  /// override the URL's query parameters.
  ConnectArgs connect_args;
  /// Where echo output goes (default: the process-wide log handler).
  LogHandler logger;
  /// Name shown in log lines: "alchemy.engine.Engine.<logging_name>".
  std::string logging_name;
  /// Entries of the compiled-statement cache (SQLAlchemy's query_cache_size;
  /// 0 disables it).
  std::size_t query_cache_size = 500;
};

/// A pool of connections to one database plus its dialect. Copyable handle.
class ALCHEMY_EXPORT Engine {
 public:
  /// A new Connection from the pool (RAII: returns it on destruction).
  Connection connect() const;

  /// Runs `fn(Connection&)` in a transaction: commits when it returns, rolls
  /// back and rethrows when it throws (SQLAlchemy's `with engine.begin() as conn`).
  /// Returns what `fn` returns (do not return a Result: it closes with the connection).
  template <class Fn>
  decltype(auto) begin(Fn&& fn) const;

  /// Closes the pool's idle connections and starts a new pool; connections now
  /// checked out are closed when returned.
  void dispose() const;

  const URL& url() const noexcept;
  const Dialect& dialect() const noexcept;
  /// The compiled-statement cache of expression statements (hits, misses, size).
  CompiledCache& compiled_cache() const noexcept;
  /// The current pool (status: size(), checked_in(), checked_out(), overflow()).
  /// The reference is valid until dispose() replaces the pool; call pool()
  /// again afterwards.
  Pool& pool() const noexcept;
  /// The dialect name: "sqlite", "postgresql".
  std::string_view name() const noexcept;
  /// The driver name: "sqlite3", "libpq".
  std::string_view driver() const noexcept;
  bool echo() const noexcept;
  void set_echo(bool on) const noexcept;
  /// "Engine(postgresql://scott:***@localhost/test)".
  std::string str() const;

  /// Internal.
  explicit Engine(std::shared_ptr<detail::EngineState> state) : state_(std::move(state)) {}
  detail::EngineState& state() const noexcept { return *state_; }
  const std::shared_ptr<detail::EngineState>& state_ptr() const noexcept { return state_; }

  friend bool operator==(const Engine& a, const Engine& b) noexcept { return a.state_ == b.state_; }

 private:
  std::shared_ptr<detail::EngineState> state_;
};

/// Creates an Engine from a URL string or URL. Throws ArgumentError for a
/// malformed URL or option, NoSuchModuleError for an unknown dialect/driver.
/// No connection is made until the first connect().
ALCHEMY_EXPORT Engine create_engine(std::string_view url, const EngineOptions& options = {});
ALCHEMY_EXPORT Engine create_engine(const URL& url, const EngineOptions& options = {});

template <class Fn>
decltype(auto) Engine::begin(Fn&& fn) const {
  Connection conn = connect();
  Transaction tx = conn.begin();
  conn.set_begin_block(true);
  // As SQLAlchemy's context manager: commit only if `fn` left the transaction open.
  if constexpr (std::is_void_v<std::invoke_result_t<Fn&, Connection&>>) {
    fn(conn);
    if (tx.is_active()) tx.commit();
  } else {
    decltype(auto) out = fn(conn);
    if (tx.is_active()) tx.commit();
    return out;
  }
}

}  // namespace alchemy
