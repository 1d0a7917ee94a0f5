// Column defaults whose type converts them (a TypeDecorator) were bound from
// freed memory when a statement had two or more of them: the execution's
// scratch vector held one value per slot, but such a slot stores two (the
// default, then its conversion), so the vector reallocated under the pointers
// already handed to the driver. The rows got empty strings or garbage.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "alchemy/alchemy.hpp"

namespace alchemy {
namespace {

// Upper-cases and pads: long results, so every converted value owns heap memory.
struct Shout : types::TypeDecorator {
  Shout() : TypeDecorator(String(100)) {}
  Value process_bind_param(Value v, const SQLCompiler&) const override {
    if (v.is_null()) return v;
    std::string s = v.as<std::string>();
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Value(s + "!!!!!!!!!!!!!!!!!!!!");
  }
};

struct Schema {
  MetaData metadata;
  Table t{"t",
          metadata,
          Column("id", Integer, primary_key()),
          Column("a", TypeRef(std::make_shared<Shout>()), default_(std::string("alpha default"))),
          Column("b", TypeRef(std::make_shared<Shout>()), default_(std::string("beta default"))),
          Column("c", TypeRef(std::make_shared<Shout>()), default_(std::string("gamma default")))};
};

std::vector<std::string> row_texts(Connection& conn, int id) {
  auto row = conn.execute(text("SELECT a, b, c FROM t WHERE id = :id"), {{"id", id}})
                 .tuples<std::string, std::string, std::string>()
                 .one();
  return {std::get<0>(row), std::get<1>(row), std::get<2>(row)};
}

TEST(bind_defaults_converted, single_execute_keeps_every_converted_default) {
  Schema s;
  auto engine = create_engine("sqlite://");
  s.metadata.create_all(engine);
  auto conn = engine.connect();
  conn.execute(insert(s.t), {{"id", 1}});
  EXPECT_EQ(row_texts(conn, 1), (std::vector<std::string>{"ALPHA DEFAULT!!!!!!!!!!!!!!!!!!!!",
                                                          "BETA DEFAULT!!!!!!!!!!!!!!!!!!!!",
                                                          "GAMMA DEFAULT!!!!!!!!!!!!!!!!!!!!"}));
}

TEST(bind_defaults_converted, executemany_keeps_every_converted_default) {
  Schema s;
  auto engine = create_engine("sqlite://");
  s.metadata.create_all(engine);
  auto conn = engine.connect();
  conn.execute(insert(s.t), std::vector<Params>{{{"id", 1}}, {{"id", 2}, {"b", "given"}}});
  EXPECT_EQ(row_texts(conn, 1)[0], "ALPHA DEFAULT!!!!!!!!!!!!!!!!!!!!");
  EXPECT_EQ(row_texts(conn, 1)[2], "GAMMA DEFAULT!!!!!!!!!!!!!!!!!!!!");
  EXPECT_EQ(row_texts(conn, 2)[1], "GIVEN!!!!!!!!!!!!!!!!!!!!");
  EXPECT_EQ(row_texts(conn, 2)[2], "GAMMA DEFAULT!!!!!!!!!!!!!!!!!!!!");
}

}  // namespace
}  // namespace alchemy
