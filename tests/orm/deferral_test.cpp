// Column deferral on real SQLite and PostgreSQL: the SELECTs leave deferred
// columns out (recorded through engine events), load_only / defer / undefer /
// undefer_group, unloaded attributes in inspect(), refresh(obj, names), later
// queries filling unloaded columns in, the flush never writing an unloaded
// column back (read back with Core) but writing one the program assigned,
// orm::Deferred<T> members loading on first use, and bad options.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct Book {
  std::int64_t id = 0;
  std::string title;
  std::string summary;  // deferred in the mapping
  std::int64_t pages = 0;
  std::optional<std::string> isbn;
  std::string cover = "none";  // group "photos" (a default the object starts with)
  std::string back_cover;      // group "photos"
};

struct Profile {  // orm::Deferred members
  std::int64_t id = 0;
  std::string name;
  orm::Deferred<std::string> bio;                    // deferred
  orm::Deferred<std::optional<std::string>> secret;  // deferred_raiseload
  orm::Deferred<std::int64_t> score;                 // loaded by default
};

struct Volume;
struct Shelf {
  std::int64_t id = 0;
  std::string name;
  std::string note;
  orm::Many<Volume> volumes;
};
struct Volume {
  std::int64_t id = 0;
  std::int64_t shelf_id = 0;
  std::string title;
  std::string text;  // deferred
  orm::One<Shelf> shelf;
};

struct Reader {  // many-to-many to Volume
  std::int64_t id = 0;
  std::string name;
  orm::Many<Volume> favourites;
};

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    r->map<Book>("books", orm::column<&Book::id>("id", primary_key()),
                 orm::column<&Book::title>("title", String(100)),
                 orm::column<&Book::summary>("summary", Text, orm::deferred()),
                 orm::column<&Book::pages>("pages"), orm::column<&Book::isbn>("isbn", String(20)),
                 orm::column<&Book::cover>("cover", Text, orm::deferred("photos")),
                 orm::column<&Book::back_cover>("back_cover", Text, orm::deferred("photos")));
    r->map<Profile>("profiles", orm::column<&Profile::id>("id", primary_key()),
                    orm::column<&Profile::name>("name", String(50)),
                    orm::column<&Profile::bio>("bio", Text, orm::deferred()),
                    orm::column<&Profile::secret>("secret", String(50), orm::deferred_raiseload()),
                    orm::column<&Profile::score>("score"));
    r->map<Shelf>(
        "shelves", orm::column<&Shelf::id>("id", primary_key()),
        orm::column<&Shelf::name>("name", String(50)),
        orm::column<&Shelf::note>("note", String(100)),
        orm::relationship<&Shelf::volumes>("volumes", orm::back_populates("shelf"),
                                           orm::order_by([] { return orm::col(&Volume::id); })));
    r->map<Volume>("volumes", orm::column<&Volume::id>("id", primary_key()),
                   orm::column<&Volume::shelf_id>("shelf_id", ForeignKey("shelves.id")),
                   orm::column<&Volume::title>("title", String(50)),
                   orm::column<&Volume::text>("text", Text, orm::deferred()),
                   orm::relationship<&Volume::shelf>("shelf", orm::back_populates("volumes")));
    Table favourites("favourites", r->metadata,
                     Column("reader_id", Integer, ForeignKey("readers.id"), primary_key()),
                     Column("volume_id", Integer, ForeignKey("volumes.id"), primary_key()));
    r->map<Reader>("readers", orm::column<&Reader::id>("id", primary_key()),
                   orm::column<&Reader::name>("name", String(50)),
                   orm::relationship<&Reader::favourites>(
                       "favourites", orm::secondary(favourites),
                       orm::order_by([] { return orm::col(&Volume::id); })));
    return r;
  }();
  return *reg;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

