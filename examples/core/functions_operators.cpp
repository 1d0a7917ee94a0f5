// Guide: "SQL Expression Language -> Functions and Operators".
//
// Python:
//   stmt = select(func.count(users_table.c.id))                      # Count users
//   stmt = select(func.max(users_table.c.age), func.min(users_table.c.age),
//                 func.avg(users_table.c.age))
//   stmt = select(users_table.c.city, func.count(users_table.c.id)
//                 ).group_by(users_table.c.city)
//
//   users_table.c.age > 18
//   users_table.c.name == 'Ali'
//   users_table.c.email.like('%gmail%')
//   users_table.c.id.in_([1, 2, 3])
//   (users_table.c.age > 18) & (users_table.c.is_active == True)       # AND
//   (users_table.c.city == 'Tehran') | (users_table.c.city == 'Isfahan') # OR
//
// An operator on a column does not compute anything: it builds a SQL
// expression, which prints as SQL (print(users_table.c.age > 18) shows
// "users.age > :age_1") and goes into where(), having(), values() ...
#include <alchemy/alchemy.hpp>
#include <iomanip>
#include <iostream>

#include "core/guide_tables.hpp"
#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///func_example.db"));
  examples::GuideTables tables;
  tables.reset(engine);
  Table& users_table = tables.users_table;
  auto conn = engine.connect();

  // ---- Functions --------------------------------------------------------------
  // Count users.
  auto count = select(func.count(users_table.c["id"]));
  std::cout << count.str() << "\n";
  std::cout << "users: " << conn.execute(count).scalar<std::int64_t>() << "\n";

  // Maximum, minimum and average age. avg() is a float on SQLite and a NUMERIC
  // on PostgreSQL: read it as a double either way.
  auto ages = select(func.max(users_table.c["age"]), func.min(users_table.c["age"]),
                     func.avg(users_table.c["age"]));
  std::cout << "\n" << ages.str() << "\n";
  Row row = conn.execute(ages).one();
  std::cout << "max " << row.get<int>(0) << ", min " << row.get<int>(1) << ", avg " << std::fixed
            << std::setprecision(1) << row.get<double>(2) << "\n";

  // Group by city and count users (ordered, so the output is stable).
  auto per_city = select(users_table.c["city"], func.count(users_table.c["id"]))
                      .group_by(users_table.c["city"])
                      .order_by(users_table.c["city"]);
  std::cout << "\n" << per_city.str() << "\n";
  for (const Row& r : conn.execute(per_city))
    std::cout << r.get<std::string>(0) << ": " << r.get<std::int64_t>(1) << "\n";

  // ---- Operators --------------------------------------------------------------
  std::cout << "\nComparison:\n";
  std::cout << (users_table.c["age"] > 18).str() << "\n";
  std::cout << (users_table.c["name"] == "Ali").str() << "\n";
  std::cout << users_table.c["email"].like("%gmail%").str() << "\n";
  std::cout << users_table.c["id"].in_({1, 2, 3}).str() << "\n";

  std::cout << "\nLogical:\n";
  ColumnElement adults_active = (users_table.c["age"] > 18) & (users_table.c["is_active"] == true);
  ColumnElement tehran_or_isfahan =
      (users_table.c["city"] == "Tehran") | (users_table.c["city"] == "Isfahan");
  std::cout << adults_active.str() << "\n" << tehran_or_isfahan.str() << "\n";

  // The expressions become WHERE clauses.
  auto names = [&](const ColumnElement& criterion) {
    std::string out;
    auto stmt = select(users_table.c["name"]).where(criterion).order_by(users_table.c["id"]);
    for (const std::string& n : conn.execute(stmt).scalars<std::string>())
      out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  std::cout << "\nage > 18 AND is_active: " << names(adults_active) << "\n";
  std::cout << "Tehran OR Isfahan: " << names(tehran_or_isfahan) << "\n";
  std::cout << "email LIKE '%gmail%': " << names(users_table.c["email"].like("%gmail%")) << "\n";
  std::cout << "id IN (1, 2, 3): " << names(users_table.c["id"].in_({1, 2, 3})) << "\n";
  std::cout << "NOT (city = 'Tehran'): " << names(~(users_table.c["city"] == "Tehran")) << "\n";
  std::cout << "age BETWEEN 20 AND 35: " << names(users_table.c["age"].between(20, 35)) << "\n";

  // ---- Beyond the guide ------------------------------------------------------
  // Labels, HAVING, CASE, string concatenation and arithmetic.
  auto n_users = func.count(users_table.c["id"]).label("n_users");
  auto big_cities = select(users_table.c["city"], n_users)
                        .group_by(users_table.c["city"])
                        .having(func.count(users_table.c["id"]) > 1)
                        .order_by(users_table.c["city"]);
  std::cout << "\n" << big_cities.str() << "\n";
  for (const Row& r : conn.execute(big_cities))
    std::cout << r.get<std::string>("city") << ": " << r.get<std::int64_t>("n_users") << "\n";

  auto described =
      select(
          users_table.c["name"].concat(" (").concat(users_table.c["city"]).concat(")").label("who"),
          case_({{users_table.c["age"] < 18, "minor"}, {users_table.c["age"] < 40, "adult"}},
                "senior")
              .label("group"),
          (users_table.c["age"] * 12).label("months"))
          .order_by(users_table.c["id"]);
  std::cout << "\n" << described.str() << "\n";
  for (const Row& r : conn.execute(described))
    std::cout << r.get<std::string>("who") << ": " << r.get<std::string>("group") << ", "
              << r.get<std::int64_t>("months") << " months\n";

  // A window function: each user's rank by age within their city.
  auto ranked = select(users_table.c["city"], users_table.c["name"],
                       func.rank()
                           .over({.partition_by = {users_table.c["city"]},
                                  .order_by = {desc(users_table.c["age"])}})
                           .label("age_rank"))
                    .order_by(users_table.c["city"], users_table.c["age"].desc());
  std::cout << "\n" << ranked.str() << "\n";
  for (const Row& r : conn.execute(ranked))
    std::cout << r.get<std::string>("city") << " #" << r.get<std::int64_t>("age_rank") << ": "
              << r.get<std::string>("name") << "\n";

  conn.close();
  tables.drop(engine);
  return 0;
}
