// Guide: "Database Events".
//
//   @event.listens_for(engine, "connect")
//   def set_sqlite_pragma(dbapi_connection, connection_record):
//       if "sqlite" in str(engine.url):
//           cursor = dbapi_connection.cursor()
//           cursor.execute("PRAGMA foreign_keys=ON")
//           cursor.close()
//
//   @event.listens_for(engine, "before_cursor_execute")
//   def receive_before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
//       print(f"Executing: {statement}")
#include <alchemy/alchemy.hpp>

#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///events_example.db"));

  // Before connection: runs once per new DBAPI connection.
  event::listen(engine, event::connect, [&engine](DBAPIConnection& dbapi, ConnectionRecord&) {
    if (engine.url().get_backend_name() == "sqlite") dbapi.exec("PRAGMA foreign_keys=ON");
  });
  // Before query execution.
  event::listen(engine, event::before_cursor_execute,
                [](Connection&, const CursorExecuteContext& ctx) {
                  std::cout << "Executing: " << ctx.statement << "\n";
                });
  // After execution, with the time the driver took.
  int statements = 0;
  event::listen(engine, event::after_cursor_execute,
                [&statements](Connection&, const CursorExecuteContext&) { ++statements; });

  auto conn = engine.connect();
  conn.execute(text("DROP TABLE IF EXISTS child"));
  conn.execute(text("DROP TABLE IF EXISTS parent"));
  conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"));
  conn.execute(text("CREATE TABLE child (id INTEGER PRIMARY KEY, "
                    "parent_id INTEGER REFERENCES parent(id))"));
  conn.commit();
  try {
    // With foreign keys enforced (SQLite thanks to the connect listener), this fails.
    conn.execute(text("INSERT INTO child (id, parent_id) VALUES (1, 42)"));
  } catch (const IntegrityError& e) {
    std::cout << "IntegrityError: " << e.message() << "\n";
    conn.rollback();
  }
  std::cout << statements << " statements executed\n";
  return 0;
}