class DeferralTest : public RecordingOrmTest {
 protected:
  orm::registry& registry() override { return Base(); }
  void SetUp() override {
    RecordingOrmTest::SetUp();
    if (not_ready()) return;
    seed();
  }
  void seed() {
    orm::Session s(engine_);
    for (int i = 1; i <= 3; ++i) {
      auto b = orm::make<Book>();
      b->title = "title " + std::to_string(i);
      b->summary = "summary " + std::to_string(i);
      b->pages = 100 * i;
      b->isbn = "isbn-" + std::to_string(i);
      b->cover = "cover " + std::to_string(i);
      b->back_cover = "back " + std::to_string(i);
      s.add(b);
    }
    auto p = orm::make<Profile>();
    p->name = "ada";
    p->bio = "analyst";
    p->secret = "engines";
    p->score = 7;
    s.add(p);
    auto shelf = orm::make<Shelf>();
    shelf->name = "fiction";
    shelf->note = "top";
    for (int i = 1; i <= 2; ++i) {
      auto v = orm::make<Volume>();
      v->title = "vol " + std::to_string(i);
      v->text = "text " + std::to_string(i);
      shelf->volumes.push_back(v);
    }
    s.add(shelf);
    auto reader = orm::make<Reader>();
    reader->name = "rumi";
    for (const auto& v : shelf->volumes) reader->favourites.push_back(v);
    s.add(reader);
    s.commit();
    log_.clear();
  }
  std::string text_of(const std::string& sql) {
    auto conn = engine_.connect();
    return conn.execute(text(sql)).scalar<std::string>();
  }
  std::int64_t int_of(const std::string& sql) {
    auto conn = engine_.connect();
    return conn.execute(text(sql)).scalar<std::int64_t>();
  }
  std::vector<std::string> selects() const {
    std::vector<std::string> out;
    for (const auto& s : log_)
      if (s.rfind("SELECT", 0) == 0) out.push_back(s);
    return out;
  }
  std::vector<std::string> updates() const {
    std::vector<std::string> out;
    for (const auto& s : log_)
      if (s.rfind("UPDATE", 0) == 0) out.push_back(s);
    return out;
  }
};

TEST_P(DeferralTest, default_select_leaves_deferred_columns_out) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto books = s.scalars(orm::select<Book>().order_by(orm::col(&Book::id))).all();
  ASSERT_EQ(books.size(), 3u);
  ASSERT_EQ(selects().size(), 1u);
  const std::string sql = selects()[0];
  EXPECT_TRUE(contains(sql, "books.title")) << sql;
  EXPECT_TRUE(contains(sql, "books.pages")) << sql;
  EXPECT_FALSE(contains(sql, "summary")) << sql;
  EXPECT_FALSE(contains(sql, "cover")) << sql;
  EXPECT_EQ(books[0]->title, "title 1");
  EXPECT_EQ(books[0]->pages, 100);
  EXPECT_EQ(books[0]->summary, "");    // never loaded: the member's default
  EXPECT_EQ(books[0]->cover, "none");  // ... whatever the constructor left
  EXPECT_FALSE(orm::is_loaded(books[0], &Book::summary));
  EXPECT_FALSE(orm::is_loaded(books[0], &Book::cover));
  EXPECT_TRUE(orm::is_loaded(books[0], &Book::title));
  auto info = orm::inspect(books[0]);
  EXPECT_TRUE(info.is_unloaded("summary"));
  EXPECT_TRUE(info.is_unloaded("cover"));
  EXPECT_TRUE(info.is_unloaded("back_cover"));
  EXPECT_FALSE(info.is_unloaded("title"));
  EXPECT_FALSE(info.modified);
  // The statement's own text says the same.
  EXPECT_FALSE(contains(orm::select<Book>().str(), "summary"));
  // get() loads what a default query loads.
  s.expunge_all();
  log_.clear();
  auto b = s.get<Book>(books[1]->id);
  ASSERT_TRUE(b);
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_FALSE(contains(selects()[0], "summary")) << selects()[0];
  EXPECT_EQ(b->pages, 200);
  EXPECT_FALSE(orm::is_loaded(b, &Book::summary));
}

