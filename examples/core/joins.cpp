// Guide: "SQL Expression Language -> Joins".
//
// Python:
//   # Inner Join: only users who have at least one order
//   stmt = select(users_table.c.name, orders_table.c.total).join(
//       orders_table, users_table.c.id == orders_table.c.user_id)
//
//   # Left (Outer) Join: every user; order columns are NULL without an order
//   stmt = select(users_table.c.name, orders_table.c.total).select_from(
//       users_table.outerjoin(orders_table))
//
// The outer join has no ON clause: it is inferred from the foreign key
// orders.user_id -> users.id, as in SQLAlchemy.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

// Prints "name: total", with None for a NULL total as Python would.
void print_rows(Connection& conn, const Select& stmt) {
  std::cout << stmt.str() << "\n";
  for (const Row& row : conn.execute(stmt)) {
    Value total = row["total"];
    std::cout << "  " << row.get<std::string>("name") << ": "
              << (total.is_null() ? "None" : total.repr()) << "\n";
  }
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///joins_example.db"));
  examples::GuideTables tables;
  tables.reset(engine);
  Table& users_table = tables.users_table;
  Table& orders_table = tables.orders_table;
  auto conn = engine.connect();

  // 1. Inner join: users without orders (Fateme, Ahmad Karimi) are not displayed.
  std::cout << "Inner join:\n";
  print_rows(conn, select(users_table.c["name"], orders_table.c["total"])
                       .join(orders_table, users_table.c["id"] == orders_table.c["user_id"])
                       .order_by(users_table.c["id"], orders_table.c["id"]));

  // 2. Left outer join: no user is removed; their order columns are NULL (None).
  std::cout << "\nLeft outer join:\n";
  print_rows(conn, select(users_table.c["name"], orders_table.c["total"])
                       .select_from(users_table.outerjoin(orders_table))
                       .order_by(users_table.c["id"], orders_table.c["id"]));

  // The same joins as FROM clauses of their own, and with aliases: who shares
  // a city with whom (a self-join needs two names for one table).
  std::cout << "\nSelf-join with aliases:\n";
  FromClause a = users_table.alias("a");
  FromClause b = users_table.alias("b");
  auto same_city =
      select(a.c["name"].label("name"), b.c["name"].label("neighbour"))
          .select_from(a.join(b, (a.c["city"] == b.c["city"]) & (a.c["id"] < b.c["id"])))
          .order_by(a.c["id"], b.c["id"]);
  std::cout << same_city.str() << "\n";
  for (const Row& row : conn.execute(same_city))
    std::cout << "  " << row.get<std::string>("name") << " & " << row.get<std::string>("neighbour")
              << "\n";

  conn.close();
  tables.drop(engine);
  return 0;
}
