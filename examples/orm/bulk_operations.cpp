// Guide: "Performance and Optimization -> Performance Tuning -> Bulk operations".
//
// Python:
//   # Bad
//   for i in range(1000):
//       session.add(User(name=f"User{i}"))
//   session.commit()
//   # Good
//   users_data = [{"name": f"User{i}"} for i in range(1000)]
//   session.bulk_insert_mappings(User, users_data)
//   session.commit()
//
//   session.query(User).filter(User.last_login < old_date).update({"is_active": False})
//   session.commit()
//   session.query(LogEntry).filter(LogEntry.created_at < old_date).delete()
//   session.commit()
//
// bulk_insert_mappings() sends one executemany and creates no objects; the
// Query's update() and delete_() are one UPDATE / DELETE statement each,
// instead of loading every row. (delete is a C++ keyword: delete_().)
#include <alchemy/orm.hpp>
#include <chrono>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

struct User {
  std::int64_t id = 0;
  std::string name;
  std::optional<DateTime> last_login;
  std::optional<bool> is_active;
};

struct LogEntry {
  std::int64_t id = 0;
  std::string message;
  DateTime created_at;
};

template <class F>
long long millis(F f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  auto dt = std::chrono::steady_clock::now() - t0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(dt).count();
}

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_bulk.db"));
  orm::registry Base;
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::column<&User::last_login>("last_login"),
                 orm::column<&User::is_active>("is_active", default_(true)));
  Base.map<LogEntry>("log_entries", orm::column<&LogEntry::id>("id", primary_key()),
                     orm::column<&LogEntry::message>("message"),
                     orm::column<&LogEntry::created_at>("created_at"));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  orm::Session session(engine);
  const DateTime old_date = DateTime::parse("2024-01-01");

  // ---- Insert ------------------------------------------------------------------------------
  auto bad = millis([&] {  // one object per row: identity map, change tracking
    for (int i = 0; i < 1000; ++i)
      session.add(std::make_shared<User>(User{.name = "User" + std::to_string(i)}));
    session.commit();
  });
  std::vector<Params> users_data;
  for (int i = 1000; i < 2000; ++i) {
    // Half of them last logged in before old_date.
    const char* login = i % 2 ? "2023-06-01 10:00" : "2024-06-01 10:00";
    users_data.push_back(
        {{"name", "User" + std::to_string(i)}, {"last_login", DateTime::parse(login)}});
  }
  users_data.push_back({{"name", "کاربر ۲۰۰۰"}, {"last_login", DateTime::parse("2023-01-01")}});
  auto good = millis([&] {
    session.bulk_insert_mappings<User>(users_data);
    session.commit();
  });
  std::cout << "add() x 1000: " << bad << " ms; bulk_insert_mappings x " << users_data.size()
            << ": " << good << " ms (timings vary)\n";
  std::cout << "users: " << session.query<User>().count() << "\n";

  // ---- Update ------------------------------------------------------------------------------
  auto inactive = session.query<User>()
                      .filter(orm::col(&User::last_login) < old_date)
                      .update({{"is_active", false}});
  session.commit();
  std::cout << "deactivated " << inactive << " users\n";
  auto persian = session.query<User>().filter(orm::col(&User::name) == "کاربر ۲۰۰۰").one();
  std::cout << persian->name << ": is_active=" << std::boolalpha << *persian->is_active << "\n";

  // ---- Delete ------------------------------------------------------------------------------
  std::vector<Params> logs;
  for (int day = 1; day <= 28; ++day)
    for (const char* month : {"2023-12-", "2024-01-"})
      logs.push_back({{"message", "nightly backup"},
                      {"created_at", DateTime::parse(month + std::string(day < 10 ? "0" : "") +
                                                     std::to_string(day))}});
  session.bulk_insert_mappings<LogEntry>(logs);
  auto deleted =
      session.query<LogEntry>().filter(orm::col(&LogEntry::created_at) < old_date).delete_();
  session.commit();
  std::cout << "deleted " << deleted << " of " << logs.size() << " log entries; "
            << session.query<LogEntry>().count() << " left\n";
  session.close();

  Base.metadata.drop_all(engine);
  return 0;
}