TEST_P(DeferralTest, undefer_and_undefer_group_load_deferred_columns) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto b = s.scalars(orm::select<Book>()
                         .where(orm::col(&Book::id) == 1)
                         .options(orm::undefer(&Book::summary)))
               .one();
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_TRUE(contains(selects()[0], "books.summary")) << selects()[0];
  EXPECT_FALSE(contains(selects()[0], "cover")) << selects()[0];
  EXPECT_EQ(b->summary, "summary 1");
  EXPECT_TRUE(orm::is_loaded(b, &Book::summary));
  EXPECT_FALSE(orm::is_loaded(b, &Book::cover));
  log_.clear();
  auto b2 = s.scalars(orm::select<Book>()
                          .where(orm::col(&Book::id) == 2)
                          .options(orm::undefer_group<Book>("photos")))
                .one();
  EXPECT_TRUE(contains(selects()[0], "books.cover")) << selects()[0];
  EXPECT_TRUE(contains(selects()[0], "books.back_cover")) << selects()[0];
  EXPECT_EQ(b2->cover, "cover 2");
  EXPECT_EQ(b2->back_cover, "back 2");
  EXPECT_FALSE(orm::is_loaded(b2, &Book::summary));
  // The group without a class: every entity that has it.
  auto b3 = s.scalars(orm::select<Book>()
                          .where(orm::col(&Book::id) == 3)
                          .options(orm::undefer_group("photos")))
                .one();
  EXPECT_EQ(b3->back_cover, "back 3");
}

TEST_P(DeferralTest, load_only_and_defer_choose_the_columns) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto books =
      s.scalars(
           orm::select<Book>().options(orm::load_only(&Book::title)).order_by(orm::col(&Book::id)))
          .all();
  ASSERT_EQ(selects().size(), 1u);
  // The primary key always loads, as in SQLAlchemy.
  EXPECT_TRUE(contains(selects()[0], "SELECT books.id, books.title \nFROM books") ||
              contains(selects()[0], "SELECT books.id, books.title FROM books"))
      << selects()[0];
  EXPECT_EQ(books[2]->id, 3);
  EXPECT_EQ(books[2]->title, "title 3");
  EXPECT_EQ(books[2]->pages, 0);
  EXPECT_FALSE(orm::is_loaded(books[2], &Book::pages));
  EXPECT_FALSE(orm::is_loaded(books[2], &Book::isbn));
  EXPECT_TRUE(orm::is_loaded(books[2], &Book::id));
  // load_only of a deferred column loads it.
  s.expunge_all();
  log_.clear();
  auto b = s.scalars(orm::select<Book>()
                         .where(orm::col(&Book::id) == 1)
                         .options(orm::load_only(&Book::summary, &Book::pages)))
               .one();
  EXPECT_TRUE(contains(selects()[0], "books.summary")) << selects()[0];
  EXPECT_FALSE(contains(selects()[0], "books.title")) << selects()[0];
  EXPECT_EQ(b->summary, "summary 1");
  EXPECT_EQ(b->pages, 100);
  EXPECT_EQ(b->title, "");
  // defer() of an ordinary column; later options win over earlier ones.
  s.expunge_all();
  log_.clear();
  b = s.scalars(orm::select<Book>()
                    .where(orm::col(&Book::id) == 1)
                    .options(orm::defer(&Book::pages, &Book::isbn), orm::undefer(&Book::isbn)))
          .one();
  EXPECT_FALSE(contains(selects()[0], "books.pages")) << selects()[0];
  EXPECT_TRUE(contains(selects()[0], "books.isbn")) << selects()[0];
  EXPECT_EQ(b->isbn, "isbn-1");
  EXPECT_FALSE(orm::is_loaded(b, &Book::pages));
  // Query (1.x style) takes the same options.
  s.expunge_all();
  log_.clear();
  auto q =
      s.query<Book>().options(orm::load_only(&Book::pages)).filter(orm::col(&Book::id) == 2).one();
  EXPECT_FALSE(contains(selects()[0], "books.title")) << selects()[0];
  EXPECT_EQ(q->pages, 200);
}

