// Many-to-many relationships through an association table (secondary), the
// self-referential followers relationship (primaryjoin / secondaryjoin) and
// backref, on real SQLite and PostgreSQL: both sides in step in memory, the
// association rows written at flush, lazy and eager loading, and errors.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct Tag;
struct TagLink;
struct Article {
  std::int64_t id = 0;
  std::string title;
  orm::Many<Tag> tags;
  orm::Many<TagLink> links;  // association objects
  // The guide's convenience property over the association objects.
  std::vector<std::shared_ptr<Tag>> linked_tags() const;
};
struct Tag {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Article> articles;
  orm::Many<TagLink> links;
};
struct TagLink {  // an association object: the link with data of its own
  std::int64_t article_id = 0;
  std::int64_t tag_id = 0;
  std::string note;
  std::optional<std::int64_t> created_by;
  orm::One<Article> article;
  orm::One<Tag> tag;
};
std::vector<std::shared_ptr<Tag>> Article::linked_tags() const {
  std::vector<std::shared_ptr<Tag>> out;
  for (const auto& l : links) out.push_back(l->tag.get());
  return out;
}

struct Member {  // social network: members follow members
  std::int64_t id = 0;
  std::string name;
  orm::Many<Member> following;
  orm::Many<Member> followers;
};

struct Invoice;
struct Customer {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Invoice> invoices;  // created by the backref on Invoice::customer
  orm::Many<Invoice> big_invoices;  // primaryjoin with an extra criterion, viewonly
};
struct Invoice {
  std::int64_t id = 0;
  std::optional<std::int64_t> customer_id;
  std::int64_t total = 0;
  orm::One<Customer> customer;
};

struct Story;
struct Blogger {  // lazy="dynamic": a query, not a list
  std::int64_t id = 0;
  std::string name;
  orm::Dynamic<Story> stories;
};
struct Story {
  std::int64_t id = 0;
  std::optional<std::int64_t> blogger_id;
  std::string title;
  std::int64_t views = 0;
};

Table& follows_table(orm::registry& r) {
  static Table* t = new Table(
      "follows", r.metadata, Column("follower_id", Integer, ForeignKey("members.id"), primary_key()),
      Column("followed_id", Integer, ForeignKey("members.id"), primary_key()));
  return *t;
}

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry();
    Table article_tags("article_tags", r->metadata,
                       Column("article_id", Integer, ForeignKey("articles.id"), primary_key()),
                       Column("tag_id", Integer, ForeignKey("tags.id"), primary_key()));
    r->map<Article>("articles", orm::column<&Article::id>("id", primary_key()),
                    orm::column<&Article::title>("title", String(100)),
                    orm::relationship<&Article::tags>(
                        "tags", orm::secondary(article_tags), orm::back_populates("articles"),
                        orm::order_by([] { return orm::col(&Tag::name); })),
                    orm::relationship<&Article::links>(
                        "links", orm::back_populates("article"), orm::cascade("all, delete-orphan")));
    r->map<Tag>("tags", orm::column<&Tag::id>("id", primary_key()),
                orm::column<&Tag::name>("name", String(50), unique()),
                orm::relationship<&Tag::articles>("articles", orm::secondary("article_tags"),
                                                  orm::back_populates("tags")),
                orm::relationship<&Tag::links>("links", orm::back_populates("tag")));
    r->map<TagLink>(
        "tag_links",
        orm::column<&TagLink::article_id>("article_id", ForeignKey("articles.id"), primary_key()),
        orm::column<&TagLink::tag_id>("tag_id", ForeignKey("tags.id"), primary_key()),
        orm::column<&TagLink::note>("note", String(100)),
        orm::column<&TagLink::created_by>("created_by"),
        orm::relationship<&TagLink::article>("article", orm::back_populates("links")),
        orm::relationship<&TagLink::tag>("tag", orm::back_populates("links")));
    Table& follows = follows_table(*r);
    r->map<Member>(
        "members", orm::column<&Member::id>("id", primary_key()),
        orm::column<&Member::name>("name", String(50)),
        orm::relationship<&Member::following>(
            "following", orm::secondary(follows),
            orm::primaryjoin([&] { return orm::col(&Member::id) == follows.c["follower_id"]; }),
            orm::secondaryjoin([&] { return orm::col(&Member::id) == follows.c["followed_id"]; }),
            orm::back_populates("followers"), orm::order_by([] { return orm::col(&Member::id); })),
        orm::relationship<&Member::followers>(
            "followers", orm::secondary(follows),
            orm::primaryjoin([&] { return orm::col(&Member::id) == follows.c["followed_id"]; }),
            orm::secondaryjoin([&] { return orm::col(&Member::id) == follows.c["follower_id"]; }),
            orm::back_populates("following"), orm::order_by([] { return orm::col(&Member::id); })));
    // The backref names a class mapped after this one.
    r->map<Invoice>("invoices", orm::column<&Invoice::id>("id", primary_key()),
                    orm::column<&Invoice::customer_id>("customer_id", ForeignKey("customers.id")),
                    orm::column<&Invoice::total>("total"),
                    orm::relationship<&Invoice::customer>(
                        "customer", orm::backref<&Customer::invoices>(
                                        "invoices", orm::lazy(orm::Lazy::selectin),
                                        orm::order_by([] { return orm::col(&Invoice::id); }))));
    r->map<Customer>("customers", orm::column<&Customer::id>("id", primary_key()),
                     orm::column<&Customer::name>("name", String(50)),
                     orm::relationship<&Customer::big_invoices>(
                         "big_invoices", orm::viewonly(),
                         orm::primaryjoin([] {
                           return and_(orm::col(&Customer::id) == orm::col(&Invoice::customer_id),
                                       orm::col(&Invoice::total) > 100);
                         })));
    r->map<Blogger>("bloggers", orm::column<&Blogger::id>("id", primary_key()),
                    orm::column<&Blogger::name>("name", String(50)),
                    orm::relationship<&Blogger::stories>("stories"));
    r->map<Story>("stories", orm::column<&Story::id>("id", primary_key()),
                  orm::column<&Story::blogger_id>("blogger_id", ForeignKey("bloggers.id")),
                  orm::column<&Story::title>("title", String(100)),
                  orm::column<&Story::views>("views"));
    return r;
  }();
  return *reg;
}

