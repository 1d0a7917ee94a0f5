// Guide: "Executing Statements -> Result objects".
//
// Python:
//   stmt = select(users_table)
//   with engine.connect() as conn:
//       result = conn.execute(stmt)
//       first_row = result.fetchone()           # One row
//       print(f"First user: {first_row.name}")
//       some_rows = result.fetchmany(5)          # Multiple rows
//       all_rows = result.fetchall()             # All rows
//
// A Result is a cursor: each fetch continues where the previous one stopped,
// so after fetchone() and fetchmany(5) there is nothing left for fetchall()
// with five users. The rest of the example shows the other ways to read a
// result: iteration, first(), one(), scalar(), scalars(), mappings() and
// typed tuples.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///result_example.db"));
  examples::GuideTables tables;
  tables.reset(engine);
  Table& users_table = tables.users_table;
  auto& c = users_table.c;

  auto stmt = select(users_table).order_by(c["id"]);
  std::cout << stmt.str() << "\n";
  Connection conn = engine.connect();
  {
    Result result = conn.execute(stmt);
    std::cout << "keys: ";
    for (const auto& k : result.keys()) std::cout << k << " ";
    std::cout << "\n";

    // One row.
    std::optional<Row> first_row = result.fetchone();
    std::cout << "First user: " << first_row->get<std::string>("name") << "\n";

    // Multiple rows: up to 5 (4 are left).
    std::vector<Row> some_rows = result.fetchmany(5);
    std::cout << "fetchmany(5): " << some_rows.size() << " rows\n";

    // All remaining rows: none.
    std::vector<Row> all_rows = result.fetchall();
    std::cout << "fetchall(): " << all_rows.size() << " rows\n";
  }

  // A fresh result for each of the other forms.
  // Iterate (rows are read one at a time from the driver).
  for (const Row& row : conn.execute(select(c["id"], c["name"]).order_by(c["id"]).limit(2)))
    std::cout << "row[0]=" << row[0].repr() << " row[\"name\"]=" << row["name"].repr() << "\n";

  // first(): the first row or nothing; one(): exactly one row, else an error.
  auto first = conn.execute(select(c["name"]).where(c["age"] > 100)).first();
  std::cout << "first() with no match: " << (first ? "a row" : "None") << "\n";
  Row sara = conn.execute(select(users_table).where(c["name"] == "Sara")).one();
  std::cout << "one(): " << sara.get<std::string>("email") << "\n";
  try {
    conn.execute(select(users_table).where(c["city"] == "Tehran")).one();
  } catch (const MultipleResultsFound& e) {
    std::cout << "MultipleResultsFound: " << e.what() << "\n";
  }

  // scalar(): the first column of the first row; scalars(): one column per row.
  std::cout << "scalar(): "
            << conn.execute(select(func.count()).select_from(users_table)).scalar<std::int64_t>()
            << "\n";
  std::cout << "scalars():";
  for (const std::string& name :
       conn.execute(select(c["name"]).order_by(c["id"])).scalars<std::string>())
    std::cout << " " << name;
  std::cout << "\n";

  // mappings(): rows as name -> value (Python's row._mapping).
  for (const RowMapping& m :
       conn.execute(select(c["name"], c["city"]).where(c["age"] > 30).order_by(c["id"])).mappings())
    std::cout << "mapping: " << m.repr() << "\n";

  // Typed tuples: each row converted to C++ types (NULL needs std::optional).
  for (auto [id, name, age] : conn.execute(select(c["id"], c["name"], c["age"]).order_by(c["id"]))
                                  .tuples<std::int64_t, std::string, std::optional<int>>())
    std::cout << id << " " << name << " " << (age ? std::to_string(*age) : "None") << "\n";

  conn.close();
  tables.drop(engine);
  return 0;
}
