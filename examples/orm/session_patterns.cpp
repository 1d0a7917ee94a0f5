// Guide: "Advanced Topics -> Session Management Patterns" (session per
// request, contextual sessions, thread-local sessions).
//
// Python:
//   def get_db():
//       db = SessionLocal()   # Create a new Session
//       try: yield db         # Use in endpoint
//       finally: db.close()   # Close Session after request ends
//   @app.get("/users")
//   def get_users(db: Session = Depends(get_db)): return db.query(User).all()
//
//   Session = scoped_session(sessionmaker(bind=engine))
//   def some_function():
//       return Session.query(User).first()  # Same Session for current Thread
//   Session.remove()
//
//   session_registry = threading.local()
//   def get_session():
//       if not hasattr(session_registry, 'session'):
//           session_registry.session = SessionLocal()
//       return session_registry.session
//
// C++: `Session()` of a scoped_session returns the calling thread's session;
// threading.local() is a thread_local variable, destroyed (so the session
// closed) when its thread ends.
#include <alchemy/orm.hpp>
#include <iostream>
#include <thread>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;
  std::string name;
};

// ---- Session per request --------------------------------------------------------------
template <class Endpoint>
auto handle_request(const orm::sessionmaker& SessionLocal, Endpoint endpoint) {
  orm::Session db = SessionLocal();  // a new session for this request
  return endpoint(db);
}  // closed when the request ends

std::vector<std::shared_ptr<User>> get_users(orm::Session& db) {
  return db.query<User>().order_by(orm::col(&User::id)).all();
}

// ---- Thread-local sessions --------------------------------------------------------------
const orm::sessionmaker* SessionLocal = nullptr;
thread_local std::unique_ptr<orm::Session> session_registry;

orm::Session& get_session() {
  if (!session_registry) session_registry = std::make_unique<orm::Session>((*SessionLocal)());
  return *session_registry;
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_patterns.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  orm::sessionmaker factory(engine);
  SessionLocal = &factory;
  std::cout << std::boolalpha;

  handle_request(factory, [](orm::Session& db) {
    db.add_all(std::vector{std::make_shared<User>(User{.name = "Ahmad"}),
                           std::make_shared<User>(User{.name = "علی"})});
    db.commit();
    return 0;
  });
  auto users = handle_request(factory, get_users);
  std::cout << "GET /users:";
  for (const auto& u : users) std::cout << " " << u->name;
  std::cout << " (detached after the request: " << orm::inspect(users[0]).detached() << ")\n";

  // ---- Contextual sessions: scoped_session -------------------------------------------------
  orm::scoped_session Session(factory);
  auto some_function = [&Session] { return Session().query<User>().first(); };
  auto first = some_function();
  std::cout << "\nsome_function(): " << first->name << "\n";
  std::cout << "same session in this thread: " << (&Session() == &Session()) << "\n";
  std::cout << "the user is in it: " << Session().contains(first) << "\n";
  const orm::Session* main_session = &Session();
  std::thread([&] {
    std::cout << "another thread gets its own: " << (&Session() != main_session) << "\n";
    Session.remove();
  }).join();
  Session.remove();  // close and discard this thread's session
  std::cout << "after remove(): has a session: " << Session.has()
            << ", user detached: " << orm::inspect(first).detached() << "\n";

  // ---- Thread-local sessions ----------------------------------------------------------------
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i)
    workers.emplace_back([i] {
      orm::Session& session = get_session();  // created on first use in this thread
      session.add(std::make_shared<User>(User{.name = "worker " + std::to_string(i)}));
      get_session().commit();  // the same session again
    });                        // thread ends: its session_registry is destroyed, the session closed
  for (auto& t : workers) t.join();
  std::cout << "\neach worker committed one user through its own session; users now: "
            << get_session().query<User>().count() << "\n";
  session_registry.reset();

  Base.metadata.drop_all(engine);
  return 0;
}