class ManyToManyTest : public RecordingOrmTest {
 protected:
  orm::registry& registry() override { return Base(); }
  static std::vector<std::string> names(const orm::Many<Tag>& tags) {
    std::vector<std::string> out;
    for (const auto& t : tags) out.push_back(t->name);
    return out;
  }
  // Three articles: a(python, sql), b(python), c(no tags).
  void seed() {
    orm::Session s(engine_);
    auto python = orm::make<Tag>(Tag{.name = "python"});
    auto sql = orm::make<Tag>(Tag{.name = "sql"});
    auto a = orm::make<Article>(Article{.title = "a"});
    auto b = orm::make<Article>(Article{.title = "b"});
    auto c = orm::make<Article>(Article{.title = "c"});
    a->tags = {python, sql};
    b->tags.push_back(python);
    s.add_all({a, b, c});
    s.commit();
    log_.clear();
  }
};

TEST_P(ManyToManyTest, both_sides_stay_in_step_in_memory) {
  if (not_ready()) return;
  auto post = orm::make<Article>(Article{.title = "My Post"});
  auto t1 = orm::make<Tag>(Tag{.name = "python"});
  auto t2 = orm::make<Tag>(Tag{.name = "fastapi"});
  post->tags.push_back(t1);
  post->tags.push_back(t2);
  ASSERT_EQ(t1->articles.size(), 1u);
  EXPECT_EQ(t1->articles[0], post);
  post->tags.remove(t1);
  EXPECT_TRUE(t1->articles.empty());
  t1->articles.push_back(post);  // from the other side
  EXPECT_TRUE(post->tags.contains(t1));
  post->tags = {t2};  // reassigning the whole collection
  EXPECT_TRUE(t1->articles.empty());
  EXPECT_EQ(t2->articles.size(), 1u);
}

