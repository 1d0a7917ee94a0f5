// Guide: "SQL Expression Language -> Insert, Update, Delete".
//
// Python:
//   stmt = users_table.insert().values(name='Ali', email='ali@test.com')
//   with engine.connect() as conn:
//       result = conn.execute(stmt)
//       print(f"New ID: {result.inserted_primary_key}")        # New ID: (1,)
//
//   stmt = users_table.insert()
//   with engine.connect() as conn:
//       conn.execute(stmt, [
//           {'name': 'Ahmad', 'email': 'ahmad@test.com'},
//           {'name': 'Fateme', 'email': 'fateme@test.com'}])
//
//   stmt = users_table.update().where(users_table.c.id == 1).values(name='Ali Ahmadi')
//   with engine.connect() as conn:
//       result = conn.execute(stmt)
//       print(f"{result.rowcount} records updated")            # 1 records updated
//
//   stmt = users_table.delete().where(users_table.c.age < 18)
//   with engine.connect() as conn:
//       result = conn.execute(stmt)
//       print(f"{result.rowcount} records deleted")
//
// SQLAlchemy 2.0: `with engine.connect()` rolls back at the end of the block
// unless you call conn.commit(), so the guide's blocks would lose their
// changes. Here each block commits (or uses engine.begin(), which commits).
// `delete` is a C++ keyword: the method is delete_().
#include <alchemy/alchemy.hpp>
#include <algorithm>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

// (Ids are left out: after the DELETE, SQLite reuses the highest deleted id
// while PostgreSQL's sequence moves on, so new rows get different ids.)
void print_users(Connection& conn, const Table& users_table) {
  auto stmt = select(users_table.c["name"], users_table.c["email"], users_table.c["age"])
                  .order_by(users_table.c["id"]);
  for (const Row& row : conn.execute(stmt)) std::cout << "  " << row.repr() << "\n";
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///dml_example.db"));
  examples::GuideTables tables;
  tables.create(engine);  // empty tables: the first id is 1
  Table& users_table = tables.users_table;

  // Insert one.
  {
    auto stmt = users_table.insert().values({{"name", "Ali"}, {"email", "ali@test.com"}});
    std::cout << stmt.str() << "\n";
    Connection conn = engine.connect();
    Result result = conn.execute(stmt);
    std::cout << "New ID: " << result.inserted_primary_key().repr() << "\n";  // New ID: (1,)
    conn.commit();
  }

  // Insert multiple: one statement, a list of parameter sets (executemany).
  // The columns come from the parameters' keys. (The guide's rows have no age;
  // we add one so that the DELETE below has something to delete.)
  {
    auto stmt = users_table.insert();
    std::cout << "\n" << stmt.str() << "\n";
    Connection conn = engine.connect();
    Result result = conn.execute(
        stmt, std::vector<Params>{{{"name", "Ahmad"}, {"email", "ahmad@test.com"}, {"age", 30}},
                                  {{"name", "Fateme"}, {"email", "fateme@test.com"}, {"age", 17}}});
    std::cout << result.rowcount() << " records inserted\n";
    conn.commit();
    print_users(conn, users_table);
  }

  // Update.
  {
    auto stmt =
        users_table.update().where(users_table.c["id"] == 1).values({{"name", "Ali Ahmadi"}});
    std::cout << "\n" << stmt.str() << "\n";
    Connection conn = engine.connect();
    Result result = conn.execute(stmt);
    std::cout << result.rowcount() << " records updated\n";  // 1 records updated
    conn.commit();
  }

  // Delete.
  {
    auto stmt = users_table.delete_().where(users_table.c["age"] < 18);
    std::cout << "\n" << stmt.str() << "\n";
    Connection conn = engine.connect();
    Result result = conn.execute(stmt);
    std::cout << result.rowcount() << " records deleted\n";  // 1 records deleted
    conn.commit();
    print_users(conn, users_table);
  }

  // Beyond the guide, in one transaction (engine.begin commits at the end).
  engine.begin([&](Connection& conn) {
    // An UPDATE whose new value is an expression of the old one.
    auto older = users_table.update()
                     .where(users_table.c["name"] == "Ahmad")
                     .values({{"age", users_table.c["age"] + 1}});
    std::cout << "\n" << older.str() << "\n";
    std::cout << conn.execute(older).rowcount() << " records updated\n";

    // A multi-row VALUES clause: one INSERT statement with several rows.
    auto many = users_table.insert().values(
        std::vector<Params>{{{"name", "Sara"}, {"email", "sara@test.com"}, {"age", 42}},
                            {{"name", "Reza"}, {"email", "reza@test.com"}, {"age", 51}}});
    std::cout << "\n" << many.str() << "\n";
    std::cout << conn.execute(many).rowcount() << " records inserted\n";

    // RETURNING (PostgreSQL; SQLite 3.35+): the statement hands back rows.
    auto returning = users_table.update()
                         .where(users_table.c["age"] > 40)
                         .values({{"is_active", false}})
                         .returning(users_table.c["name"], users_table.c["age"]);
    std::cout << "\n" << returning.str() << "\n";
    auto rows = conn.execute(returning).all();  // in no particular order: sort them
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return a.get<std::string>("name") < b.get<std::string>("name");
    });
    for (const Row& row : rows) std::cout << "deactivated " << row.repr() << "\n";
  });

  {
    Connection conn = engine.connect();
    print_users(conn, users_table);
  }
  tables.drop(engine);
  return 0;
}
