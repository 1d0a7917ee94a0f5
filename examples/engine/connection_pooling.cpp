// Guide: "Connection Pooling" and basics "Engine Configuration".
//
//   engine = create_engine("postgresql://user:pass@localhost/db",
//       pool_size=10, max_overflow=20, pool_timeout=30, pool_recycle=3600)
//   print(f"Pool size: {engine.pool.size()}")
//   print(f"Active connections: {engine.pool.checkedin()}")
#include <alchemy/alchemy.hpp>

#include <iostream>
#include <thread>
#include <vector>

#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  const std::string url = examples::database_url(argc, argv, "sqlite:///pool_example.db");
  Engine engine = create_engine(url, {
                                         .pool_size = 10,        // connections kept open
                                         .max_overflow = 20,     // extra ones under load
                                         .pool_timeout = 30,     // seconds to wait, then TimeoutError
                                         .pool_recycle = 3600,   // replace after an hour
                                         .pool_pre_ping = true,  // test each connection at checkout
                                     });
  std::cout << "Pool size: " << engine.pool().size() << "\n";
  std::cout << "Connections in pool: " << engine.pool().checked_in() << "\n";

  {
    Connection a = engine.connect();
    Connection b = engine.connect();
    std::cout << "Checked out while two are open: " << engine.pool().checked_out() << "\n";
  }
  std::cout << "Connections in pool after they closed: " << engine.pool().checked_in() << "\n";

  // The pool is thread-safe: share the engine, not connections.
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t)
    workers.emplace_back([&engine] {
      for (int i = 0; i < 25; ++i) engine.connect().execute(text("SELECT 1"));
    });
  for (auto& w : workers) w.join();
  std::cout << engine.pool().status() << "\n";

  // Exhaustion: a tiny pool and a short timeout.
  Engine tiny = create_engine(url, {.pool_size = 1, .max_overflow = 0, .pool_timeout = 0.1});
  Connection held = tiny.connect();
  try {
    tiny.connect();
  } catch (const TimeoutError& e) {
    std::cout << "TimeoutError: " << e.what() << "\n";
  }
  return 0;
}
