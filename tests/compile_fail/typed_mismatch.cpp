// Comparing an integer column with a string must not compile.
// EXPECT: alchemy: type mismatch in a SQL expression
#include <alchemy/alchemy.hpp>

int main() {
  using namespace alchemy;
  MetaData metadata;
  Table users("users", metadata, Column("id", Integer, primary_key()), Column("age", Integer));
  auto age = typed<std::int64_t>(users.c["age"]);
  auto stmt = select(users).where(age > "eighteen");
  (void)stmt;
}