TEST_P(ManyToManyTest, flush_writes_one_association_row_per_pair) {
  if (not_ready()) return;
  seed();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM article_tags"), 3);
  orm::Session s(engine_);
  auto a = s.scalars(orm::select<Article>().where(orm::col(&Article::title) == "a")).one();
  auto c = s.scalars(orm::select<Article>().where(orm::col(&Article::title) == "c")).one();
  auto sql = s.scalars(orm::select<Tag>().where(orm::col(&Tag::name) == "sql")).one();
  EXPECT_EQ(names(a->tags), (std::vector<std::string>{"python", "sql"}));
  // Removing from one side deletes the row; appending from the other adds one.
  a->tags.remove(sql);
  sql->articles.push_back(c);
  // Added and removed again before the flush: nothing to write.
  auto java = orm::make<Tag>(Tag{.name = "java"});
  c->tags.push_back(java);
  c->tags.remove(java);
  log_.clear();
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM article_tags"), 3);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM article_tags t JOIN tags ON tags.id = t.tag_id "
                  "JOIN articles ON articles.id = t.article_id WHERE tags.name = 'sql' AND "
                  "articles.title = 'c'"),
            1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM article_tags t JOIN tags ON tags.id = t.tag_id "
                  "JOIN articles ON articles.id = t.article_id WHERE tags.name = 'sql' AND "
                  "articles.title = 'a'"),
            0);
  // The new tag was added to the session by the cascade and stays (only its row went).
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM tags WHERE name = 'java'"), 1);
}

TEST_P(ManyToManyTest, lazy_selectin_and_joined_loading) {
  if (not_ready()) return;
  seed();
  {
    orm::Session s(engine_);
    auto articles = s.scalars(orm::select<Article>().order_by(orm::col(&Article::id))).all();
    ASSERT_EQ(articles.size(), 3u);
    log_.clear();
    EXPECT_EQ(names(articles[0]->tags), (std::vector<std::string>{"python", "sql"}));
    EXPECT_EQ(names(articles[1]->tags), (std::vector<std::string>{"python"}));
    EXPECT_TRUE(articles[2]->tags.empty());
    EXPECT_EQ(selects(), 3u);  // one lazy load per article
    // The reverse side, lazily.
    auto python = articles[0]->tags[0];
    EXPECT_EQ(python->articles.size(), 2u);
  }
  {
    orm::Session s(engine_);
    log_.clear();
    auto articles = s.scalars(orm::select<Article>()
                                  .order_by(orm::col(&Article::id))
                                  .options(orm::selectinload(&Article::tags)))
                        .all();
    EXPECT_EQ(selects(), 2u);
    EXPECT_EQ(names(articles[0]->tags), (std::vector<std::string>{"python", "sql"}));
    EXPECT_EQ(names(articles[1]->tags), (std::vector<std::string>{"python"}));
    EXPECT_TRUE(articles[2]->tags.empty());
    EXPECT_EQ(selects(), 2u);
  }
  {
    orm::Session s(engine_);
    log_.clear();
    auto articles = s.scalars(orm::select<Article>()
                                  .order_by(orm::col(&Article::id))
                                  .options(orm::joinedload(&Article::tags)))
                        .all();
    EXPECT_EQ(selects(), 1u);
    ASSERT_EQ(articles.size(), 3u);  // parents once each
    EXPECT_EQ(names(articles[0]->tags), (std::vector<std::string>{"python", "sql"}));
    EXPECT_EQ(names(articles[1]->tags), (std::vector<std::string>{"python"}));
    EXPECT_TRUE(articles[2]->tags.empty());
    EXPECT_EQ(selects(), 1u);
  }
  {
    // Chained: tags, then each tag's articles.
    orm::Session s(engine_);
    log_.clear();
    auto articles = s.scalars(orm::select<Article>().options(
                                  orm::selectinload(&Article::tags).selectinload(&Tag::articles)))
                        .all();
    EXPECT_EQ(selects(), 3u);
    for (const auto& a : articles)
      for (const auto& t : a->tags) EXPECT_FALSE(t->articles.empty());
    EXPECT_EQ(selects(), 3u);
  }
}

TEST_P(ManyToManyTest, deleting_an_object_deletes_its_association_rows) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  auto a = s.scalars(orm::select<Article>().where(orm::col(&Article::title) == "a")).one();
  s.delete_(a);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM article_tags"), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM tags"), 2);  // the tags stay
}

