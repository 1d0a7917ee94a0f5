// Guide: "SQLAlchemy Core -> Indexes".
//
// Python:
//   users = Table('users', metadata,
//       Column('id', Integer, primary_key=True),
//       Column('email', String(100)),
//       Column('city', String(50)),
//       Column('age', Integer),
//       Index('idx_email', 'email'),                        # Simple Index
//       Index('idx_city_age', 'city', 'age'),               # Composite Index
//       Index('idx_email_unique', 'email', unique=True))    # Unique Index
//
// create_all() creates a table's indexes right after the table. Beyond the
// guide: index=True on a column (named ix_<table>_<column>), an index on an
// expression, and creating/dropping one index on its own.
#include <alchemy/alchemy.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

// The names of the indexes on `table`, from the database's catalog (the
// Inspector answers this portably; here the catalog queries show what exists).
std::string index_names(const Engine& engine, const std::string& table) {
  auto conn = engine.connect();
  TextClause query =
      engine.name() == "sqlite"
          ? text(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")
          : text(
                "SELECT indexname FROM pg_indexes WHERE tablename = :t "
                "AND indexname NOT LIKE '%_pkey' ORDER BY indexname");
  std::string out;
  for (const Row& row : conn.execute(query, {{"t", table}}))
    out += (out.empty() ? "" : ", ") + row.get<std::string>(0);
  return out;
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///indexes.db"));
  const SQLCompiler& dialect = engine.dialect().statement_compiler();

  MetaData metadata;
  Index idx_email("idx_email", {"email"});                                 // Simple Index
  Index idx_city_age("idx_city_age", {"city", "age"});                     // Composite Index
  Index idx_email_unique("idx_email_unique", {"email"}, /*unique=*/true);  // Unique Index
  Table users("users", metadata, Column("id", Integer, primary_key()), Column("email", String(100)),
              Column("city", String(50)), Column("age", Integer),
              Column("name", String(50), index()),  // index=True: ix_users_name
              idx_email, idx_city_age, idx_email_unique);

  for (const Index* i : {&idx_email, &idx_city_age, &idx_email_unique})
    std::cout << CreateIndex(*i).str(dialect) << "\n";

  metadata.drop_all(engine);
  metadata.create_all(engine);
  std::cout << "indexes on users: " << index_names(engine, "users") << "\n";

  // The unique index refuses a second row with the same email.
  try {
    engine.begin([&](Connection& conn) {
      conn.execute(users.insert(),
                   std::vector<Params>{{{"email", "ali@test.com"}, {"city", "Tehran"}},
                                       {{"email", "ali@test.com"}, {"city", "Qom"}}});
    });
  } catch (const IntegrityError&) {
    std::cout << "duplicate email: IntegrityError from idx_email_unique\n";
  }

  // An index on an expression, created and dropped on its own (Index.create/drop).
  // It attaches itself to the table its expression mentions.
  Index ix_lower_email("ix_users_lower_email", {func.lower(users.c["email"])});
  std::cout << CreateIndex(ix_lower_email).str(dialect) << "\n";
  ix_lower_email.create(engine);
  std::cout << "indexes on users: " << index_names(engine, "users") << "\n";
  ix_lower_email.drop(engine);
  std::cout << DropIndex(ix_lower_email).str(dialect) << "\n";
  std::cout << "indexes on users: " << index_names(engine, "users") << "\n";

  metadata.drop_all(engine);
  return 0;
}
