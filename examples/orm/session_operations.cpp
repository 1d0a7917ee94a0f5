// Basics guide: "Session Management" (session basics, session operations,
// flush vs commit).
//
// Python:
//   SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)
//   @contextmanager
//   def get_db_session():  # yield db, then commit; rollback on an exception; close
//   db.add(user); db.add_all([user1, user2, user3]); db.commit(); db.rollback()
//   db.refresh(user); db.expunge(user); db.expire(user); db.delete(user)
//   user in db; state = inspect(user); state.pending / persistent / detached / transient
//   db.add(user); db.flush(); print(user.id)      # has an id, not committed
//   post = Post(title="Hello", user_id=user.id); db.add(post); db.commit()
//
// The @contextmanager becomes a function that runs a callable with a session.
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;
  std::string name;
};
struct Post {
  std::int64_t id = 0;
  std::string title;
  std::int64_t user_id = 0;
};

// get_db_session(): commit on success, rollback on an exception, always close.
template <class F>
void with_db_session(const orm::sessionmaker& SessionLocal, F body) {
  orm::Session db = SessionLocal();
  try {
    body(db);
    db.commit();
  } catch (...) {
    db.rollback();
    throw;
  }
}  // db.close(): the destructor

void print_state(const char* what, const std::shared_ptr<User>& u) {
  auto state = orm::inspect(u);
  std::cout << what << ": transient=" << state.transient() << " pending=" << state.pending()
            << " persistent=" << state.persistent() << " detached=" << state.detached() << "\n";
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_session_ops.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)));
  Base.map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::title>("title", String(200)),
                 orm::column<&Post::user_id>("user_id", ForeignKey("users.id")));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  orm::sessionmaker SessionLocal(engine, {.autoflush = false});
  std::cout << std::boolalpha;

  // ---- Session basics ------------------------------------------------------------------
  with_db_session(SessionLocal, [](orm::Session& db) {
    db.add(std::make_shared<User>(User{.name = "Tarun"}));
  });  // auto-commits on exit
  try {
    with_db_session(SessionLocal, [](orm::Session& db) {
      db.add(std::make_shared<User>(User{.name = "Lost"}));
      throw std::runtime_error("something went wrong");
    });
  } catch (const std::runtime_error& e) {
    std::cout << "rolled back: " << e.what() << "\n";
  }

  // ---- Session operations --------------------------------------------------------------
  orm::Session db = SessionLocal();
  auto user = std::make_shared<User>(User{.name = "علی"});
  print_state("new object", user);
  db.add(user);
  print_state("after add", user);
  auto user1 = std::make_shared<User>(User{.name = "Sara"});
  auto user2 = std::make_shared<User>(User{.name = "Reza"});
  db.add_all(std::vector{user1, user2});
  db.commit();
  print_state("after commit", user);

  user1->name = "Sara Ahmadi";
  std::cout << "changed in C++: in session.dirty: " << db.dirty().contains(user1) << "\n";
  db.rollback();  // the change was never flushed: reload it from the database
  db.refresh(user1);
  std::cout << "after rollback + refresh: " << user1->name << "\n";
  db.commit();  // ends the read transaction: an SQLite writer waits for open readers

  // Another connection renames علی: refresh() reloads the row now.
  engine.begin([](Connection& conn) {
    conn.execute(text("UPDATE users SET name = 'علی رضایی' WHERE name = 'علی'"));
  });
  db.refresh(user);
  std::cout << "refresh(): " << user->name << ", expired: " << orm::inspect(user).expired;
  db.expire(user);  // the next get() or query that meets the row reloads it
  std::cout << "; after expire(): expired: " << orm::inspect(user).expired << "\n";

  db.expunge(user2);
  std::cout << "user2 in db after expunge: " << db.contains(user2) << "\n";
  db.delete_(user1);
  db.commit();
  std::cout << "deleted Sara; users left: " << db.query<User>().count() << "\n";

  // ---- Flush vs commit -----------------------------------------------------------------
  auto writer = std::make_shared<User>(User{.name = "Tarun"});
  db.add(writer);
  db.flush();  // INSERT sent: the id is known, the transaction is still open
  std::cout << "\nafter flush: user.id = " << writer->id << "\n";
  db.add(std::make_shared<Post>(Post{.title = "Hello", .user_id = writer->id}));
  db.commit();  // both rows become permanent together
  std::cout << "posts committed: " << db.query<Post>().count() << "\n";
  db.close();

  Base.metadata.drop_all(engine);
  return 0;
}
