// Guide: "SQLAlchemy ORM -> Basic Queries -> Ordering, Limiting".
//
// Python:
//   users = session.query(User).order_by(User.name).all()
//   users = session.query(User).order_by(User.created_at.desc()).all()
//   users = session.query(User).order_by(User.city, User.name.desc()).all()
//   session.query(User).order_by(func.length(User.name))
//   session.query(User).order_by(func.random()).limit(5)
//   session.query(User).order_by(User.phone.nullslast())
//
//   users = session.query(User).limit(10).all()
//   users = session.query(User).offset(20).limit(10).all()
//   latest_users = session.query(User).order_by(User.created_at.desc()).limit(5).all()
//
// nullslast() is nulls_last() here; on a backend without NULLS LAST it is
// emulated with an extra "IS NULL" sort key.
#include <iostream>

#include "example_support.hpp"
#include "orm/models.hpp"

using namespace alchemy;
using examples::print_names;
using examples::User;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_ordering.db"));
  examples::QueryModels models;
  models.reset(engine);
  orm::Session session(engine);
  auto id = orm::col(&User::id);
  auto name = orm::col(&User::name);
  auto city = orm::col(&User::city);
  auto created_at = orm::col(&User::created_at);

  // ---- Ordering ----------------------------------------------------------------
  print_names("Ascending by name", session.query<User>().order_by(name).all());
  print_names("Descending by created_at", session.query<User>().order_by(created_at.desc()).all());
  auto multiple = session.query<User>().order_by(city, name.desc());
  std::cout << multiple.str() << "\n";
  print_names("By city, then name descending", multiple.all());

  // Names of equal length would come back in any order: id breaks the ties.
  print_names("By name length", session.query<User>().order_by(func.length(name), id).all());
  auto random5 = session.query<User>().order_by(func.random()).limit(5).all();
  std::cout << "Random: " << random5.size() << " users (a different five each run)\n";
  auto nulls_last = session.query<User>().order_by(orm::col(&User::phone).nulls_last(), id);
  std::cout << nulls_last.str() << "\n";
  for (const auto& u : nulls_last.all())
    std::cout << "  " << u->name << ": " << u->phone.value_or("NULL") << "\n";

  // ---- Limiting ------------------------------------------------------------------
  std::cout << "\n";
  print_names("limit(10)", session.query<User>().limit(10).all());
  // Only seven users: records 20 to 30 do not exist.
  print_names("offset(20).limit(10)", session.query<User>().offset(20).limit(10).all());
  // Pages of three: the second page.
  auto page2 = session.query<User>().order_by(id).offset(3).limit(3);
  std::cout << page2.str() << "\n";
  print_names("offset(3).limit(3)", page2.all());
  print_names("Latest 5", session.query<User>().order_by(created_at.desc()).limit(5).all());

  session.close();
  models.Base.metadata.drop_all(engine);
  return 0;
}
