// Guide: "SQL Expression Language -> Subqueries".
//
// Python:
//   # Users who have at least one order
//   subq = select(orders_table.c.user_id).distinct()
//   stmt = select(users_table).where(users_table.c.id.in_(subq))
//
//   # Scalar subquery: a single value
//   subq = select(func.avg(users_table.c.age)).scalar_subquery()
//   stmt = select(users_table).where(users_table.c.age > subq)
//
//   # EXISTS
//   stmt = select(users_table).where(
//       exists().where(orders_table.c.user_id == users_table.c.id))
//
// The EXISTS subquery mentions users_table without a FROM of its own: it
// correlates with the enclosing SELECT automatically, as in SQLAlchemy.
// After the guide's three forms: a derived table (subquery() in FROM), CTEs
// (plain and recursive) and set operations (UNION, INTERSECT, EXCEPT).
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

// Runs `stmt` after printing it, then prints one column of every row.
void show(Connection& conn, const SelectBase& stmt, const char* column) {
  std::cout << stmt.str() << "\n";
  std::string out;
  for (const Row& row : conn.execute(stmt)) out += (out.empty() ? "" : ", ") + row[column].repr();
  std::cout << "-> " << out << "\n\n";
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///subq_example.db"));
  examples::GuideTables tables;
  tables.reset(engine);
  Table& users_table = tables.users_table;
  Table& orders_table = tables.orders_table;
  auto conn = engine.connect();

  // Simple subquery: users who have at least one order.
  {
    auto subq = select(orders_table.c["user_id"]).distinct();
    auto stmt =
        select(users_table).where(users_table.c["id"].in_(subq)).order_by(users_table.c["id"]);
    show(conn, stmt, "name");
  }

  // Scalar subquery: users older than the average age.
  {
    auto subq = select(func.avg(users_table.c["age"])).scalar_subquery();
    auto stmt =
        select(users_table).where(users_table.c["age"] > subq).order_by(users_table.c["id"]);
    show(conn, stmt, "name");
  }

  // EXISTS: users for whom at least one order exists.
  {
    auto stmt = select(users_table)
                    .where(exists().where(orders_table.c["user_id"] == users_table.c["id"]))
                    .order_by(users_table.c["id"]);
    show(conn, stmt, "name");
    // ~exists(): users without orders.
    auto none = select(users_table.c["name"])
                    .where(~exists().where(orders_table.c["user_id"] == users_table.c["id"]))
                    .order_by(users_table.c["id"]);
    show(conn, none, "name");
  }

  // ---- Beyond the guide ----------------------------------------------------------
  // A subquery in FROM (a derived table) with its own columns (.c), joined back.
  {
    auto totals =
        select(orders_table.c["user_id"], func.sum(orders_table.c["total"]).label("spent"))
            .group_by(orders_table.c["user_id"])
            .subquery("totals");
    auto stmt = select(users_table.c["name"], totals.c["spent"])
                    .join(totals, users_table.c["id"] == totals.c["user_id"])
                    .order_by(desc(totals.c["spent"]));
    show(conn, stmt, "spent");
  }

  // A scalar subquery as a column, correlated per row: each user's order count.
  {
    auto n_orders = select(func.count(orders_table.c["id"]))
                        .where(orders_table.c["user_id"] == users_table.c["id"])
                        .scalar_subquery()
                        .label("n_orders");
    auto stmt = select(users_table.c["name"], n_orders).order_by(users_table.c["id"]);
    show(conn, stmt, "n_orders");
  }

  // A common table expression: WITH big_spenders AS (...) SELECT ...
  {
    auto big_spenders =
        select(orders_table.c["user_id"]).where(orders_table.c["total"] > 100).cte("big_spenders");
    auto stmt = select(users_table.c["name"])
                    .where(users_table.c["id"].in_(select(big_spenders.c["user_id"])))
                    .order_by(users_table.c["id"]);
    show(conn, stmt, "name");
  }

  // A recursive CTE: the numbers 1 to 5.
  {
    auto counter = select(literal(1).label("n")).cte("counter", /*recursive=*/true);
    counter = counter.union_all(select(counter.c["n"] + 1).where(counter.c["n"] < 5));
    auto stmt = select(counter.c["n"]);
    show(conn, stmt, "n");
  }

  // Set operations: UNION, INTERSECT, EXCEPT of compatible selects.
  {
    auto in_tehran = select(users_table.c["name"]).where(users_table.c["city"] == "Tehran");
    auto with_orders = select(users_table.c["name"])
                           .where(users_table.c["id"].in_(select(orders_table.c["user_id"])));
    show(conn, union_(in_tehran, with_orders).order_by(users_table.c["name"]), "name");
    show(conn, intersect(in_tehran, with_orders), "name");
    show(conn, except_(in_tehran, with_orders), "name");
  }

  conn.close();
  tables.drop(engine);
  return 0;
}