TEST_P(DeferralTest, flush_never_writes_unloaded_columns) {
  if (not_ready()) return;
  {
    orm::Session s(engine_);
    auto b = s.scalars(orm::select<Book>()
                           .where(orm::col(&Book::id) == 1)
                           .options(orm::load_only(&Book::title)))
                 .one();
    b->title = "renamed";
    log_.clear();
    s.commit();
    ASSERT_EQ(updates().size(), 1u);
    EXPECT_FALSE(contains(updates()[0], "pages")) << updates()[0];
    EXPECT_FALSE(contains(updates()[0], "summary")) << updates()[0];
    EXPECT_FALSE(contains(updates()[0], "isbn")) << updates()[0];
    EXPECT_FALSE(contains(updates()[0], "cover")) << updates()[0];
  }
  EXPECT_EQ(text_of("SELECT title FROM books WHERE id = 1"), "renamed");
  EXPECT_EQ(int_of("SELECT pages FROM books WHERE id = 1"), 100);
  EXPECT_EQ(text_of("SELECT summary FROM books WHERE id = 1"), "summary 1");
  EXPECT_EQ(text_of("SELECT isbn FROM books WHERE id = 1"), "isbn-1");
  EXPECT_EQ(text_of("SELECT cover FROM books WHERE id = 1"), "cover 1");
  // An untouched object with unloaded columns is not dirty at all.
  orm::Session s(engine_);
  auto books = s.scalars(orm::select<Book>().options(orm::load_only(&Book::title))).all();
  ASSERT_EQ(books.size(), 3u);
  EXPECT_TRUE(s.dirty().empty());
  log_.clear();
  s.commit();
  EXPECT_TRUE(updates().empty());
}

TEST_P(DeferralTest, assigning_an_unloaded_column_writes_it) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto b = s.scalars(orm::select<Book>().where(orm::col(&Book::id) == 2)).one();
  ASSERT_FALSE(orm::is_loaded(b, &Book::summary));
  b->summary = "rewritten";
  EXPECT_TRUE(orm::is_loaded(b, &Book::summary));  // it has a value now (the program's)
  EXPECT_TRUE(s.dirty().contains(b));
  log_.clear();
  s.flush();
  ASSERT_EQ(updates().size(), 1u);
  EXPECT_TRUE(contains(updates()[0], "summary")) << updates()[0];
  EXPECT_FALSE(contains(updates()[0], "cover")) << updates()[0];
  s.commit();
  EXPECT_EQ(text_of("SELECT summary FROM books WHERE id = 2"), "rewritten");
  EXPECT_EQ(text_of("SELECT cover FROM books WHERE id = 2"), "cover 2");
}

TEST_P(DeferralTest, refresh_with_attribute_names_loads_unloaded_columns) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto b = s.scalars(orm::select<Book>().where(orm::col(&Book::id) == 3)).one();
  log_.clear();
  s.refresh(b, {"summary", "cover"});
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_TRUE(contains(selects()[0], "summary")) << selects()[0];
  EXPECT_FALSE(contains(selects()[0], "title")) << selects()[0];
  EXPECT_EQ(b->summary, "summary 3");
  EXPECT_EQ(b->cover, "cover 3");
  EXPECT_TRUE(orm::is_loaded(b, &Book::summary));
  EXPECT_FALSE(orm::is_loaded(b, &Book::back_cover));
  // refresh(obj, names) discards the program's change to those attributes only.
  b->title = "changed";
  b->pages = 1;
  s.refresh(b, {"pages"});
  EXPECT_EQ(b->pages, 300);
  EXPECT_EQ(b->title, "changed");
  // A full refresh loads the default columns and the deferred ones already loaded.
  log_.clear();
  s.refresh(b);
  EXPECT_EQ(b->title, "title 3");
  EXPECT_TRUE(contains(selects()[0], "summary")) << selects()[0];
  EXPECT_FALSE(contains(selects()[0], "back_cover")) << selects()[0];
  EXPECT_FALSE(orm::is_loaded(b, &Book::back_cover));
  EXPECT_THROW(s.refresh(b, {"no_such_column"}), InvalidRequestError);
}

