// A connection finds the result columns of an expression statement it ran
// before by the statement's compiled form, without asking the driver for the
// names again. Different statements run alternately on one connection, and
// statements rebuilt per call, must still get their own columns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alchemy/alchemy.hpp"

namespace alchemy {
namespace {

struct Schema {
  MetaData metadata;
  Table users{"users", metadata, Column("id", Integer, primary_key()), Column("name", String(50)),
              Column("age", Integer)};
};

TEST(result_keys_by_compiled, alternating_statements_keep_their_own_keys) {
  Schema s;
  auto engine = create_engine("sqlite://");
  s.metadata.create_all(engine);
  auto conn = engine.connect();
  conn.execute(insert(s.users), {{"id", 1}, {"name", "Ali"}, {"age", 30}});
  auto by_id = select(s.users.c["id"], s.users.c["name"]).where(s.users.c["id"] == bindparam("k"));
  auto ages = select(s.users.c["age"].label("years"));
  for (int i = 0; i < 20; ++i) {  // more rounds than the connection's cache has entries
    auto r1 = conn.execute(by_id, {{"k", 1}});
    EXPECT_EQ(r1.keys(), (std::vector<std::string>{"id", "name"}));
    EXPECT_EQ(r1.one().get<std::string>("name"), "Ali");
    auto r2 = conn.execute(ages);
    EXPECT_EQ(r2.keys(), (std::vector<std::string>{"years"}));
    EXPECT_EQ(r2.one().get<int>("years"), 30);
    // Rebuilt per call: a new statement object, the same compiled form.
    auto r3 = conn.execute(select(s.users.c["name"], s.users.c["age"]));
    EXPECT_EQ(r3.keys(), (std::vector<std::string>{"name", "age"}));
  }
}

}  // namespace
}  // namespace alchemy
