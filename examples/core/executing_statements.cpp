// Guide: "Executing Statements -> Connection execution" and "Parameterized Queries".
//
// Python:
//   engine = create_engine("sqlite:///example.db")
//
//   # Method 1: With Connection
//   with engine.connect() as conn:
//       result = conn.execute(text("SELECT * FROM users"))
//       print(result.fetchall())
//
//   # Method 2: Direct from Engine
//   result = engine.execute("SELECT COUNT(*) FROM users")
//   print(result.scalar())
//
//   # Method 3: With Statement Object (more modern and secure)
//   stmt = select(users_table).where(users_table.c.age > 25)
//   with engine.connect() as conn:
//       result = conn.execute(stmt)
//       for row in result:
//           print(f"Name: {row.name}")
//
//   with engine.connect() as conn:
//       result = conn.execute(text("SELECT * FROM users WHERE age > :min_age"),
//                             {"min_age": 18})
//       result = conn.execute(
//           text("SELECT * FROM users WHERE age BETWEEN :min_age AND :max_age"),
//           {"min_age": 18, "max_age": 65})
//
// Method 2 does not exist in SQLAlchemy 2.0: Engine.execute() and plain SQL
// strings were removed. The 2.0 equivalent opens a connection for the one
// statement and wraps the SQL in text(), as below.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///example.db"));
  examples::GuideTables tables;
  tables.reset(engine);
  Table& users_table = tables.users_table;

  // Method 1: with a Connection (closed, and rolled back, at the end of the scope).
  // A text() result is untyped: is_active prints as 1 on SQLite, which stores
  // booleans as integers, and as true on PostgreSQL.
  {
    Connection conn = engine.connect();
    Result result = conn.execute(text("SELECT * FROM users ORDER BY id"));
    std::cout << "[";
    bool first = true;
    for (const Row& row : result.fetchall()) {
      std::cout << (first ? "" : ", ") << row.repr();
      first = false;
    }
    std::cout << "]\n";
  }

  // Method 2, as SQLAlchemy 2.0 spells it: no Engine.execute(); a connection
  // for the one statement and text() around the SQL string.
  {
    Connection conn = engine.connect();
    Result result = conn.execute(text("SELECT COUNT(*) FROM users"));
    std::cout << result.scalar().repr() << "\n";  // 5
  }

  // Method 3: a statement object. Its values are bound parameters, never
  // pasted into the SQL, so it is safe against SQL injection.
  {
    auto stmt = select(users_table).where(users_table.c["age"] > 25).order_by(users_table.c["id"]);
    std::cout << stmt.str() << "\n";
    Connection conn = engine.connect();
    Result result = conn.execute(stmt);
    for (const Row& row : result) std::cout << "Name: " << row.get<std::string>("name") << "\n";
  }

  // Parameterized queries: :name placeholders in text(), values passed apart.
  {
    Connection conn = engine.connect();
    // One parameter.
    Result result = conn.execute(text("SELECT * FROM users WHERE age > :min_age ORDER BY id"),
                                 {{"min_age", 18}});
    std::cout << "age > 18: " << result.fetchall().size() << " users\n";  // 4

    // Multiple parameters.
    result = conn.execute(
        text("SELECT * FROM users WHERE age BETWEEN :min_age AND :max_age ORDER BY id"),
        {{"min_age", 18}, {"max_age", 65}});
    std::cout << "age BETWEEN 18 AND 65: " << result.fetchall().size() << " users\n";  // 4

    // A hostile value stays a value: nothing matches, nothing is dropped.
    result = conn.execute(text("SELECT * FROM users WHERE name = :name"),
                          {{"name", "x'; DROP TABLE users; --"}});
    std::cout << "injection attempt matched " << result.fetchall().size() << " users\n";  // 0

    // The same text() with other values (it is compiled once and cached).
    auto by_city = text("SELECT name FROM users WHERE city = :city ORDER BY id");
    for (const char* city : {"Tehran", "Isfahan"}) {
      std::cout << city << ":";
      for (const Row& row : conn.execute(by_city, {{"city", city}}))
        std::cout << " " << row.get<std::string>(0);
      std::cout << "\n";
    }

    // A statement object with a named bindparam(), filled in at execution.
    auto by_name = select(users_table.c["email"]).where(users_table.c["name"] == bindparam("who"));
    std::cout << by_name.str() << "\n";
    std::cout << conn.execute(by_name, {{"who", "Sara"}}).scalar<std::string>() << "\n";
  }

  tables.drop(engine);
  return 0;
}
