// Guide: "SQLAlchemy Core -> Column types" and the basics guide's "Column Types
// -> Common Column Types", as Core Table objects.
//
// Python (the guide):
//   users = Table('users', metadata,
//       Column('id', Integer), Column('age', Integer),
//       Column('salary', Float), Column('balance', Numeric(10, 2)),
//       Column('name', String(50)), Column('bio', Text),
//       Column('created_at', DateTime), Column('birth_date', DateTime),
//       Column('is_active', Boolean, default=True))
//
// Python (the basics guide, shortened):
//   class UserRole(enum.Enum): ADMIN = "admin"; USER = "user"; MODERATOR = "moderator"
//   small_num = Column(SmallInteger); big_num = Column(BigInteger)
//   unicode_text = Column(Unicode(100)); exact_price = Column(Numeric(10, 2))
//   birth_date = Column(Date); start_time = Column(Time); duration = Column(Interval)
//   file_data = Column(LargeBinary); role = Column(Enum(UserRole))
//   settings = Column(JSON); tags = Column(ARRAY(String))   # PostgreSQL only
//
// Date, DateTime, Time and Interval name C++ value types in alchemy::, so the
// SQL types are spelled types::Date, types::DateTime, types::Time and
// types::Interval. Each column's value comes back as the matching C++ type
// (Decimal, Date, DateTime, Time, Interval, Bytes, Json ...) on every backend,
// even where the database stores it as text (SQLite).
#include <alchemy/alchemy.hpp>
#include <iomanip>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///types_example.db"));
  MetaData metadata;

  // The guide's table.
  Table users("users", metadata,
              // Numbers
              Column("id", Integer, primary_key()), Column("age", Integer), Column("salary", Float),
              Column("balance", Numeric(10, 2)),  // 10 digits, 2 decimal places
              // Text
              Column("name", String(50)),  // max 50 characters
              Column("bio", Text),         // long text
              // Date and time
              Column("created_at", types::DateTime), Column("birth_date", types::DateTime),
              // True/False
              Column("is_active", Boolean, default_(true)));

  // The basics guide's "examples" table. Enum takes the values and, for
  // PostgreSQL's CREATE TYPE, a type name (SQLAlchemy derives it from the class).
  Table examples("examples", metadata, Column("id", Integer, primary_key()),
                 // Integers
                 Column("small_num", SmallInteger),  // -32768 to 32767
                 Column("regular_num", Integer),     // -2B to 2B
                 Column("big_num", BigInteger),      // very large numbers
                 // Strings
                 Column("short_text", String(100)),     // VARCHAR(100)
                 Column("long_text", Text),             // TEXT (unlimited)
                 Column("unicode_text", Unicode(100)),  // NVARCHAR where the backend has it
                 // Booleans
                 Column("is_active", Boolean, default_(true)),
                 // Numbers
                 Column("price", Float),                 // approximate decimals
                 Column("exact_price", Numeric(10, 2)),  // exact: 10 digits, 2 decimals
                 // Date/Time
                 Column("birth_date", types::Date),      // date only
                 Column("created_at", types::DateTime),  // date and time
                 Column("start_time", types::Time),      // time only
                 Column("duration", types::Interval),    // time interval
                 // Binary
                 Column("file_data", LargeBinary),
                 // Enum
                 Column("role", Enum({"admin", "user", "moderator"}, "userrole")),
                 // JSON (PostgreSQL, MySQL 5.7+, SQLite 3.9+)
                 Column("settings", JSON));
  // How each type is spelled in CREATE TABLE, per dialect, and str(type).
  auto sqlite = load_dialect("sqlite", "");
  auto pg = load_dialect("postgresql", "");
  std::cout << std::left << std::setw(14) << "column" << std::setw(16) << "SQLite" << std::setw(29)
            << "PostgreSQL"
            << "str(type)\n";
  for (const Column& c : examples.columns_list())
    std::cout << std::setw(14) << c.name() << std::setw(16)
              << sqlite->statement_compiler().type_ddl(*c.type()) << std::setw(29)
              << pg->statement_compiler().type_ddl(*c.type()) << c.type()->repr() << "\n";

  // Array (PostgreSQL only): add the column only there.
  const bool postgresql = engine.name() == "postgresql";
  if (postgresql) examples.append_column(Column("tags", ARRAY(String)));

  metadata.drop_all(engine);
  metadata.create_all(engine);

  // One row with a value of every type.
  Params row{{"small_num", 7},
             {"regular_num", 2'000'000'000},
             {"big_num", std::int64_t{9'000'000'000'000}},
             {"short_text", "short"},
             {"long_text", std::string(1000, 'x')},
             {"unicode_text", "سلام"},
             {"price", 19.99},
             {"exact_price", Decimal("1234.50")},
             {"birth_date", Date{1990, 5, 17}},
             {"created_at", DateTime{{2024, 1, 2}, {3, 4, 5, 600000}, std::nullopt}},
             {"start_time", Time{9, 30, 0, 0}},
             {"duration", std::chrono::hours(36) + std::chrono::minutes(15)},
             {"file_data", Bytes{0xde, 0xad, 0xbe, 0xef}},
             {"role", "admin"},
             {"settings", Json{R"({"theme": "dark"})"}}};
  if (postgresql) row.set("tags", "{python,sql}");
  engine.begin([&](Connection& conn) {
    conn.execute(examples.insert(), row);
    conn.execute(
        users.insert().values({{"name", "Ahmad"},
                               {"salary", 1500.5},
                               {"balance", Decimal("99.90")},
                               {"birth_date", DateTime{{1990, 5, 17}, {}, std::nullopt}}}));
  });

  // Read them back: each value as its C++ type.
  auto conn = engine.connect();
  Row r = conn.execute(select(examples).where(examples.c["id"] == 1)).one();
  for (std::size_t i = 1; i < r.size(); ++i) {
    if (r.keys()[i] == "tags") continue;  // PostgreSQL only: shown below
    Value v = r[i];
    std::string shown = v.repr();
    if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
    std::cout << std::setw(14) << r.keys()[i] << std::setw(10) << to_string(v.kind()) << shown
              << "\n";
  }
  if (postgresql) std::cout << "(PostgreSQL) tags: " << r["tags"].repr() << "\n";
  // Typed access converts, e.g. an exact Decimal and a std::chrono date.
  std::cout << "exact_price: " << r.get<Decimal>("exact_price").str()
            << ", birth_date year: " << static_cast<int>(r.get<Date>("birth_date").year) << "\n";

  Row u = conn.execute(select(users).where(users.c["name"] == "Ahmad")).one();
  std::cout << "users row: " << u.repr() << "\n";
  std::cout << "is_active defaulted to " << std::boolalpha << u.get<bool>("is_active") << "\n";

  // A value that does not fit its column is refused before it reaches the database.
  try {
    conn.execute(examples.insert().values({{"role", "superuser"}}));
  } catch (const StatementError& e) {
    std::cout << "StatementError: " << e.message() << "\n";
  }
  conn.close();
  metadata.drop_all(engine);
  return 0;
}
