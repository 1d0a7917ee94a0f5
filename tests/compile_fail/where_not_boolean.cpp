// A non-boolean expression in where() must not compile.
// EXPECT: alchemy: where()/having()/on-clause need a boolean expression
#include <alchemy/alchemy.hpp>

int main() {
  using namespace alchemy;
  MetaData metadata;
  Table users("users", metadata, Column("id", Integer, primary_key()), Column("age", Integer));
  auto age = typed<std::int64_t>(users.c["age"]);
  auto stmt = select(users).where(age + 1);
  (void)stmt;
}
