// Cascades on real SQLite (foreign keys enforced) and PostgreSQL: delete,
// delete-orphan, passive_deletes with ON DELETE CASCADE, the default nulling
// of children's foreign keys, expunge, refresh-expire and merge.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct Entry;
struct Remark;
struct Writer {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Entry> entries;  // "all, delete-orphan"
};
struct Entry {
  std::int64_t id = 0;
  std::int64_t writer_id = 0;
  std::string title;
  orm::One<Writer> writer;
  orm::Many<Remark> remarks;  // "all, delete-orphan", passive_deletes (ON DELETE CASCADE)
};
struct Remark {
  std::int64_t id = 0;
  std::int64_t entry_id = 0;
  std::string body;
  orm::One<Entry> entry;
};

struct Player;
struct Team {  // the default cascade ("save-update, merge")
  std::int64_t id = 0;
  std::string name;
  orm::Many<Player> players;
};
struct Player {
  std::int64_t id = 0;
  std::optional<std::int64_t> team_id;
  std::string name;
  orm::One<Team> team;
};

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    r->map<Writer>("writers", orm::column<&Writer::id>("id", primary_key()),
                   orm::column<&Writer::name>("name", String(50)),
                   orm::relationship<&Writer::entries>("entries", orm::back_populates("writer"),
                                                       orm::cascade("all, delete-orphan"),
                                                       orm::order_by([] { return orm::col(&Entry::id); })));
    r->map<Entry>("entries", orm::column<&Entry::id>("id", primary_key()),
                  orm::column<&Entry::writer_id>("writer_id", ForeignKey("writers.id")),
                  orm::column<&Entry::title>("title", String(100)),
                  orm::relationship<&Entry::writer>("writer", orm::back_populates("entries")),
                  orm::relationship<&Entry::remarks>(
                      "remarks", orm::back_populates("entry"), orm::cascade("all, delete-orphan"),
                      orm::passive_deletes(), orm::order_by([] { return orm::col(&Remark::id); })));
    r->map<Remark>(
        "remarks", orm::column<&Remark::id>("id", primary_key()),
        orm::column<&Remark::entry_id>("entry_id", ForeignKey("entries.id", {.ondelete = "CASCADE"})),
        orm::column<&Remark::body>("body", String(100)),
        orm::relationship<&Remark::entry>("entry", orm::back_populates("remarks")));
    r->map<Team>("teams", orm::column<&Team::id>("id", primary_key()),
                 orm::column<&Team::name>("name", String(50)),
                 orm::relationship<&Team::players>("players", orm::back_populates("team")));
    r->map<Player>("players", orm::column<&Player::id>("id", primary_key()),
                   orm::column<&Player::team_id>("team_id", ForeignKey("teams.id")),
                   orm::column<&Player::name>("name", String(50)),
                   orm::relationship<&Player::team>("team", orm::back_populates("players")));
    return r;
  }();
  return *reg;
}

class CascadeTest : public OrmBackendTest {
 protected:
  orm::registry& registry() override { return Base(); }
  void SetUp() override {
    ALCHEMY_REQUIRE_BACKEND(GetParam());
    engine_ = create_engine(url_for(GetParam()));
    // SQLite enforces foreign keys (and ON DELETE CASCADE) only when asked.
    if (engine_.url().get_backend_name() == "sqlite")
      event::listen(engine_, event::connect,
                    [](DBAPIConnection& dbapi, ConnectionRecord&) { dbapi.exec("PRAGMA foreign_keys=ON"); });
    registry().metadata.drop_all(engine_);
    registry().metadata.create_all(engine_);
    record_statements();
    seed();
    log_.clear();
  }
  bool queried(const std::string& table) const {
    return std::any_of(log_.begin(), log_.end(), [&](const std::string& s) {
      return s.rfind("SELECT", 0) == 0 && s.find("FROM " + table) != std::string::npos;
    });
  }
  // One writer with two entries of two remarks each; a team with two players.
  void seed() {
    orm::Session s(engine_);
    auto w = orm::make<Writer>(Writer{.name = "tarun"});
    for (int e = 0; e < 2; ++e) {
      auto entry = orm::make<Entry>(Entry{.title = "entry " + std::to_string(e)});
      for (int k = 0; k < 2; ++k)
        entry->remarks.push_back(orm::make<Remark>(Remark{.body = "remark " + std::to_string(k)}));
      w->entries.push_back(entry);
    }
    auto team = orm::make<Team>(Team{.name = "reds"});
    team->players.push_back(orm::make<Player>(Player{.name = "ann"}));
    team->players.push_back(orm::make<Player>(Player{.name = "bob"}));
    s.add(w);
    s.add(team);
    s.commit();
  }
};

