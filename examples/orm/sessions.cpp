// Guide: "SQLAlchemy ORM -> Sessions" (lifecycle, configuration, the five
// object states, commit and rollback, the context manager).
//
// Python:
//   Session = sessionmaker(bind=engine)
//   session = Session()
//   user = User(name="Ahmad"); session.add(user); session.commit(); session.close()
//
//   Session = sessionmaker(bind=engine, autoflush=False, autocommit=False,
//                          expire_on_commit=False)
//
//   user = User(name="Ahmad")            # 1. Transient
//   session.add(user)                    # 2. Pending:    print(user in session.new)
//   session.commit()                     # 3. Persistent: print(user in session), user.id
//   session.expunge(user)                # 4. Detached:   print(user in session)
//   session.delete(user)                 # 5. Deleted:    print(user in session.deleted)
//
//   try: session.add_all([user1, user2]); session.commit()
//   except: session.rollback()
//   finally: session.close()
//
//   with Session() as session: ...       # closes itself at the end
//
// SQLAlchemy 2.0 has no autocommit option: a session begins a transaction
// when first used (autobegin) and commits only on commit(). In C++ the
// context manager is the scope: a Session closes (rolls back) when destroyed.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;
  std::string name;
};

const char* state(const std::shared_ptr<User>& u) {
  const char* names[] = {"transient", "pending", "persistent", "deleted", "detached"};
  return names[static_cast<int>(orm::inspect(u).state)];
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_sessions.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50), unique()));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  std::cout << std::boolalpha;

  // ---- Lifecycle and the five states -------------------------------------------------
  orm::sessionmaker Session(engine);  // a factory of sessions
  orm::Session session = Session();
  auto user = std::make_shared<User>(User{.name = "Ahmad"});
  std::cout << "1. " << state(user) << "\n";
  session.add(user);
  std::cout << "2. " << state(user) << ", user in session.new: " << session.new_().contains(user)
            << "\n";
  session.commit();
  std::cout << "3. " << state(user) << ", user in session: " << session.contains(user)
            << ", user.id: " << user->id << "\n";
  session.expunge(user);
  std::cout << "4. " << state(user) << ", user in session: " << session.contains(user) << "\n";
  session.delete_(user);  // re-attaches the detached object, marked for deletion
  std::cout << "5. user in session.deleted: " << session.deleted().contains(user) << "\n";
  session.flush();
  std::cout << "   after flush: " << state(user) << "\n";
  session.commit();
  std::cout << "   after commit: " << state(user) << "\n";
  session.close();

  // ---- Configuration -----------------------------------------------------------------
  orm::sessionmaker Configured(engine, {.autoflush = false, .expire_on_commit = false});
  {
    orm::Session s = Configured();
    auto ali = std::make_shared<User>(User{.name = "علی"});
    s.add(ali);
    std::cout << "\nautoflush=False: count before flush: " << s.query<User>().count() << "\n";
    s.commit();
    std::cout << "expire_on_commit=False: expired after commit: " << orm::inspect(ali).expired
              << ", name: " << ali->name << "\n";
  }

  // ---- Commit and rollback -----------------------------------------------------------
  for (const char* second : {"Sara", "علی"}) {  // "علی" already exists: name is unique
    orm::Session s = Session();
    try {
      auto user1 = std::make_shared<User>(User{.name = "Ahmad"});
      auto user2 = std::make_shared<User>(User{.name = second});
      s.add_all(std::vector{user1, user2});
      s.commit();
      std::cout << "committed Ahmad and " << second << "\n";
    } catch (const IntegrityError&) {
      s.rollback();
      std::cout << "IntegrityError: rolled back Ahmad and " << second << "\n";
    }
    s.close();  // `finally`; the destructor would close it too
  }

  // ---- Context manager: the session closes at the end of the scope ---------------------
  {
    orm::Session s = Session();
    s.add(std::make_shared<User>(User{.name = "Reza"}));
    s.commit();
  }
  {
    orm::Session s = Session();
    s.add(std::make_shared<User>(User{.name = "Not committed"}));
  }  // closed without commit: rolled back
  orm::Session check = Session();
  std::cout << "users:";
  for (const auto& u : check.query<User>().order_by(orm::col(&User::id)).all())
    std::cout << " " << u->name;
  std::cout << "\n";
  check.close();

  Base.metadata.drop_all(engine);
  return 0;
}
