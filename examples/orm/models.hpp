// The User model the guide's "Basic Queries" section queries, and the rows the
// query examples run against (shared by orm/query_objects.cpp and
// orm/query_ordering.cpp).
//
// Python:
//   class User(Base):
//       __tablename__ = "users"
//       id = Column(Integer, primary_key=True)
//       name = Column(String(50), nullable=False)
//       email = Column(String(100))
//       age = Column(Integer, nullable=False)
//       city = Column(String(50), nullable=False)
//       phone = Column(String(20))
//       is_active = Column(Boolean, default=True)
//       is_deleted = Column(Boolean, default=False)
//       created_at = Column(DateTime)
#pragma once

#include <alchemy/orm.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace examples {

struct User {
  std::int64_t id = 0;  // 0: the database assigns it
  std::string name;
  std::optional<std::string> email;  // std::optional: a nullable column
  std::int64_t age = 0;
  std::string city;
  std::optional<std::string> phone;
  bool is_active = true;
  bool is_deleted = false;
  alchemy::DateTime created_at;
};

/// The declarative base of the query examples: maps User once per program.
struct QueryModels {
  alchemy::orm::registry Base;

  QueryModels() {
    using namespace alchemy;
    Base.map<User>(
        "users", orm::column<&User::id>("id", primary_key()),
        orm::column<&User::name>("name", String(50)),
        orm::column<&User::email>("email", String(100)), orm::column<&User::age>("age"),
        orm::column<&User::city>("city", String(50)),
        orm::column<&User::phone>("phone", String(20)), orm::column<&User::is_active>("is_active"),
        orm::column<&User::is_deleted>("is_deleted"), orm::column<&User::created_at>("created_at"));
  }

  /// Fresh tables holding seven users (ids 1..7, created one day apart).
  void reset(const alchemy::Engine& engine) {
    Base.metadata.drop_all(engine);
    Base.metadata.create_all(engine);
    struct Row {
      const char* name;
      const char* email;
      std::int64_t age;
      const char* city;
      const char* phone;
      bool active, deleted;
    };
    const Row rows[] = {
        {"Ahmad", "ahmad@test.com", 30, "Tehran", "0912-111-2233", true, false},
        {"Ali", "ali@gmail.com", 25, "Isfahan", nullptr, true, false},
        {"Fateme", "fateme@test.com", 17, "Tehran", "0913-444-5566", true, false},
        {"Sara", "sara@gmail.com", 42, "Shiraz", nullptr, false, false},
        {"Ahmad Karimi", "ahmad.k@gmail.com", 70, "Tehran", nullptr, true, true},
        {"Reza", nullptr, 19, "Isfahan", "0914-777-8899", true, false},
        {"زهرا", "zahra@test.com", 28, "Tehran", "0915-000-1122", true, false},
    };
    alchemy::orm::Session session(engine);
    int day = 1;
    for (const Row& r : rows) {
      auto u = std::make_shared<User>();
      u->name = r.name;
      if (r.email) u->email = r.email;
      u->age = r.age;
      u->city = r.city;
      if (r.phone) u->phone = r.phone;
      u->is_active = r.active;
      u->is_deleted = r.deleted;
      u->created_at = alchemy::DateTime::parse("2024-01-0" + std::to_string(day++) + " 09:00");
      session.add(u);
    }
    session.commit();
  }
};

/// Prints "label: name, name, ..." for the users a query returned.
inline void print_names(const std::string& label, const std::vector<std::shared_ptr<User>>& users) {
  std::cout << label << ":";
  const char* sep = " ";
  for (const auto& u : users) {
    std::cout << sep << u->name;
    sep = ", ";
  }
  if (users.empty()) std::cout << " (none)";
  std::cout << "\n";
}

}  // namespace examples
