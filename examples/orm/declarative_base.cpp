// Guide: "SQLAlchemy ORM -> Declarative Base" (model definition, table mapping).
//
// Python (SQLAlchemy 2.0):
//   class Base(DeclarativeBase):
//       pass
//
//   class User(Base):
//       __tablename__ = "users"
//       id: Mapped[int] = mapped_column(primary_key=True)
//       name: Mapped[str] = mapped_column(String(50))
//       email: Mapped[str] = mapped_column(String(100))
//
//   class User(Base):                        # custom case: different names
//       __tablename__ = 'user_accounts'
//       user_id = Column("id", Integer, primary_key=True)     # id column -> user_id
//       full_name = Column("name", String(100))               # name column -> full_name
//
// C++: a model is a plain struct and the registry (the declarative base) maps
// it: member pointers name the attributes, strings name the columns. The SQL
// type and NULL-ability come from the member's C++ type, as Mapped[...] does
// it: std::int64_t is INTEGER, std::string is NOT NULL, std::optional<T> is
// nullable. The second model is called Account here: one struct per table.
// key("user_id") gives the attribute name the column goes by in Python
// (filter_by(), bulk mappings); C++ cannot read a member's name.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;  // 0: the database assigns it at flush
  std::string name;
  std::string email;
};

struct Account {
  std::int64_t user_id = 0;
  std::optional<std::string> full_name;
};

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_declarative.db"));

  orm::registry Base;  // class Base(DeclarativeBase): pass
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::column<&User::email>("email", String(100)));
  Base.map<Account>("user_accounts",
                    orm::column<&Account::user_id>("id", primary_key(), key("user_id")),
                    orm::column<&Account::full_name>("name", String(100), key("full_name")));

  // Each mapped class has a Core Table in Base.metadata.
  for (const orm::Mapper* m : Base.mappers()) {
    std::cout << m->class_name() << " -> table " << m->table().name() << "\n";
    for (const auto& a : m->attributes())
      std::cout << "  " << m->class_name() << "." << a.key << " -> column " << a.column.name()
                << " " << a.column.type()->repr() << (a.column.nullable() ? "" : " NOT NULL")
                << "\n";
  }
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  const auto& compiler = engine.dialect().statement_compiler();
  std::cout << CreateTable(orm::table_of<User>()).str(compiler) << "\n";
  std::cout << CreateTable(orm::table_of<Account>()).str(compiler) << "\n";

  // Each object of the class is one row of its table.
  {
    orm::Session session(engine);
    session.add(std::make_shared<User>(User{.name = "Ahmad", .email = "ahmad@test.com"}));
    session.add(std::make_shared<Account>(Account{.full_name = "علی"}));
    session.commit();
  }

  // Queries use the Python names; the SQL uses the database's.
  orm::Session session(engine);
  auto ahmad = session.query<User>().filter(orm::col(&User::name) == "Ahmad").one();
  std::cout << "User(id=" << ahmad->id << ", name='" << ahmad->name << "', email='" << ahmad->email
            << "')\n";
  auto by_name = orm::select<Account>().where(orm::col(&Account::full_name) == "علی");
  std::cout << by_name.str() << "\n";
  auto account = session.scalars(by_name).one();
  std::cout << "user_id=" << account->user_id << " full_name=" << account->full_name.value_or("")
            << "\n";
  auto same = session.query<Account>().filter_by({{"full_name", "علی"}}).one();
  std::cout << "filter_by(full_name=...) finds the same object: " << std::boolalpha
            << (same == account) << "\n";
  session.close();

  Base.metadata.drop_all(engine);
  return 0;
}
