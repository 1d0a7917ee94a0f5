// The guides' "Events and listeners" (before_insert sets created_at,
// after_update logs) and "Session events" (before_commit / after_commit).
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

namespace {
struct User {
  std::int64_t id = 0;
  std::string name;
  std::optional<DateTime> created_at;
};
}  // namespace

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_events.db"));
  orm::registry Base;
  Base.map<User>("event_users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::column<&User::created_at>("created_at"));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);

  // @event.listens_for(User, 'before_insert') def set_created_at(mapper, connection, target):
  orm::listen<User>(orm::before_insert, [](const orm::Mapper&, Connection&, User& target) {
    target.created_at = DateTime::utcnow();
  });
  // @event.listens_for(User, 'after_update') def log_update(mapper, connection, target):
  orm::listen<User>(orm::after_update, [](const orm::Mapper&, Connection&, User& target) {
    std::cout << "User " << target.id << " updated\n";
  });
  // @event.listens_for(Session, 'before_commit') / 'after_commit'
  orm::listen(orm::before_commit, [](orm::Session&) { std::cout << "Before Commit\n"; });
  orm::listen(orm::after_commit, [](orm::Session&) { std::cout << "After Commit\n"; });

  orm::Session session(engine);
  auto user = orm::make<User>(User{0, "Ahmad", {}});
  session.add(user);
  session.commit();
  std::cout << "created_at set: " << user->created_at.has_value() << "\n";
  user->name = "Ahmad Ali";
  session.commit();
  session.close();
  Base.metadata.drop_all(engine);
  return 0;
}