TEST_P(DeferralTest, a_later_query_fills_in_unloaded_columns) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto b = s.scalars(orm::select<Book>()
                         .where(orm::col(&Book::id) == 1)
                         .options(orm::load_only(&Book::title)))
               .one();
  b->isbn = "mine";  // assigned while unloaded: the program's value stands
  auto again = s.scalars(orm::select<Book>()
                             .where(orm::col(&Book::id) == 1)
                             .options(orm::undefer(&Book::summary)))
                   .one();
  EXPECT_EQ(again, b);  // one row, one object
  EXPECT_EQ(b->pages, 100);
  EXPECT_EQ(b->summary, "summary 1");
  EXPECT_EQ(b->isbn, "mine");
  EXPECT_TRUE(orm::is_loaded(b, &Book::pages));
  EXPECT_FALSE(orm::is_loaded(b, &Book::cover));
  s.commit();
  EXPECT_EQ(text_of("SELECT isbn FROM books WHERE id = 1"), "mine");
}

TEST_P(DeferralTest, expired_objects_and_partial_loads) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto b = s.scalars(orm::select<Book>()
                         .where(orm::col(&Book::id) == 2)
                         .options(orm::undefer(&Book::summary)))
               .one();
  s.commit();  // expires everything
  EXPECT_TRUE(orm::inspect(b).expired);
  EXPECT_FALSE(orm::is_loaded(b, &Book::title));  // expired: SQLAlchemy's unloaded
  {
    auto conn = engine_.connect();
    conn.execute(text("UPDATE books SET summary = 'new summary', pages = 222 WHERE id = 2"));
    conn.commit();
  }
  // A default query refreshes what it selects; the summary it leaves out is unloaded now.
  auto again = s.scalars(orm::select<Book>().where(orm::col(&Book::id) == 2)).one();
  EXPECT_EQ(again, b);
  EXPECT_EQ(b->pages, 222);
  EXPECT_FALSE(orm::inspect(b).expired);
  EXPECT_FALSE(orm::is_loaded(b, &Book::summary));
  EXPECT_EQ(b->summary, "summary 2");  // the stale value stays in the member ...
  b->title = "t";
  s.commit();  // ... and is never written back
  EXPECT_EQ(text_of("SELECT summary FROM books WHERE id = 2"), "new summary");
  EXPECT_EQ(text_of("SELECT title FROM books WHERE id = 2"), "t");
  // get() of the expired object loads it again, without the deferred columns.
  log_.clear();
  auto g = s.get<Book>(2);
  EXPECT_EQ(g, b);
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_FALSE(contains(selects()[0], "summary"));
  EXPECT_FALSE(orm::inspect(b).expired);
}

TEST_P(DeferralTest, class_without_deferred_columns_partially_reloaded_stays_expired) {
  if (not_ready()) return;
  // Shelf has no deferred column: its objects loaded whole carry no mask, so a
  // partial reload of an expired one keeps it expired (the next load refreshes it).
  orm::Session s(engine_);
  auto sh = s.scalars(orm::select<Shelf>()).one();
  s.commit();
  {
    auto conn = engine_.connect();
    conn.execute(text("UPDATE shelves SET name = 'crime', note = 'bottom'"));
    conn.commit();
  }
  auto again = s.scalars(orm::select<Shelf>().options(orm::load_only(&Shelf::name))).one();
  EXPECT_EQ(again, sh);
  EXPECT_EQ(sh->name, "crime");
  EXPECT_TRUE(orm::inspect(sh).expired);
  EXPECT_FALSE(orm::is_loaded(sh, &Shelf::note));
  s.commit();
  EXPECT_EQ(text_of("SELECT note FROM shelves"), "bottom");
  s.scalars(orm::select<Shelf>()).all();
  EXPECT_EQ(sh->note, "bottom");
  EXPECT_TRUE(orm::is_loaded(sh, &Shelf::note));
}

