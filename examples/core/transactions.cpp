// Guide: "Executing Statements -> Transactions", with Core statements and
// SQLAlchemy 2.0's semantics.
//
// Python (the guide):
//   with engine.connect() as conn:
//       conn.execute(users_table.insert().values(name="Ahmad"))
//       conn.execute(users_table.insert().values(name="Ali"))
//       # At the end of with block -> automatic commit
//
//   conn = engine.connect()
//   trans = conn.begin()
//   try:
//       conn.execute(users_table.insert().values(name="Ahmad"))
//       conn.execute(users_table.insert().values(name="Ali"))
//       trans.commit()  # Save changes
//   except:
//       trans.rollback()  # Rollback
//   finally:
//       conn.close()
//
// In SQLAlchemy 2.0 the first block does NOT commit: a connection rolls back
// whatever it did not commit when it closes. The automatic form is
// `with engine.begin() as conn:` -- engine.begin([](Connection&) {...}) here --
// which commits at the end, or rolls back if the block throws.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///tx_core_example.db"));
  examples::GuideTables tables;
  tables.create(engine);
  Table& users_table = tables.users_table;
  auto count = [&] {
    return engine.connect()
        .execute(select(func.count()).select_from(users_table))
        .scalar<std::int64_t>();
  };

  // The guide's "simple" block, as written: nothing is committed.
  {
    Connection conn = engine.connect();
    conn.execute(users_table.insert().values({{"name", "Ahmad"}}));
    conn.execute(users_table.insert().values({{"name", "Ali"}}));
  }                                                                            // rolled back here
  std::cout << "after connect() without commit(): " << count() << " users\n";  // 0

  // Simple (automatic), the 2.0 way: commits at the end of the block.
  engine.begin([&](Connection& conn) {
    conn.execute(users_table.insert().values({{"name", "Ahmad"}}));
    conn.execute(users_table.insert().values({{"name", "Ali"}}));
  });
  std::cout << "after engine.begin(): " << count() << " users\n";  // 2

  // ... and atomic: an error inside the block rolls back all of it.
  try {
    engine.begin([&](Connection& conn) {
      conn.execute(users_table.insert().values({{"name", "Sara"}}));
      conn.execute(
          users_table.insert().values({{"email", "no-name@test.com"}}));  // name is NOT NULL
    });
  } catch (const IntegrityError&) {
    std::cout << "IntegrityError: the block was rolled back\n";
  }
  std::cout << "after the failed block: " << count() << " users\n";  // 2

  // Manual: begin(), then commit() or rollback(); close() in any case.
  auto manual = [&](const char* second_name) {
    Connection conn = engine.connect();
    Transaction trans = conn.begin();
    try {
      conn.execute(users_table.insert().values({{"name", "Reza"}}));
      conn.execute(users_table.insert().values({{"name", second_name}, {"email", "dup@test.com"}}));
      trans.commit();  // Save changes
      std::cout << "committed\n";
    } catch (const IntegrityError&) {
      trans.rollback();  // Rollback
      std::cout << "rolled back\n";
    }
    conn.close();  // the guide's `finally`; the destructor would do it too
  };
  manual("Maryam");
  std::cout << "after the manual commit: " << count() << " users\n";  // 4
  manual("Nima");  // dup@test.com is taken: the unique email fails, Reza is undone too
  std::cout << "after the manual rollback: " << count() << " users\n";  // 4

  // Commit as you go, with a SAVEPOINT around a step that may fail.
  {
    Connection conn = engine.connect();
    conn.execute(users_table.insert().values({{"name", "Zahra"}}));
    {
      NestedTransaction savepoint = conn.begin_nested();
      try {
        conn.execute(users_table.insert().values({{"name", "Nima"}, {"email", "dup@test.com"}}));
        savepoint.commit();
      } catch (const IntegrityError&) {
        savepoint.rollback();  // only the savepoint's work is undone
        std::cout << "duplicate email skipped inside a savepoint\n";
      }
    }
    conn.commit();
  }
  std::cout << "final: " << count() << " users\n";  // 5

  {
    Connection conn = engine.connect();
    for (const std::string& name :
         conn.execute(select(users_table.c["name"]).order_by(users_table.c["id"]))
             .scalars<std::string>())
      std::cout << "  " << name << "\n";
  }
  tables.drop(engine);
  return 0;
}