TEST_P(ManyToManyTest, self_referential_followers) {
  if (not_ready()) return;
  {
    orm::Session s(engine_);
    auto ann = orm::make<Member>(Member{.name = "ann"});
    auto bob = orm::make<Member>(Member{.name = "bob"});
    auto cid = orm::make<Member>(Member{.name = "cid"});
    ann->following.push_back(bob);
    ann->following.push_back(cid);
    cid->followers.push_back(bob);  // bob follows cid, from the other side
    EXPECT_TRUE(bob->followers.contains(ann));
    EXPECT_TRUE(bob->following.contains(cid));
    s.add_all({ann, bob, cid});
    s.commit();
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM follows"), 3);
  orm::Session s(engine_);
  auto members = s.scalars(orm::select<Member>()
                               .order_by(orm::col(&Member::id))
                               .options(orm::selectinload(&Member::followers)))
                     .all();
  ASSERT_EQ(members.size(), 3u);
  auto& ann = members[0];
  auto& bob = members[1];
  auto& cid = members[2];
  EXPECT_TRUE(ann->followers.empty());
  ASSERT_EQ(bob->followers.size(), 1u);
  EXPECT_EQ(bob->followers[0], ann);
  ASSERT_EQ(cid->followers.size(), 2u);
  EXPECT_EQ(cid->followers[0], ann);
  EXPECT_EQ(cid->followers[1], bob);
  ASSERT_EQ(ann->following.size(), 2u);  // lazily
  EXPECT_EQ(ann->following[1], cid);
  // Unfollow: the row goes.
  ann->following.remove(cid);
  EXPECT_EQ(cid->followers.size(), 1u);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM follows"), 2);
  // Joined, with the table aliased against itself.
  orm::Session s2(engine_);
  auto again = s2.scalars(orm::select<Member>()
                              .order_by(orm::col(&Member::id))
                              .options(orm::joinedload(&Member::following)))
                   .all();
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0]->following.size(), 1u);
  EXPECT_EQ(again[1]->following.size(), 1u);
  EXPECT_TRUE(again[2]->following.empty());
}

TEST_P(ManyToManyTest, backref_creates_the_other_side) {
  if (not_ready()) return;
  const orm::RelationshipProperty* back = orm::mapper_of<Customer>().relationship("invoices");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->direction(), orm::RelationshipDirection::one_to_many);
  ASSERT_NE(back->reverse(), nullptr);
  EXPECT_EQ(back->reverse()->key(), "customer");
  {
    orm::Session s(engine_);
    auto cust = orm::make<Customer>(Customer{.name = "acme"});
    auto i1 = orm::make<Invoice>(Invoice{.total = 10});
    auto i2 = orm::make<Invoice>(Invoice{.total = 20});
    i1->customer = cust;  // the side that declared the relationship
    ASSERT_EQ(cust->invoices.size(), 1u);
    cust->invoices.push_back(i2);  // the side the backref made
    EXPECT_EQ(i2->customer.get(), cust);
    s.add(cust);
    s.commit();
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM invoices WHERE customer_id IS NOT NULL"), 2);
  orm::Session s(engine_);
  auto cust = s.scalars(orm::select<Customer>()).one();
  ASSERT_EQ(cust->invoices.size(), 2u);
  EXPECT_EQ(cust->invoices[0]->total, 10);
  EXPECT_EQ(cust->invoices[1]->customer.get(), cust);
  // get() loads lazy=selectin relationships with the object too.
  orm::Session s2(engine_);
  log_.clear();
  auto again = s2.get<Customer>(cust->id);
  EXPECT_EQ(selects(), 2u);
  EXPECT_EQ(again->invoices.size(), 2u);
  EXPECT_EQ(selects(), 2u);
}