TEST_P(DeferralTest, deferred_member_loads_on_first_use) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto p = s.scalars(orm::select<Profile>()).one();
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_FALSE(contains(selects()[0], "bio")) << selects()[0];
  EXPECT_TRUE(contains(selects()[0], "profiles.score")) << selects()[0];
  EXPECT_FALSE(p->bio.loaded());
  EXPECT_TRUE(p->score.loaded());
  EXPECT_EQ(p->score.get(), 7);
  log_.clear();
  EXPECT_EQ(p->bio.get(), "analyst");  // SELECT profiles.bio ... WHERE id = ?
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_TRUE(contains(selects()[0], "profiles.bio")) << selects()[0];
  EXPECT_FALSE(contains(selects()[0], "profiles.name")) << selects()[0];
  EXPECT_EQ(*p->bio, "analyst");  // loaded once
  EXPECT_EQ(selects().size(), 1u);
  EXPECT_TRUE(p->bio.loaded());
  // deferred_raiseload: raises instead of loading.
  EXPECT_THROW(p->secret.get(), InvalidRequestError);
  s.refresh(p, {"secret"});
  EXPECT_EQ(p->secret.get(), std::optional<std::string>("engines"));
  // Modified in place after the load: flushed as any member.
  p->bio.mut() += " and poet";
  s.commit();
  EXPECT_EQ(text_of("SELECT bio FROM profiles"), "analyst and poet");
}

TEST_P(DeferralTest, deferred_member_assignment_is_always_written) {
  if (not_ready()) return;
  {
    auto conn = engine_.connect();
    conn.execute(text("UPDATE profiles SET bio = ''"));
    conn.commit();
  }
  orm::Session s(engine_);
  auto p = s.scalars(orm::select<Profile>()).one();
  ASSERT_FALSE(p->bio.loaded());
  log_.clear();
  p->bio = "";  // the value the member already holds: written anyway, as Python does
  EXPECT_TRUE(selects().empty());  // assignment needs no load
  EXPECT_TRUE(p->bio.loaded());
  s.flush();
  ASSERT_EQ(updates().size(), 1u);
  EXPECT_TRUE(contains(updates()[0], "bio")) << updates()[0];
  p->bio = "x";
  s.commit();
  EXPECT_EQ(text_of("SELECT bio FROM profiles"), "x");
}

TEST_P(DeferralTest, deferred_member_of_a_detached_object_raises) {
  if (not_ready()) return;
  std::shared_ptr<Profile> p;
  {
    orm::Session s(engine_);
    p = s.scalars(orm::select<Profile>()).one();
    EXPECT_EQ(p->name, "ada");
  }
  EXPECT_THROW(p->bio.get(), orm::DetachedInstanceError);
  EXPECT_EQ(p->score.get(), 7);  // loaded before: available
  // Loaded with undefer() before the session closed: available.
  {
    orm::Session s(engine_);
    p = s.scalars(orm::select<Profile>().options(orm::undefer(&Profile::bio))).one();
  }
  EXPECT_EQ(p->bio.get(), "analyst");
  // An object the program makes holds what it was given.
  auto fresh = orm::make<Profile>();
  fresh->bio = "new";
  EXPECT_EQ(fresh->bio.get(), "new");
  EXPECT_TRUE(fresh->bio.loaded());
}

TEST_P(DeferralTest, deferred_member_of_an_expired_object_reloads) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto p = s.scalars(orm::select<Profile>().options(orm::undefer(&Profile::bio))).one();
  s.commit();
  {
    auto conn = engine_.connect();
    conn.execute(text("UPDATE profiles SET bio = 'mathematician', name = 'lovelace'"));
    conn.commit();
  }
  EXPECT_EQ(p->bio.get(), "mathematician");
  EXPECT_EQ(p->name, "lovelace");  // the expired object's other columns came along
  EXPECT_FALSE(orm::inspect(p).expired);
}

