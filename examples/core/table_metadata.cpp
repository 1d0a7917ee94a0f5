// Guide: "SQLAlchemy Core -> Table Definition and MetaData -> Table objects".
//
// Python:
//   metadata = MetaData()
//   users_table = Table('users', metadata,
//       Column('id', Integer, primary_key=True),
//       Column('name', String(50), nullable=False),
//       Column('email', String(100), unique=True),
//       Column('created_at', DateTime, default=datetime.utcnow)
//   )
//   engine = create_engine("sqlite:///example.db")
//   metadata.create_all(engine)
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  MetaData metadata;

  // Define users table. DateTime the SQL type is types::DateTime (DateTime alone
  // is the C++ value); the default is a callable run for each inserted row.
  Table users_table(
      "users", metadata, Column("id", Integer, primary_key()),
      Column("name", String(50), nullable(false)), Column("email", String(100), unique()),
      Column("created_at", types::DateTime, default_([] { return Value(DateTime::utcnow()); })));

  // The MetaData knows its tables; a table knows its columns (`.c`).
  for (const auto& [name, table] : metadata.tables()) std::cout << "table: " << name << "\n";
  for (const Column& c : users_table.columns_list())
    std::cout << "  " << c.name() << " " << c.type()->repr()
              << (c.primary_key() ? " PRIMARY KEY" : "") << (c.nullable() ? "" : " NOT NULL")
              << (c.unique() ? " UNIQUE" : "") << "\n";
  std::cout << "users_table.c.name: " << users_table.c["name"].str() << "\n";

  // Create table.
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///example.db"));
  metadata.drop_all(engine);  // start from scratch on every run
  metadata.create_all(engine);
  // What create_all() ran for this table (SQLAlchemy: print(CreateTable(users_table))).
  std::cout << CreateTable(users_table).str(engine.dialect().statement_compiler()) << "\n";

  // The Python-side default fills created_at when an INSERT leaves it out.
  engine.begin([&](Connection& conn) {
    conn.execute(users_table.insert().values({{"name", "Ali"}, {"email", "ali@test.com"}}));
  });
  auto conn = engine.connect();
  Row row = conn.execute(select(users_table)).one();
  std::cout << "Name: " << row.get<std::string>("name")
            << ", created_at set: " << (row.is_null(3) ? "no" : "yes") << " ("
            << to_string(row["created_at"].kind()) << ")\n";
  conn.close();

  metadata.drop_all(engine);
  return 0;
}