TEST_P(ManyToManyTest, relationship_comparators_in_queries) {
  if (not_ready()) return;
  seed();
  orm::Session s(engine_);
  // The guide's db.query(Post).join(Post.tags).filter(Tag.name == "python").
  auto python_posts = s.query<Article>()
                          .join(&Article::tags)
                          .filter(orm::col(&Tag::name) == "python")
                          .order_by(orm::col(&Article::title))
                          .all();
  ASSERT_EQ(python_posts.size(), 2u);
  EXPECT_EQ(python_posts[0]->title, "a");
  EXPECT_EQ(python_posts[1]->title, "b");
  // any(): collections, with and without a criterion.
  auto with_sql = s.scalars(orm::select<Article>().where(
                                orm::rel(&Article::tags).any(orm::col(&Tag::name) == "sql")))
                      .all();
  ASSERT_EQ(with_sql.size(), 1u);
  EXPECT_EQ(with_sql[0]->title, "a");
  auto untagged = s.scalars(orm::select<Article>().where(not_(orm::rel(&Article::tags).any()))).all();
  ASSERT_EQ(untagged.size(), 1u);
  EXPECT_EQ(untagged[0]->title, "c");
  // contains(): a many-to-many collection holding an object.
  auto sql = s.scalars(orm::select<Tag>().where(orm::col(&Tag::name) == "sql")).one();
  auto holding = s.scalars(orm::select<Article>().where(orm::rel(&Article::tags).contains(sql))).all();
  ASSERT_EQ(holding.size(), 1u);
  EXPECT_EQ(holding[0]->title, "a");
  // Outer join along the relationship: articles without tags.
  auto lonely = s.query<Article>()
                    .outerjoin(&Article::tags)
                    .filter(orm::col(&Tag::id).is_(null()))
                    .all();
  ASSERT_EQ(lonely.size(), 1u);
  EXPECT_EQ(lonely[0]->title, "c");
  // One-to-many / many-to-one: has(), == and contains().
  auto acme = orm::make<Customer>(Customer{.name = "acme"});
  auto other = orm::make<Customer>(Customer{.name = "other"});
  auto big = orm::make<Invoice>(Invoice{.total = 500});
  acme->invoices.push_back(big);
  acme->invoices.push_back(orm::make<Invoice>(Invoice{.total = 5}));
  s.add_all({acme, other});
  s.flush();
  auto acme_invoices = s.scalars(orm::select<Invoice>().where(
                                     orm::rel(&Invoice::customer).has(orm::col(&Customer::name) == "acme")))
                           .all();
  EXPECT_EQ(acme_invoices.size(), 2u);
  EXPECT_EQ(s.scalars(orm::select<Invoice>().where(orm::rel(&Invoice::customer) == acme)).all().size(), 2u);
  EXPECT_EQ(s.scalars(orm::select<Invoice>().where(orm::rel(&Invoice::customer) == nullptr)).all().size(), 0u);
  auto owner = s.scalars(orm::select<Customer>().where(orm::rel(&Customer::invoices).contains(big))).one();
  EXPECT_EQ(owner, acme);
  // primaryjoin with a criterion: lazily, eagerly and in a join.
  s.commit();
  orm::Session s2(engine_);
  auto acme2 = s2.scalars(orm::select<Customer>().where(orm::col(&Customer::name) == "acme")).one();
  ASSERT_EQ(acme2->big_invoices.size(), 1u);
  EXPECT_EQ(acme2->big_invoices[0]->total, 500);
  orm::Session s3(engine_);
  auto all = s3.scalars(orm::select<Customer>().options(orm::selectinload(&Customer::big_invoices))).all();
  std::size_t n_big = 0;
  for (const auto& c : all) n_big += c->big_invoices.size();
  EXPECT_EQ(n_big, 1u);
  EXPECT_EQ(s3.query<Customer>().join(&Customer::big_invoices).all().size(), 1u);
  auto spenders = s.scalars(orm::select<Customer>().where(
                                orm::rel(&Customer::invoices).any(orm::col(&Invoice::total) > 100)))
                      .all();
  ASSERT_EQ(spenders.size(), 1u);
  EXPECT_EQ(spenders[0], acme);
  // The wrong comparator for the kind of relationship is a clear error.
  EXPECT_THROW(orm::rel(&Invoice::customer).any(), InvalidRequestError);
  EXPECT_THROW(orm::rel(&Customer::invoices).has(), InvalidRequestError);
}

TEST_P(ManyToManyTest, dynamic_relationship_is_a_query) {
  if (not_ready()) return;
  orm::Session s(engine_);
  auto b = orm::make<Blogger>(Blogger{.name = "tarun"});
  s.add(b);
  for (int i = 1; i <= 5; ++i)
    b->stories.append(orm::make<Story>(Story{.title = "story " + std::to_string(i), .views = i * 50}));
  // Queries autoflush: the appended stories are there, with their foreign key.
  EXPECT_EQ(b->stories.count(), 5);
  auto popular =
      b->stories.filter(orm::col(&Story::views) > 100).order_by(orm::col(&Story::id)).all();
  ASSERT_EQ(popular.size(), 3u);
  EXPECT_EQ(popular[0]->title, "story 3");
  auto top = b->stories.order_by(orm::col(&Story::views).desc()).limit(2).all();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0]->views, 250);
  EXPECT_EQ(b->stories.order_by(orm::col(&Story::id)).first()->title, "story 1");
  // The statement, for session.scalars().
  EXPECT_EQ(s.scalars(b->stories.select().where(orm::col(&Story::views) < 100)).all().size(), 1u);
  // remove(): the foreign key is nulled at the next flush.
  b->stories.remove(popular[0]);
  EXPECT_EQ(b->stories.count(), 4);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM stories WHERE blogger_id IS NULL"), 1);
  // Eager options cannot load a query.
  EXPECT_THROW(s.scalars(orm::select<Blogger>().options(orm::selectinload(&Blogger::stories))),
               InvalidRequestError);
  // A new owner without a session has nothing to query in.
  auto loose = orm::make<Blogger>();
  EXPECT_THROW(loose->stories.all(), orm::DetachedInstanceError);
}