TEST_P(DeferralTest, options_mix_with_relationship_options_and_bundles) {
  if (not_ready()) return;
  orm::Session s(engine_);
  std::vector<orm::LoaderOption> bundle{orm::selectinload(&Shelf::volumes),
                                        orm::load_only(&Shelf::name)};
  auto sh = s.scalars(orm::select<Shelf>().options(bundle)).one();
  auto sel = selects();
  ASSERT_EQ(sel.size(), 2u);
  EXPECT_FALSE(contains(sel[0], "note")) << sel[0];
  EXPECT_FALSE(contains(sel[1], "volumes.text")) << sel[1];  // the target's deferred column
  EXPECT_FALSE(orm::is_loaded(sh, &Shelf::note));
  ASSERT_EQ(sh->volumes.size(), 2u);
  EXPECT_EQ(sh->volumes[0]->title, "vol 1");
  EXPECT_FALSE(orm::is_loaded(sh->volumes[0], &Volume::text));
  // Chained after the relationship: columns of the objects it loads.
  s.expunge_all();
  log_.clear();
  sh = s
           .scalars(orm::select<Shelf>().options(
               orm::selectinload(&Shelf::volumes).undefer(&Volume::text), orm::defer(&Shelf::note)))
           .one();
  sel = selects();
  ASSERT_EQ(sel.size(), 2u);
  EXPECT_TRUE(contains(sel[1], "volumes.text")) << sel[1];
  EXPECT_EQ(sh->volumes[1]->text, "text 2");
  // joinedload leaves the target's deferred columns out too.
  s.expunge_all();
  log_.clear();
  sh = s.scalars(orm::select<Shelf>().options(orm::joinedload(&Shelf::volumes))).one();
  sel = selects();
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_TRUE(contains(sel[0], "JOIN")) << sel[0];
  EXPECT_FALSE(contains(sel[0], ".text")) << sel[0];
  ASSERT_EQ(sh->volumes.size(), 2u);
  EXPECT_EQ(sh->volumes[1]->title, "vol 2");
  EXPECT_FALSE(orm::is_loaded(sh->volumes[1], &Volume::text));
  // ... unless undeferred through the chain.
  s.expunge_all();
  log_.clear();
  sh = s.scalars(
            orm::select<Shelf>().options(orm::joinedload(&Shelf::volumes).load_only(&Volume::text)))
           .one();
  EXPECT_TRUE(contains(selects()[0], ".text")) << selects()[0];
  EXPECT_EQ(sh->volumes[0]->text, "text 1");
  EXPECT_EQ(sh->volumes[0]->title, "");
  // Lazy loads leave the deferred column out as well.
  s.expunge_all();
  log_.clear();
  sh = s.scalars(orm::select<Shelf>()).one();
  EXPECT_EQ(sh->volumes.size(), 2u);
  ASSERT_EQ(selects().size(), 2u);
  EXPECT_FALSE(contains(selects()[1], ".text")) << selects()[1];
}

TEST_P(DeferralTest, many_to_many_loads_leave_deferred_columns_out) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto r = s.scalars(orm::select<Reader>().options(orm::selectinload(&Reader::favourites))).one();
  ASSERT_EQ(selects().size(), 2u);
  EXPECT_TRUE(contains(selects()[1], "favourites")) << selects()[1];
  EXPECT_FALSE(contains(selects()[1], ".text")) << selects()[1];
  ASSERT_EQ(r->favourites.size(), 2u);
  EXPECT_EQ(r->favourites[1]->title, "vol 2");
  EXPECT_FALSE(orm::is_loaded(r->favourites[1], &Volume::text));
  s.expunge_all();
  log_.clear();
  r = s.scalars(orm::select<Reader>().options(
                    orm::selectinload(&Reader::favourites).load_only(&Volume::text)))
          .one();
  EXPECT_TRUE(contains(selects()[1], ".text")) << selects()[1];
  EXPECT_FALSE(contains(selects()[1], ".title")) << selects()[1];
  EXPECT_EQ(r->favourites[0]->text, "text 1");
  EXPECT_EQ(r->favourites[0]->title, "");
  // Lazy and joined loads through the association table too.
  s.expunge_all();
  log_.clear();
  r = s.scalars(orm::select<Reader>()).one();
  ASSERT_EQ(r->favourites.size(), 2u);
  EXPECT_FALSE(contains(selects()[1], ".text")) << selects()[1];
  s.expunge_all();
  log_.clear();
  r = s.scalars(orm::select<Reader>().options(orm::joinedload(&Reader::favourites))).one();
  ASSERT_EQ(selects().size(), 1u);
  EXPECT_FALSE(contains(selects()[0], ".text")) << selects()[0];
  ASSERT_EQ(r->favourites.size(), 2u);
  EXPECT_EQ(r->favourites[0]->title, "vol 1");
}

