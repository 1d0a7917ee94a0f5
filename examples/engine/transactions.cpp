// Guide: "Transactions", with SQLAlchemy 2.0's semantics.
//
// The guide says a plain `with engine.connect()` block commits at its end; in
// SQLAlchemy 2.0 it does not -- it rolls back unless you commit. The
// "automatic" form is `with engine.begin() as conn:`, shown first here.
#include <alchemy/alchemy.hpp>

#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

std::int64_t count(const Engine& engine) {
  return engine.connect().execute(text("SELECT count(*) FROM users")).scalar<std::int64_t>();
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///tx_example.db"));
  engine.begin([](Connection& conn) {
    conn.execute(text("DROP TABLE IF EXISTS users"));
    conn.execute(text("CREATE TABLE users (name VARCHAR(50) PRIMARY KEY)"));
  });

  // Simple (automatic): commits at the end, rolls back if anything throws.
  engine.begin([](Connection& conn) {
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Ahmad"}});
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Ali"}});
  });
  std::cout << "after engine.begin(): " << count(engine) << " users\n";  // 2

  // engine.connect() without commit(): rolled back at the end of the scope.
  {
    Connection conn = engine.connect();
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Forgotten"}});
  }
  std::cout << "after connect() without commit: " << count(engine) << " users\n";  // 2

  // Manual: begin(), then commit() or rollback(); atomic either way.
  Connection conn = engine.connect();
  Transaction trans = conn.begin();
  try {
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Sara"}});
    conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Ahmad"}});  // duplicate
    trans.commit();
  } catch (const IntegrityError& e) {
    std::cout << "IntegrityError, rolling back: " << e.message() << "\n";
    trans.rollback();
  }
  std::cout << "after the failed manual transaction: " << count(engine) << " users\n";  // 2

  // Commit as you go, and a SAVEPOINT for a step that may fail.
  conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Reza"}});
  {
    NestedTransaction savepoint = conn.begin_nested();
    try {
      conn.execute(text("INSERT INTO users (name) VALUES (:name)"), {{"name", "Ali"}});
      savepoint.commit();
    } catch (const IntegrityError&) {
      savepoint.rollback();  // only the savepoint's work is undone
      std::cout << "duplicate 'Ali' skipped inside a savepoint\n";
    }
  }
  conn.commit();
  conn.close();
  std::cout << "final: " << count(engine) << " users\n";  // 3
  return 0;
}
