// A mapped member's typed expression rejects a value of another C++ type.
// EXPECT: alchemy: type mismatch in a SQL expression
#include <alchemy/orm.hpp>

struct User {
  std::int64_t id = 0;
  std::int64_t age = 0;
};

int main() {
  using namespace alchemy;
  auto stmt = orm::select<User>().where(orm::col(&User::age) > "eighteen");
  (void)stmt;
}
