// Guide: "SQLAlchemy ORM -> Basic Queries -> Query objects, Filtering".
//
// Python:
//   query = session.query(User)
//   users = query.all(); first_user = query.first()
//   user_count = query.count(); one_user = query.one()     # must be exactly one
//
//   adult_users = session.query(User).filter(User.age >= 18).all()
//   active_users = session.query(User).filter_by(is_active=True).all()
//   session.query(User).filter(User.age >= 18, User.is_active == True, User.city == 'Tehran')
//   User.name.like('Ahmad%'); User.email.contains('@gmail'); User.id.in_([1, 2, 3])
//   User.age.between(18, 65); User.phone.is_(None)
//   and_(User.age >= 18, User.is_active == True)
//   or_(User.city == 'Tehran', User.city == 'Isfahan'); not_(User.is_deleted)
//
// A query is built lazily: nothing runs until all(), first(), count() or one().
// Attributes are orm::col(&User::age): typed column expressions, so comparing
// age with a string does not compile.
#include <iostream>

#include "example_support.hpp"
#include "orm/models.hpp"

using namespace alchemy;
using examples::User;

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_queries.db"));
  examples::QueryModels models;
  models.reset(engine);
  orm::Session session(engine);

  // ---- Query objects -------------------------------------------------------------
  orm::Query<User> query = session.query<User>();
  std::cout << "query: " << query.str() << "\n";
  auto users = query.all();
  std::cout << "all(): " << users.size() << " users\n";
  std::cout << "first(): " << query.first()->name << "\n";
  std::cout << "count(): " << query.count() << "\n";
  try {
    query.one();
  } catch (const MultipleResultsFound& e) {
    std::cout << "one(): MultipleResultsFound: " << e.what() << "\n";
  }
  auto zahra = session.query<User>().filter(orm::col(&User::email) == "zahra@test.com").one();
  std::cout << "one() with a filter: " << zahra->name << " (" << zahra->city << ")\n";

  // ---- Filtering ---------------------------------------------------------------------
  auto id = orm::col(&User::id);
  auto name = orm::col(&User::name);
  auto email = orm::col(&User::email);
  auto age = orm::col(&User::age);
  auto city = orm::col(&User::city);
  auto is_active = orm::col(&User::is_active);

  std::cout << "\n";
  examples::print_names("age >= 18", session.query<User>().filter(age >= 18).all());
  examples::print_names("filter_by(is_active=True)",
                        session.query<User>().filter_by({{"is_active", true}}).all());
  auto several = session.query<User>().filter(age >= 18, is_active == true, city == "Tehran");
  std::cout << several.str() << "\n";
  examples::print_names("adult, active, in Tehran", several.all());

  std::cout << "\nOperators:\n";
  examples::print_names("name.like('Ahmad%')",
                        session.query<User>().filter(name.like("Ahmad%")).all());
  examples::print_names("email.contains('@gmail')",
                        session.query<User>().filter(email.contains("@gmail")).all());
  examples::print_names(
      "id.in_([1, 2, 3])",
      session.query<User>().filter(id.in_(std::vector<std::int64_t>{1, 2, 3})).all());
  examples::print_names("age.between(18, 65)",
                        session.query<User>().filter(age.between(18, 65)).all());
  examples::print_names("phone.is_(None)",
                        session.query<User>().filter(orm::col(&User::phone).is_(nullptr)).all());

  std::cout << "\nCombined conditions:\n";
  examples::print_names("and_(age >= 18, is_active == True)",
                        session.query<User>().filter(and_(age >= 18, is_active == true)).all());
  examples::print_names(
      "or_(city == 'Tehran', city == 'Isfahan')",
      session.query<User>().filter(or_(city == "Tehran", city == "Isfahan")).all());
  auto not_deleted = session.query<User>().filter(not_(orm::col(&User::is_deleted)));
  std::cout << not_deleted.str() << "\n";
  examples::print_names("not_(is_deleted)", not_deleted.all());

  // The same filters as a 2.0-style statement: session.scalars(select(User).where(...)).
  auto stmt = orm::select<User>().where(city == "Tehran", age < 30);
  examples::print_names("\nselect(User).where(city == 'Tehran', age < 30)",
                        session.scalars(stmt).all());

  session.close();
  models.Base.metadata.drop_all(engine);
  return 0;
}
