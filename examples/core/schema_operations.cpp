// Guide: "SQLAlchemy Core -> Schema operations".
//
// Python:
//   metadata.create_all(engine)    # Create all tables
//   users_table.create(engine)     # Create only one table
//   metadata.drop_all(engine)      # Drop all tables
//   users_table.drop(engine)       # Drop one table
//
// A before_cursor_execute listener prints the DDL each call runs (SQLAlchemy:
// echo=True). create_all()/drop_all() check first which tables exist
// (checkfirst=True) and order the tables by their foreign keys: orders is
// created after users and dropped before it. Table.create()/drop() do not
// check unless asked, as in SQLAlchemy.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///schema_ops.db"));
  examples::GuideTables tables;
  MetaData& metadata = tables.metadata;
  Table& users_table = tables.users_table;
  metadata.drop_all(engine);  // a clean slate, quietly

  // Print each DDL statement as it runs (the existence checks are queries; skip them).
  event::listen(engine, event::before_cursor_execute,
                [](Connection&, const CursorExecuteContext& ctx) {
                  std::string_view sql = ctx.statement;
                  for (std::string_view verb : {"CREATE", "DROP", "ALTER"})
                    if (sql.substr(0, verb.size()) == verb) std::cout << sql << "\n";
                });
  auto has_table = [&](const char* name) {
    auto conn = engine.connect();
    return engine.dialect().has_table(conn, name, std::nullopt) ? "exists" : "missing";
  };
  auto status = [&] {
    std::cout << "-> users " << has_table("users") << ", orders " << has_table("orders") << "\n";
  };

  std::cout << "metadata.create_all(engine):\n";
  metadata.create_all(engine);  // Create all tables
  status();

  std::cout << "metadata.create_all(engine) again (nothing to do):\n";
  metadata.create_all(engine);
  status();

  std::cout << "metadata.drop_all(engine):\n";
  metadata.drop_all(engine);  // Drop all tables
  status();

  std::cout << "users_table.create(engine):\n";
  users_table.create(engine);  // Create only one table
  status();

  std::cout << "users_table.drop(engine):\n";
  users_table.drop(engine);  // Drop one table
  status();

  // Without checkfirst, creating a table that exists is an error from the database.
  users_table.create(engine);
  try {
    std::cout << "users_table.create(engine) when it exists:\n";
    users_table.create(engine);
  } catch (const DBAPIError&) {
    // OperationalError on SQLite, ProgrammingError on PostgreSQL, as in SQLAlchemy.
    std::cout << "-> DBAPIError: the table already exists\n";
  }
  std::cout << "users_table.create(engine, /*checkfirst=*/true):\n";
  users_table.create(engine, /*checkfirst=*/true);
  std::cout << "users_table.drop(engine, /*checkfirst=*/true) twice:\n";
  users_table.drop(engine, true);
  users_table.drop(engine, true);
  status();
  return 0;
}
