// Guide: "SQL Expression Language -> Select statements".
//
// Python:
//   stmt = select(users_table)                      # select all rows
//   with engine.connect() as conn:
//       result = conn.execute(stmt)
//       for row in result:
//           print(f"Name: {row.name}, Email: {row.email}")
//
//   stmt = select(users_table.c.name, users_table.c.email)
//   stmt = select(users_table).where(users_table.c.age > 25)
//   stmt = select(users_table).where(
//       (users_table.c.age > 18) & (users_table.c.is_active == True))
//   stmt = select(users_table).where(users_table.c.name.like('Ahmad%'))
//
// `users_table.c.name` is `users_table.c["name"]`; `row.name` is `row["name"]`
// or, typed, `row.get<std::string>("name")`. Each statement is printed with
// str() first (SQLAlchemy's print(stmt)), then run. The guide's statements have
// no ORDER BY; we add one so the rows come out in the same order everywhere.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///select_example.db"));
  examples::GuideTables tables;
  tables.reset(engine);
  Table& users_table = tables.users_table;

  auto conn = engine.connect();

  // Select all rows.
  {
    auto stmt = select(users_table).order_by(users_table.c["id"]);
    std::cout << stmt.str() << "\n";
    Result result = conn.execute(stmt);
    for (const Row& row : result)
      std::cout << "Name: " << row.get<std::string>("name")
                << ", Email: " << row.get<std::string>("email") << "\n";
  }

  // Select specific columns (c means column).
  {
    auto stmt = select(users_table.c["name"], users_table.c["email"]).order_by(users_table.c["id"]);
    std::cout << "\n" << stmt.str() << "\n";
    for (const Row& row : conn.execute(stmt)) std::cout << row.repr() << "\n";
  }

  // With a simple condition: 25 becomes a bound parameter (:age_1), never spliced.
  {
    auto stmt = select(users_table).where(users_table.c["age"] > 25).order_by(users_table.c["id"]);
    std::cout << "\n" << stmt.str() << "\n";
    for (const Row& row : conn.execute(stmt))
      std::cout << row.get<std::string>("name") << " (" << row.get<int>("age") << ")\n";
  }

  // Multiple conditions with AND: & is SQL AND (parenthesise each comparison,
  // as in Python: & binds tighter than > and ==).
  {
    auto stmt = select(users_table)
                    .where((users_table.c["age"] > 18) & (users_table.c["is_active"] == true))
                    .order_by(users_table.c["id"]);
    std::cout << "\n" << stmt.str() << "\n";
    for (const Row& row : conn.execute(stmt))
      std::cout << row.get<std::string>("name") << ", active: " << std::boolalpha
                << row.get<bool>("is_active") << "\n";
  }

  // LIKE condition.
  {
    auto stmt = select(users_table)
                    .where(users_table.c["name"].like("Ahmad%"))
                    .order_by(users_table.c["id"]);
    std::cout << "\n" << stmt.str() << "\n";
    for (const Row& row : conn.execute(stmt)) std::cout << row.get<std::string>("name") << "\n";
  }

  // Beyond the guide: ORDER BY ... DESC, LIMIT and OFFSET.
  {
    auto stmt = select(users_table.c["name"], users_table.c["age"])
                    .order_by(desc(users_table.c["age"]))
                    .limit(2)
                    .offset(1);
    std::cout << "\n" << stmt.str() << "\n";
    for (const Row& row : conn.execute(stmt)) std::cout << row.repr() << "\n";
  }

  // Seeing the SQL: str() is dialect-neutral (:name placeholders); str(dialect)
  // is what the driver receives; literal_binds inlines the values (for logs
  // and offline scripts only -- executed statements always bind them).
  {
    auto stmt = select(users_table.c["name"])
                    .where(users_table.c["name"].like("Ahmad%"), users_table.c["age"] > 25);
    auto sqlite = load_dialect("sqlite", "");
    auto pg = load_dialect("postgresql", "");
    std::cout << "\nSQLite:     " << stmt.str(sqlite->statement_compiler()) << "\n";
    std::cout << "PostgreSQL: " << stmt.str(pg->statement_compiler()) << "\n";
    std::cout << "literal:    " << stmt.str(engine.dialect().statement_compiler(), true) << "\n";
  }

  conn.close();
  tables.drop(engine);
  return 0;
}