TEST_P(CascadeTest, delete_cascades_to_children_loading_them_first) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto w = s.scalars(orm::select<Writer>()).one();
  s.delete_(w);  // entries unloaded: loaded now, and marked deleted too
  EXPECT_TRUE(queried("entries"));
  ASSERT_EQ(w->entries.size(), 2u);
  for (const auto& e : w->entries) EXPECT_TRUE(s.deleted().contains(e));
  // Entry.remarks is passive_deletes: unloaded, left to ON DELETE CASCADE.
  EXPECT_FALSE(queried("remarks"));
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM writers"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM entries"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM remarks"), 0);  // by the database
}

TEST_P(CascadeTest, passive_deletes_still_deletes_loaded_children) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto e = s.scalars(orm::select<Entry>().order_by(orm::col(&Entry::id))).first();
  ASSERT_EQ(e->remarks.size(), 2u);  // loaded: the ORM deletes them itself
  auto r0 = e->remarks[0];
  s.delete_(e);
  EXPECT_TRUE(s.deleted().contains(r0));
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM entries"), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM remarks"), 2);
}

TEST_P(CascadeTest, deleting_a_parent_without_delete_cascade_nulls_the_children_keys) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto team = s.scalars(orm::select<Team>()).one();
  s.delete_(team);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM teams"), 0);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM players"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM players WHERE team_id IS NULL"), 2);
}

TEST_P(CascadeTest, expunge_cascades) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto w = s.scalars(orm::select<Writer>()).one();
  auto e0 = w->entries[0];
  auto r0 = e0->remarks[0];
  s.expunge(w);
  EXPECT_FALSE(s.contains(w));
  EXPECT_FALSE(s.contains(e0));  // "all" includes expunge
  EXPECT_FALSE(s.contains(r0));
  // The default cascade has no expunge.
  auto team = s.scalars(orm::select<Team>()).one();
  auto p0 = team->players[0];
  s.expunge(team);
  EXPECT_TRUE(s.contains(p0));
}

TEST_P(CascadeTest, refresh_and_expire_cascade) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto w = s.scalars(orm::select<Writer>()).one();
  auto e0 = w->entries[0];
  // Changed behind the ORM's back, in the session's transaction.
  s.execute(text("UPDATE entries SET title = 'changed' WHERE id = :id"), {{"id", e0->id}});
  s.execute(text("UPDATE writers SET name = 'renamed'"));
  s.refresh(w);
  EXPECT_EQ(w->name, "renamed");
  EXPECT_EQ(e0->title, "changed");  // refresh-expire: the loaded entry was refreshed
  auto team = s.scalars(orm::select<Team>()).one();
  auto p0 = team->players[0];
  ASSERT_EQ(w->entries[0], e0);  // refresh() left the lazy collection to load again
  s.expire(w);
  EXPECT_TRUE(orm::inspect(e0).expired);
  s.expire(team);  // the default cascade has no refresh-expire
  EXPECT_FALSE(orm::inspect(p0).expired);
}

TEST_P(CascadeTest, merge_cascades_to_children) {
  if (not_ready()) return;
  std::shared_ptr<Writer> detached;
  {
    orm::Session s(engine_);
    detached = s.scalars(orm::select<Writer>().options(orm::selectinload(&Writer::entries))).one();
  }
  detached->name = "merged";
  detached->entries[0]->title = "edited offline";
  orm::Session s(engine_);
  auto merged = s.merge(detached);
  EXPECT_NE(merged, detached);
  ASSERT_EQ(merged->entries.size(), 2u);
  EXPECT_NE(merged->entries[0], detached->entries[0]);
  EXPECT_EQ(merged->entries[0]->title, "edited offline");
  EXPECT_EQ(merged->entries[0]->writer.get(), merged);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM entries WHERE title = 'edited offline'"), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM writers WHERE name = 'merged'"), 1);
}

INSTANTIATE_TEST_SUITE_P(backends, CascadeTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace alchemy::testing
