// Guide: "Real-world Applications -> Design Patterns" (repository, unit of
// work, data mapper, active record).
//
// Python:
//   class UserRepository:
//       def get_by_id(self, user_id):
//           return self.session.query(User).filter(User.id == user_id).first()
//       def add(self, user): self.session.add(user); self.session.commit()
//   class UnitOfWork:
//       def __enter__(self): self.session = self.session_factory(); return self.session
//       def __exit__(self, exc_type, exc_val, exc_tb):
//           self.session.rollback() if exc_type else self.session.commit(); self.session.close()
//   user = User(name="Sara"); session.add(user); session.commit()   # data mapper
//   def save(self, session): session.add(self); session.commit()     # active record
//
// C++: __enter__/__exit__ are a constructor and a destructor, which tells an
// exception from a normal exit with std::uncaught_exceptions().
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User : std::enable_shared_from_this<User> {
  std::int64_t id = 0;
  std::string name;

  User() = default;  // the ORM creates loaded objects with it
  explicit User(std::string n) : name(std::move(n)) {}

  void save(orm::Session& session) {  // active record: the object saves itself
    session.add(shared_from_this());
    session.commit();
  }
};

class UserRepository {
 public:
  explicit UserRepository(orm::Session& session) : session_(session) {}
  std::shared_ptr<User> get_by_id(std::int64_t user_id) {
    return session_.query<User>().filter(orm::col(&User::id) == user_id).first();
  }
  void add(const std::shared_ptr<User>& user) {
    session_.add(user);
    session_.commit();
  }

 private:
  orm::Session& session_;
};

class UnitOfWork {
 public:
  explicit UnitOfWork(const orm::sessionmaker& session_factory)
      : session(session_factory()), exceptions_(std::uncaught_exceptions()) {}
  ~UnitOfWork() noexcept(false) {  // then ~Session() closes the session
    if (std::uncaught_exceptions() > exceptions_)
      session.rollback();  // an error left the block
    else
      session.commit();
  }
  orm::Session session;

 private:
  int exceptions_;
};

int main(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_design_patterns.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  orm::sessionmaker Session(engine);
  auto count = [&] { return Session().query<User>().count(); };

  // ---- Repository ------------------------------------------------------------------------
  {
    orm::Session session = Session();
    UserRepository repo(session);
    repo.add(std::make_shared<User>("Ali"));
    std::cout << "repo.get_by_id(1): " << repo.get_by_id(1)->name << "\n";
  }

  // ---- Unit of Work -------------------------------------------------------------------------
  {
    UnitOfWork uow(Session);
    uow.session.add(std::make_shared<User>("Ahmad"));
  }  // committed
  try {
    UnitOfWork uow(Session);
    uow.session.add(std::make_shared<User>("Lost"));
    throw std::runtime_error("payment failed");
  } catch (const std::exception& e) {
    std::cout << "unit of work rolled back (" << e.what() << ")\n";
  }
  std::cout << "users after the units of work: " << count() << "\n";

  // ---- Data Mapper: the class knows nothing about SQL; the mapper writes it -------------------
  auto listener = event::listen(engine, event::before_cursor_execute,
                                [](Connection&, const CursorExecuteContext& ctx) {
                                  if (ctx.statement.rfind("INSERT", 0) == 0)
                                    std::cout << "mapper: " << ctx.statement << "\n";
                                });
  orm::Session session = Session();
  session.add(std::make_shared<User>("Sara"));
  session.commit();
  event::remove(engine, event::before_cursor_execute, listener);

  // ---- Active Record ------------------------------------------------------------------------
  auto user = std::make_shared<User>("ندا");  // Neda
  user->save(session);                        // Class itself saved the data
  std::cout << "user.save(): id=" << user->id << " name=" << user->name << "\n";
  session.close();
  std::cout << "users: " << count() << "\n";

  Base.metadata.drop_all(engine);
  return 0;
}
