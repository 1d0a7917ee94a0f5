// Guide: "SQLAlchemy ORM -> Declarative Base -> Column options".
//
// Python:
//   class User(Base):
//       __tablename__ = "users"
//       id = Column(Integer, primary_key=True)
//       name = Column(String(50), nullable=False)   # Required
//       email = Column(String(100), unique=True)    # Must be unique
//       is_active = Column(Boolean, default=True)   # Default value
//       created_at = Column(DateTime, default=datetime.utcnow)  # Creation time
//       updated_at = Column(DateTime, onupdate=datetime.utcnow) # Update time
//       city = Column(String(50), index=True)       # Index
//       status = Column(String(20), server_default="active") # Server-side default
//
// Python-side defaults (default_, onupdate) run in C++ at flush and apply to
// empty std::optional members, as SQLAlchemy applies them to None. The server
// default is part of CREATE TABLE; flush fetches the value back.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;
  std::string name;  // std::string: NOT NULL
  std::optional<std::string> email;
  std::optional<bool> is_active;
  std::optional<DateTime> created_at;
  std::optional<DateTime> updated_at;
  std::optional<std::string> city;
  std::optional<std::string> status;
};

// datetime.utcnow as a callable default. (A lambda: a plain function would be
// ambiguous between default_(Value) and default_(std::function<Value()>).)
const auto utcnow = [] { return Value(DateTime::utcnow()); };

void show(const User& u) {
  std::cout << "  User(id=" << u.id << ", name='" << u.name << "', is_active=" << std::boolalpha
            << u.is_active.value_or(false) << ", created_at " << (u.created_at ? "set" : "None")
            << ", updated_at " << (u.updated_at ? "set" : "None") << ", status='"
            << u.status.value_or("None") << "')\n";
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_columns.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50), nullable(false)),
                 orm::column<&User::email>("email", String(100), unique()),
                 orm::column<&User::is_active>("is_active", default_(true)),
                 orm::column<&User::created_at>("created_at", default_(utcnow)),
                 orm::column<&User::updated_at>("updated_at", onupdate(utcnow)),
                 orm::column<&User::city>("city", String(50), index()),
                 orm::column<&User::status>("status", String(20), server_default("active")));

  // The DDL create_all() runs: NOT NULL, UNIQUE, the index and the server default.
  Base.metadata.drop_all(engine);
  auto id = event::listen(engine, event::before_cursor_execute,
                          [](Connection&, const CursorExecuteContext& ctx) {
                            if (ctx.statement.rfind("CREATE", 0) == 0)
                              std::cout << ctx.statement << "\n";
                          });
  Base.metadata.create_all(engine);
  event::remove(engine, event::before_cursor_execute, id);

  orm::Session session(engine);
  auto ahmad = std::make_shared<User>(User{.name = "Ahmad", .email = "ahmad@test.com"});
  ahmad->city = "Tehran";
  auto ali = std::make_shared<User>(User{.name = "علی", .is_active = false});  // default overridden
  session.add_all(std::vector{ahmad, ali});
  session.commit();
  std::cout << "\nAfter INSERT (defaults filled in):\n";
  show(*ahmad);
  show(*ali);

  ahmad->city = "Isfahan";
  session.commit();  // UPDATE ... SET city, updated_at
  std::cout << "After UPDATE (onupdate ran):\n";
  show(*ahmad);

  // Must be unique: the database refuses a second ahmad@test.com.
  session.add(std::make_shared<User>(User{.name = "Reza", .email = "ahmad@test.com"}));
  try {
    session.commit();
  } catch (const IntegrityError&) {
    std::cout << "\nSame email again: IntegrityError\n";
    session.rollback();
  }
  // Required: a std::string member cannot be None, so try it with a Core INSERT.
  try {
    session.execute(orm::table_of<User>().insert().values({{"email", "x@test.com"}}));
  } catch (const IntegrityError&) {
    std::cout << "No name: IntegrityError\n";
    session.rollback();
  }
  std::cout << "users: " << session.query<User>().count() << "\n";
  session.close();

  Base.metadata.drop_all(engine);
  return 0;
}