TEST_P(ManyToManyTest, association_objects_carry_their_own_columns) {
  if (not_ready()) return;
  {
    orm::Session s(engine_);
    auto post = orm::make<Article>(Article{.title = "My Post"});
    auto python = orm::make<Tag>(Tag{.name = "python"});
    auto sql = orm::make<Tag>(Tag{.name = "sql"});
    // PostTag(post=post, tag=tag, created_by=user.id)
    auto l1 = orm::make<TagLink>(TagLink{.note = "first", .created_by = 7});
    l1->article = post;
    l1->tag = python;
    auto l2 = orm::make<TagLink>(TagLink{.note = "second"});
    l2->article = post;
    l2->tag = sql;
    EXPECT_EQ(post->links.size(), 2u);  // back_populates
    EXPECT_EQ(python->links.size(), 1u);
    auto tags = post->linked_tags();
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(tags[1], sql);
    s.add(l1);  // the article, the tags and the other link cascade in
    EXPECT_TRUE(s.contains(l2));
    s.commit();
    EXPECT_EQ(l1->article_id, post->id);  // the composite key came from both sides
    EXPECT_EQ(l1->tag_id, python->id);
  }
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM tag_links WHERE created_by = 7 AND note = 'first'"), 1);
  orm::Session s(engine_);
  log_.clear();
  auto post = s.scalars(orm::select<Article>().options(
                            orm::selectinload(&Article::links).joinedload(&TagLink::tag)))
                  .one();
  EXPECT_EQ(selects(), 2u);
  auto tags = post->linked_tags();
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(selects(), 2u);
  // delete-orphan on the association objects: un-linking deletes the row.
  post->links.remove(post->links[0]);
  s.commit();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM tag_links"), 1);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM tags"), 2);
}

// Bad mappings: the errors come when the relationship is first configured.
struct Lonely {
  std::int64_t id = 0;
  orm::Many<Lonely> friends;
};
struct Island {
  std::int64_t id = 0;
};
struct Shore {
  std::int64_t id = 0;
  orm::Many<Island> islands;
};

TEST(ManyToManyErrors, association_table_errors_are_clear) {
  {
    orm::registry r;
    Table links("links", r.metadata, Column("a", Integer, ForeignKey("lonely.id")),
                Column("b", Integer, ForeignKey("lonely.id")));
    r.map<Lonely>("lonely", orm::column<&Lonely::id>("id", primary_key()),
                  orm::relationship<&Lonely::friends>("friends", orm::secondary(links)));
    EXPECT_THROW(orm::mapper_of<Lonely>().relationships(), AmbiguousForeignKeysError);
  }
  {
    orm::registry r;
    Table unrelated("unrelated", r.metadata, Column("x", Integer), Column("y", Integer));
    r.map<Island>("islands", orm::column<&Island::id>("id", primary_key()));
    r.map<Shore>("shores", orm::column<&Shore::id>("id", primary_key()),
                 orm::relationship<&Shore::islands>("islands", orm::secondary(unrelated)));
    EXPECT_THROW(orm::mapper_of<Shore>().relationships(), NoForeignKeysError);
  }
  {
    orm::registry r;
    r.map<Island>("islands", orm::column<&Island::id>("id", primary_key()));
    r.map<Shore>("shores", orm::column<&Shore::id>("id", primary_key()),
                 orm::relationship<&Shore::islands>("islands", orm::secondary("missing")));
    try {
      orm::mapper_of<Shore>().relationships();
      FAIL() << "expected InvalidRequestError";
    } catch (const InvalidRequestError& e) {
      EXPECT_NE(std::string(e.what()).find("'missing'"), std::string::npos) << e.what();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(backends, ManyToManyTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace alchemy::testing
