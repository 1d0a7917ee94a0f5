// Connection pools (SQLAlchemy's QueuePool, StaticPool, NullPool).
//
// An Engine owns one pool; Connections check a DBAPI connection out of it and
// return it on close, after a reset (rollback). Pools are thread-safe.
//   * QueuePool: up to pool_size idle connections kept, pool_size + max_overflow
//     open at once; a checkout waits up to pool_timeout seconds, then raises
//     TimeoutError. Used for servers and SQLite files.
//   * StaticPool: exactly one connection for the engine's life (sqlite :memory:,
//     whose database lives as long as that connection). Checkouts from the same
//     thread share it; another thread waits until it is returned.
//   * NullPool: opens a connection per checkout and closes it on return.
#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "alchemy/engine/interfaces.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

/// Which pool create_engine builds.
enum class PoolClass {
  default_,  ///< what the dialect asks for (StaticPool for sqlite :memory:, else QueuePool)
  queue,     ///< QueuePool
  static_,   ///< StaticPool
  null,      ///< NullPool
};

/// The pool's bookkeeping for one DBAPI connection (SQLAlchemy's ConnectionPoolEntry).
/// Listeners of the connect/checkout/checkin events receive it.
class ALCHEMY_EXPORT ConnectionRecord {
 public:
  /// The live DBAPI connection, or nullptr once invalidated.
  DBAPIConnection* dbapi_connection() noexcept { return conn_.get(); }
  /// Free-form storage that lives as long as the DBAPI connection.
  std::map<std::string, std::any>& info() noexcept { return info_; }
  /// When the current DBAPI connection was opened.
  std::chrono::steady_clock::time_point starttime() const noexcept { return starttime_; }

 private:
  friend class PoolBase;
  std::unique_ptr<DriverConnection> conn_;
  std::map<std::string, std::any> info_;
  std::chrono::steady_clock::time_point starttime_{};
  int shares_ = 0;  // StaticPool: checkouts holding it
};

/// A pool's public face: status and disposal.
class ALCHEMY_EXPORT Pool {
 public:
  virtual ~Pool();
  /// The configured pool_size (QueuePool), 1 (StaticPool) or 0 (NullPool).
  virtual std::size_t size() const = 0;
  /// Idle connections ready to hand out.
  virtual std::size_t checkedin() const = 0;
  /// Connections currently lent to Connections.
  virtual std::size_t checkedout() const = 0;
  /// Connections open beyond pool_size (negative while fewer than pool_size exist).
  virtual std::int64_t overflow() const = 0;
  std::size_t checked_in() const { return checkedin(); }
  std::size_t checked_out() const { return checkedout(); }
  /// "Pool size: 5  Connections in pool: 1 Current Overflow: -3 Current Checked out connections: 1"
  virtual std::string status() const = 0;
  /// Seconds a checkout waits before TimeoutError.
  virtual double timeout() const = 0;
  /// "QueuePool", "StaticPool", "NullPool".
  virtual std::string_view name() const = 0;
};

}  // namespace alchemy
