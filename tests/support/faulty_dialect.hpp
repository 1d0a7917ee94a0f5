// A fault-injecting dialect for tests of the engine's failure paths.
//
// `faulty+sqlite://...` behaves exactly like `sqlite://...` (it wraps the real
// SQLite dialect and driver) until a test arms a fault in `faults()`: the next
// execute can fail as a lost connection or a locked database, a commit or
// rollback can fail, pings can report a dead connection, connecting can fail.
// Each armed fault fires once. Used by tests/engine/failure_paths_test.cpp.
#pragma once

#include <atomic>

namespace alchemy::testing {

struct FaultPlan {
  /// The next execute()/executemany() throws OperationalError marked as a disconnect.
  std::atomic<bool> disconnect_on_execute{false};
  /// The next execute() throws OperationalError "database is locked" (not a disconnect).
  std::atomic<bool> busy_on_execute{false};
  /// The next commit() throws OperationalError "database is locked"; the transaction stays open.
  std::atomic<bool> busy_on_commit{false};
  /// The next rollback() throws OperationalError marked as a disconnect.
  std::atomic<bool> fail_rollback{false};
  /// ping() reports the connection dead (once).
  std::atomic<bool> fail_ping{false};
  /// The next connect attempt fails with OperationalError.
  std::atomic<bool> fail_connect{false};
  /// DriverConnections opened so far.
  std::atomic<int> connects{0};

  void reset() {
    disconnect_on_execute = busy_on_execute = busy_on_commit = fail_rollback = fail_ping =
        fail_connect = false;
    connects = 0;
  }
};

/// The process-wide plan; registers the "faulty" dialect on first use.
FaultPlan& faults();

}  // namespace alchemy::testing
