// Comparing an integer column with a string column must not compile.
// EXPECT: alchemy: type mismatch in a SQL expression: the two columns hold incompatible
#include <alchemy/alchemy.hpp>

int main() {
  using namespace alchemy;
  MetaData metadata;
  Table users("users", metadata, Column("id", Integer, primary_key()), Column("name", String(50)));
  auto id = typed<std::int64_t>(users.c["id"]);
  auto name = typed<std::string>(users.c["name"]);
  auto stmt = select(users).where(id == name);
  (void)stmt;
}
