// A statement remembers its compiled forms per dialect compiler. It used to
// remember them by the compiler's address: once an engine (and its dialect)
// was gone, another dialect's compiler could be allocated at that address and
// be handed the first dialect's SQL (PostgreSQL received SQLite's `?`
// placeholders: "syntax error at end of input"). Compilers now carry an
// identity no other compiler of the process ever has.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "alchemy/alchemy.hpp"

namespace alchemy {
namespace {

TEST(compiled_memo_by_identity, compilers_never_share_an_identity) {
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 50; ++i) {
    // Engines made and dropped one after another: their dialects' memory is reused.
    auto engine = create_engine("sqlite://");
    EXPECT_TRUE(seen.insert(engine.dialect().statement_compiler().identity()).second);
  }
}

TEST(compiled_memo_by_identity, a_statement_compiles_anew_for_a_new_engine) {
  MetaData metadata;
  Table t("t", metadata, Column("id", Integer, primary_key()));
  auto stmt = select(t.c["id"]).where(t.c["id"] == bindparam("k"));
  for (int i = 0; i < 20; ++i) {
    auto engine = create_engine("sqlite://");
    metadata.create_all(engine);
    auto conn = engine.connect();
    conn.execute(insert(t), {{"id", i}});
    EXPECT_EQ(conn.execute(stmt, {{"k", i}}).scalar<std::int64_t>(), i);
  }
}

}  // namespace
}  // namespace alchemy