TEST_P(DeferralTest, bad_options_raise_argument_error) {
  if (not_ready()) return;
  orm::Session s(engine_);
  // A class that is not an entity of the query.
  EXPECT_THROW(orm::select<Book>().options(orm::load_only(&Shelf::name)), ArgumentError);
  try {
    (void)orm::select<Book>().options(orm::defer(&Shelf::note));
    ADD_FAILURE() << "no error";
  } catch (const ArgumentError& e) {
    EXPECT_TRUE(contains(e.what(), "Shelf")) << e.what();
    EXPECT_TRUE(contains(e.what(), "not an entity")) << e.what();
  }
  // A relationship member is not a column.
  EXPECT_THROW(orm::select<Shelf>().options(orm::defer(&Shelf::volumes)), ArgumentError);
  // An unknown group.
  EXPECT_THROW(orm::select<Book>().options(orm::undefer_group<Book>("nope")), ArgumentError);
  EXPECT_THROW(orm::select<Book>().options(orm::undefer_group("nope")), ArgumentError);
  EXPECT_THROW(s.query<Book>().options(orm::load_only(&Volume::title)), ArgumentError);
  // Chained to the wrong class: raised when the relationship loads.
  EXPECT_THROW(s.scalars(orm::select<Shelf>().options(
                   orm::selectinload(&Shelf::volumes).load_only(&Book::title))),
               ArgumentError);
  // Chaining needs a relationship option first.
  EXPECT_THROW(orm::load_only(&Book::title).defer(&Book::pages), ArgumentError);
  // The session is still usable.
  EXPECT_EQ(s.scalars(orm::select<Book>()).all().size(), 3u);
}

TEST_P(DeferralTest, merge_skips_unloaded_members) {
  if (not_ready()) return;
  std::shared_ptr<Book> detached;
  {
    orm::Session s(engine_);
    detached = s.scalars(orm::select<Book>()
                             .where(orm::col(&Book::id) == 1)
                             .options(orm::load_only(&Book::title)))
                   .one();
  }
  detached->title = "merged";
  orm::Session s(engine_);
  auto merged = s.merge(detached);
  s.commit();
  EXPECT_EQ(text_of("SELECT title FROM books WHERE id = 1"), "merged");
  EXPECT_EQ(int_of("SELECT pages FROM books WHERE id = 1"), 100);
  EXPECT_EQ(text_of("SELECT isbn FROM books WHERE id = 1"), "isbn-1");
}

TEST_P(DeferralTest, multi_entity_rows_with_column_options) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto rows = s.execute(orm::select<Shelf, Volume>()
                            .join<Volume>(orm::col(&Volume::shelf_id) == orm::col(&Shelf::id))
                            .options(orm::load_only(&Volume::title), orm::defer(&Shelf::note))
                            .order_by(orm::col(&Volume::id)))
                  .all();
  ASSERT_EQ(rows.size(), 2u);
  auto [sh, v] = rows[1];
  EXPECT_EQ(sh->name, "fiction");
  EXPECT_FALSE(orm::is_loaded(sh, &Shelf::note));
  EXPECT_EQ(v->title, "vol 2");
  EXPECT_FALSE(orm::is_loaded(v, &Volume::shelf_id));
  EXPECT_FALSE(contains(selects()[0], "note")) << selects()[0];
  EXPECT_FALSE(contains(selects()[0], "volumes.shelf_id,")) << selects()[0];
}

INSTANTIATE_TEST_SUITE_P(backends, DeferralTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

// ---- mapping errors (their own registries) ----

struct BadPk {
  std::int64_t id = 0;
  std::string name;
};

TEST(deferral_mapping, primary_key_cannot_be_deferred) {
  orm::registry reg;
  EXPECT_THROW(
      reg.map<BadPk>("bad_pk", orm::column<&BadPk::id>("id", primary_key(), orm::deferred()),
                     orm::column<&BadPk::name>("name")),
      ArgumentError);
}

}  // namespace
}  // namespace alchemy::testing
