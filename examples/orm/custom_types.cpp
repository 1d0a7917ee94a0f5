// The guide's "Custom types" on a mapped column: a JSONType TypeDecorator over
// String (json.dumps on the way in, json.loads on the way out).
#include <alchemy/orm.hpp>
#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

namespace {
// class JSONType(TypeDecorator): impl = String
struct JSONType : types::TypeDecorator {
  JSONType() : TypeDecorator(String) {}
  Value process_bind_param(Value v, const SQLCompiler&) const override {
    return v.is_null() ? v : Value(v.as<Json>().text);  // json.dumps(value)
  }
  Value process_result_value(Value v, const SQLCompiler&) const override {
    return v.is_null() ? v : Value(Json{v.as<std::string>()});  // json.loads(value)
  }
};

struct User {
  std::int64_t id = 0;
  std::optional<Json> preferences;
};
}  // namespace

int main(int argc, char** argv) {
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///orm_custom_types.db"));
  orm::registry Base;
  Base.map<User>("json_users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::preferences>("preferences", JSONType{}));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  {
    orm::Session session(engine);
    // user = User(preferences={'theme': 'dark', 'lang': 'en'})
    session.add(orm::make<User>(User{0, Json{R"({"theme": "dark", "lang": "en"})"}}));
    session.add(orm::make<User>(User{0, Json{R"({"theme": "light", "lang": "fa", "name": "علی"})"}}));
    session.add(orm::make<User>(User{0, std::nullopt}));
    session.commit();
  }
  orm::Session session(engine);
  for (const auto& u : session.query<User>().order_by(orm::col(&User::id)).all())
    std::cout << u->id << ": " << (u->preferences ? u->preferences->text : "None") << "\n";
  // In the database it is plain text (the impl type):
  std::cout << session.execute(text("SELECT preferences FROM json_users WHERE id = 1"))
                   .scalar<std::string>()
            << "\n";
  session.close();
  Base.metadata.drop_all(engine);
  return 0;
}
