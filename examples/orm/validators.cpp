// The guide's "Validators": @validates('email'), @validates('age') and one
// validator for several attributes; wrong data is refused before anything is
// written.
#include <alchemy/orm.hpp>
#include <cctype>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

namespace {
struct User {
  std::int64_t id = 0;
  std::string email;
  std::int64_t age = 0;
};
}  // namespace

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_validators.db"));
  orm::registry Base;
  Base.map<User>("validated_users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::email>("email", String(100)), orm::column<&User::age>("age"));
  // @validates('email') def validate_email(self, key, email): ...
  Base.validates<&User::email>([](const std::string& email) {
    if (email.find('@') == std::string::npos) throw orm::ValidationError("Invalid email");
    return email;
  });
  // @validates('email', 'age') def validate_fields(self, key, value): ...
  Base.validates<User>({"email", "age"}, [](std::string_view key, const Value& value) {
    if (key == "age" && (value.as<std::int64_t>() < 0 || value.as<std::int64_t>() > 120))
      throw orm::ValidationError("Invalid age");
    if (key == "email") {  // a validator may also normalise what is stored
      std::string e = value.as<std::string>();
      for (char& ch : e) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return Value(e);
    }
    return value;
  });
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);

  orm::Session session(engine);
  try {
    session.add(orm::make<User>(User{0, "not-an-email", 30}));
  } catch (const orm::ValidationError& e) {
    std::cout << "refused: " << e.what() << "\n";  // Invalid email
  }
  auto ok = orm::make<User>(User{0, "Ali@Example.com", 30});
  session.add(ok);
  session.commit();
  std::cout << "stored: " << ok->email << "\n";  // ali@example.com
  ok->age = 200;
  try {
    session.commit();  // validated at flush, before any SQL
  } catch (const orm::ValidationError& e) {
    std::cout << "refused: " << e.what() << "\n";  // Invalid age
  }
  ok->age = 31;
  session.commit();
  std::cout << "rows: " << session.query<User>().count() << ", age "
            << session.get<User>(ok->id)->age << "\n";
  session.close();
  Base.metadata.drop_all(engine);
  return 0;
}
