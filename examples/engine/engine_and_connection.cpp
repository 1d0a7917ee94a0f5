// Guide: "Database Connection -> Engine and Connection" and "Using Connection".
//
// Python:
//   engine = create_engine("sqlite:///myapp.db")
//   with engine.connect() as conn:            # Method 1: context manager
//       result = conn.execute(text("SELECT 1"))
//       print(result.fetchone())              # (1,)
//   conn = engine.connect()                   # Method 2: manual
//   ...
//   conn.close()
#include <alchemy/alchemy.hpp>

#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

// The guide's Flask route, as a plain function: one engine for the whole
// program, one short-lived connection per request.
std::string count_users(const Engine& engine) {
  auto conn = engine.connect();
  auto result = conn.execute(text("SELECT COUNT(*) FROM users"));
  return "Number of users: " + std::to_string(result.scalar<std::int64_t>());
}

int main(int argc, char** argv) {
  // The engine is created once and shared; it opens connections lazily.
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///myapp.db"));
  std::cout << engine.str() << " (dialect " << engine.name() << ", driver " << engine.driver()
            << ")\n";

  // Method 1 (best practice): the connection is returned to the pool when the
  // scope ends -- RAII is C++'s `with`.
  {
    Connection conn = engine.connect();
    Result result = conn.execute(text("SELECT 1"));
    std::cout << result.fetchone()->repr() << "\n";  // (1,)
  }

  // Method 2: manual. close() returns the connection to the pool; the
  // destructor would do the same.
  Connection conn = engine.connect();
  Result result = conn.execute(text("SELECT 1"));
  std::cout << result.fetchone()->repr() << "\n";
  conn.close();

  // Setup for the "Flask" example: commit-as-you-go.
  {
    auto c = engine.connect();
    c.execute(text("DROP TABLE IF EXISTS users"));
    c.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50))"));
    c.execute(text("INSERT INTO users (id, name) VALUES (:id, :name)"),
              std::vector<Params>{{{"id", 1}, {"name", "Ahmad"}}, {{"id", 2}, {"name", "Ali"}}});
    c.commit();  // SQLAlchemy 2.0: without commit() the scope would roll back
  }
  std::cout << count_users(engine) << "\n";  // Number of users: 2

  // Engine methods from the basics guide: connect() and dispose(). (Engine.execute()
  // no longer exists in SQLAlchemy 2.0; execute on a Connection.)
  engine.dispose();
  std::cout << "after dispose(): " << engine.pool().checked_in() << " idle connections\n";
  return 0;
}
