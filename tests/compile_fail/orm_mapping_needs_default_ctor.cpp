// A mapped class must be default-constructible: the ORM creates the objects it loads.
// EXPECT: alchemy: a mapped class needs a default constructor
#include <alchemy/orm.hpp>

struct Account {
  explicit Account(int) {}
  std::int64_t id = 0;
};

int main() {
  alchemy::orm::registry reg;
  reg.map<Account>("accounts", alchemy::orm::column<&Account::id>("id", alchemy::primary_key()));
}
