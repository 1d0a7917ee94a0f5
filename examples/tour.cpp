// The alchemy tour: what works today, on an embedded SQLite database.
//
//   scripts/tour.sh                         # builds and runs this program
//   build/tour/examples/tour [URL]          # or against another database, e.g.
//   build/tour/examples/tour postgresql://user:pass@localhost/db
//
// Each step mirrors a SQLAlchemy 2.0 idiom; the comment shows the Python.
#include <alchemy/alchemy.hpp>
#include <alchemy/orm.hpp>
#include <iostream>
#include <string>

#include "example_support.hpp"

using namespace alchemy;

namespace {
void step(const std::string& title) { std::cout << "\n== " << title << " ==\n"; }

// class Member(Base): __tablename__ = "members"; id: Mapped[int] = mapped_column(primary_key=True) ...
struct Member {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> email;
  std::int64_t age = 0;
};

// Relationships: a writer has posts (one-to-many), posts have tags (many-to-many).
struct Post;
struct Tag;
struct Writer {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Post> posts;  // posts = relationship(back_populates="author", cascade="all, delete-orphan")
};
struct Post {
  std::int64_t id = 0;
  std::int64_t writer_id = 0;
  std::string title;
  orm::One<Writer> author;  // author = relationship(back_populates="posts")
  orm::Many<Tag> tags;      // tags = relationship(secondary=post_tags, back_populates="posts")
};
struct Tag {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Post> posts;
};
}  // namespace

int main(int argc, char** argv) {
  // engine = create_engine("sqlite:///:memory:")
  step("1. An engine and a connection");
  Engine engine = create_engine(examples::database_url(argc, argv, "sqlite:///:memory:"));
  std::cout << engine.str() << " uses " << engine.pool().name() << "\n";

  // with engine.begin() as conn: ...   (commits at the end, rolls back on error)
  engine.begin([](Connection& conn) {
    conn.execute(text("DROP TABLE IF EXISTS users"));
    conn.execute(
        text("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) UNIQUE "
             "NOT NULL, age INTEGER, email VARCHAR(100))"));
  });

  step("2. text() with bound parameters, executemany");
  Connection conn = engine.connect();
  // conn.execute(text("INSERT ... VALUES (:name, :age, :email)"), [{...}, {...}])
  Result inserted = conn.execute(
      text("INSERT INTO users (id, name, age, email) VALUES (:id, :name, :age, :email)"),
      std::vector<Params>{
          {{"id", 1}, {"name", "Ahmad"}, {"age", 30}, {"email", "ahmad@example.com"}},
          {{"id", 2}, {"name", "احمد"}, {"age", 25}, {"email", nullptr}},
          {{"id", 3}, {"name", "Sara 🚀"}, {"age", 41}, {"email", "sara@example.com"}}});
  std::cout << "inserted " << inserted.rowcount() << " rows\n";
  conn.commit();  // commit as you go; without it the connection would roll back on close

  step("3. Results: rows by name, index and type");
  // for row in conn.execute(text("SELECT ... WHERE age > :min_age"), {"min_age": 18}): ...
  for (const Row& row : conn.execute(text("SELECT id, name, email FROM users WHERE age > :min_age "
                                          "ORDER BY id"),
                                     {{"min_age", 18}})) {
    std::cout << "  id=" << row.get<std::int64_t>("id") << " name=" << row.get<std::string>(1)
              << " email=" << row.get<std::optional<std::string>>("email").value_or("(none)")
              << "\n";
  }
  // result.scalar(), scalars().all(), mappings(), one()
  std::cout << "count: " << conn.execute(text("SELECT count(*) FROM users")).scalar<int>() << "\n";
  auto names =
      conn.execute(text("SELECT name FROM users ORDER BY name")).scalars<std::string>().all();
  std::cout << "names:";
  for (const auto& n : names) std::cout << " " << n;
  std::cout << "\n";
  for (auto m :
       conn.execute(text("SELECT name, age FROM users WHERE age < 40 ORDER BY age")).mappings())
    std::cout << "  " << m.repr() << "\n";
  Row sara = conn.execute(text("SELECT * FROM users WHERE id = :id"), {{"id", 3}}).one();
  std::cout << "one(): " << sara.repr() << "\n";
  try {
    conn.execute(text("SELECT * FROM users WHERE age > 100")).one();
  } catch (const NoResultFound& e) {
    std::cout << "one() on no rows: NoResultFound: " << e.what() << "\n";
  }

  step("4. Typed values round trip");
  // Decimals travel as exact text. PostgreSQL's NUMERIC keeps every digit; SQLite's
  // NUMERIC affinity would round to 15 digits, so on SQLite an exact amount lives in TEXT.
  const bool pg = engine.name() == "postgresql";
  conn.execute(text(std::string("CREATE TABLE payments (id INTEGER PRIMARY KEY, amount ") +
                    (pg ? "NUMERIC(30, 9)" : "TEXT") + ", paid_on DATE, ref CHAR(36), receipt " +
                    (pg ? "BYTEA" : "BLOB") + ")"));
  conn.execute(text("INSERT INTO payments VALUES (1, :amount, :paid_on, :ref, :receipt)"),
               {{"amount", Decimal("1234567890.123456789")},
                {"paid_on", Date{2026, 11, 22}},
                {"ref", Uuid::parse("123e4567-e89b-12d3-a456-426614174000")},
                {"receipt", Bytes{'P', 'D', 'F', 0, 1, 2}}});
  Row p = conn.execute(text("SELECT amount, paid_on, ref, receipt FROM payments")).one();
  std::cout << "amount=" << p.get<Decimal>(0).str() << " paid_on=" << p.get<Date>(1).isoformat()
            << " ref=" << p.get<Uuid>(2).str() << " receipt=" << p.get<Bytes>(3).size()
            << " bytes\n";
  conn.rollback();

  step("5. Transactions and savepoints");
  {
    Transaction tx = conn.begin();
    conn.execute(text("UPDATE users SET age = age + 1"));
    NestedTransaction sp = conn.begin_nested();  // SAVEPOINT
    conn.execute(text("DELETE FROM users"));
    sp.rollback();  // ROLLBACK TO SAVEPOINT: the delete is undone
    tx.commit();
  }
  std::cout << "users after savepoint rollback: "
            << conn.execute(text("SELECT count(*) FROM users")).scalar<int>() << "\n";

  step("6. Errors are typed, and carry the SQL");
  try {
    conn.execute(text("INSERT INTO users (id, name) VALUES (:id, :name)"),
                 {{"id", 9}, {"name", "Ahmad"}});
  } catch (const IntegrityError& e) {
    std::cout << "IntegrityError:\n" << e.what() << "\n";
    conn.rollback();
  }

  step("7. Events and echo");
  int statements = 0;
  event::listen(engine, event::after_cursor_execute,
                [&statements](Connection&, const CursorExecuteContext&) { ++statements; });
  std::cout << std::flush;  // echo goes to stderr through the log handler
  engine.set_echo(true);    // create_engine(..., echo=True): logs SQL, parameters, timing
  conn.execute(text("SELECT name FROM users WHERE id = :id"), {{"id", 1}}).all();
  engine.set_echo(false);
  std::cerr << std::flush;
  conn.commit();
  std::cout << "statements seen by the listener: " << statements << "\n";

  step("8. Core: tables and the SQL expression language");
  // metadata = MetaData(); customers = Table("customers", metadata, Column(...), ...)
  MetaData metadata;
  Table customers("customers", metadata, Column("id", Integer, primary_key()),
                  Column("name", String(50), nullable(false)), Column("city", String(50)),
                  Column("age", Integer));
  Table orders("orders", metadata, Column("id", Integer, primary_key()),
               Column("customer_id", Integer, ForeignKey("customers.id", {.ondelete = "CASCADE"})),
               Column("total", Numeric(10, 2)));
  metadata.drop_all(engine);
  metadata.create_all(engine);  // CREATE TABLE in foreign-key order
  std::cout << CreateTable(orders).str(engine.dialect().statement_compiler()) << "\n";
  // result = conn.execute(customers.insert().values(name="Ali", city="Tehran", age=30))
  Result r =
      conn.execute(customers.insert().values({{"name", "Ali"}, {"city", "Tehran"}, {"age", 30}}));
  std::cout << "New ID: " << r.inserted_primary_key().repr() << "\n";
  conn.execute(insert(customers),
               std::vector<Params>{{{"name", "Ahmad"}, {"city", "Isfahan"}, {"age", 25}},
                                   {{"name", "Fateme"}, {"city", "Tehran"}, {"age", 17}}});
  conn.execute(insert(orders),
               std::vector<Params>{{{"customer_id", 1}, {"total", Decimal("10.50")}},
                                   {{"customer_id", 1}, {"total", Decimal("4.25")}},
                                   {{"customer_id", 2}, {"total", Decimal("99.99")}}});
  // select(customers.c.name).where((customers.c.age > 18) & (customers.c.city == "Tehran"))
  const auto& c = customers.c;
  Select adults = select(c["name"], c["age"]).where(c["age"] > 18).order_by(desc(c["age"]));
  std::cout << adults.str() << "\n";
  for (const Row& row : conn.execute(adults))
    std::cout << "  " << row.get<std::string>("name") << " (" << row.get<int>("age") << ")\n";
  // select(customers.c.name, func.count(orders.c.id),
  // func.sum(orders.c.total)).join(...).group_by(...)
  Select spend = select(c["name"], func.count(orders.c["id"]).label("n"),
                        func.sum(orders.c["total"]).label("spent"))
                     .join(orders)  // ON inferred from the foreign key
                     .group_by(c["name"])
                     .order_by(c["name"]);
  for (const Row& row : conn.execute(spend))
    std::cout << "  " << row.get<std::string>("name") << ": " << row.get<int>("n") << " orders, "
              << row.get<Decimal>("spent").str() << "\n";
  // Typed handles: comparing age with a string would not compile.
  auto age = typed<std::int64_t>(c["age"]);
  auto teens = conn.execute(select(c["name"]).where(age < 18)).scalars<std::string>().all();
  std::cout << "under 18: " << teens.size() << " (" << teens.front() << ")\n";
  Result upd =
      conn.execute(customers.update().where(c["id"] == 1).values({{"name", "Ali Ahmadi"}}));
  std::cout << upd.rowcount() << " records updated\n";
  conn.commit();
  metadata.drop_all(engine);

  step("9. The ORM: plain structs, a Session, the unit of work");
  orm::registry Base;  // class Base(DeclarativeBase)
  Base.map<Member>("members", orm::column<&Member::id>("id", primary_key()),
                   orm::column<&Member::name>("name", String(50)),
                   orm::column<&Member::email>("email", String(100), unique()),
                   orm::column<&Member::age>("age"));
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  orm::sessionmaker Session(engine);
  {
    orm::Session session = Session();  // with Session() as session:
    auto ali = orm::make<Member>(Member{.name = "Ali", .email = "ali@example.com", .age = 30});
    session.add(ali);
    session.add_all(std::vector{orm::make<Member>(Member{.name = "Sara", .age = 25}),
                                orm::make<Member>(Member{.name = "علی", .age = 17})});
    std::cout << "pending: " << orm::inspect(ali).pending() << ", id before flush: " << ali->id
              << "\n";
    session.commit();  // one batched INSERT; generated ids come back
    std::cout << "persistent: " << orm::inspect(ali).persistent() << ", id: " << ali->id << "\n";
    // session.query(Member).filter(Member.age >= 18).order_by(Member.name).all()
    auto age = orm::col(&Member::age);
    for (const auto& m : session.query<Member>().filter(age >= 18).order_by(orm::col(&Member::name)).all())
      std::cout << "  " << m->name << " (" << m->age << ")\n";
    std::cout << "same object from get(): " << (session.get<Member>(ali->id) == ali) << "\n";
    ali->age = 31;  // change tracking: only the changed column is written
    std::cout << "dirty: " << session.dirty().size() << "\n";
    session.commit();
    std::cout << "count: " << session.query<Member>().count() << "\n";
  }
  Base.metadata.drop_all(engine);

  step("10. Relationships: both sides in step, cascades, eager loading, joins");
  {
    orm::registry Blog;
    Table post_tags("post_tags", Blog.metadata,
                    Column("post_id", Integer, ForeignKey("posts.id"), primary_key()),
                    Column("tag_id", Integer, ForeignKey("tags.id"), primary_key()));
    Blog.map<Writer>("writers", orm::column<&Writer::id>("id", primary_key()),
                     orm::column<&Writer::name>("name", String(50)),
                     orm::relationship<&Writer::posts>("posts", orm::back_populates("author"),
                                                       orm::cascade("all, delete-orphan")));
    Blog.map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                   orm::column<&Post::writer_id>("writer_id", ForeignKey("writers.id")),
                   orm::column<&Post::title>("title", String(100)),
                   orm::relationship<&Post::author>("author", orm::back_populates("posts")),
                   orm::relationship<&Post::tags>("tags", orm::secondary(post_tags),
                                                  orm::back_populates("posts")));
    Blog.map<Tag>("tags", orm::column<&Tag::id>("id", primary_key()),
                  orm::column<&Tag::name>("name", String(50)),
                  orm::relationship<&Tag::posts>("posts", orm::secondary(post_tags),
                                                 orm::back_populates("tags")));
    Blog.metadata.drop_all(engine);
    Blog.metadata.create_all(engine);
    std::size_t statements = 0;
    auto counter = event::listen(engine, event::before_cursor_execute,
                                 [&statements](Connection&, const CursorExecuteContext&) { ++statements; });
    {
      orm::Session session(engine);
      auto tarun = orm::make<Writer>(Writer{.name = "Tarun"});
      auto python = orm::make<Tag>(Tag{.name = "python"});
      auto post = orm::make<Post>(Post{.title = "Hello"});
      post->author = tarun;  // post.author = tarun: tarun.posts now holds it
      post->tags = {python};
      tarun->posts.push_back(orm::make<Post>(Post{.title = "Second", .tags = {python}}));
      std::cout << "tarun has " << tarun->posts.size() << " posts; python tags "
                << python->posts.size() << "\n";
      session.add(tarun);  // the posts and the tag cascade in; keys are set at flush
      session.commit();
    }
    orm::Session session(engine);
    statements = 0;
    // select(Writer).options(selectinload(Writer.posts).selectinload(Post.tags))
    auto writers = session.scalars(orm::select<Writer>().options(
                                       orm::selectinload(&Writer::posts).selectinload(&Post::tags)))
                       .all();
    for (const auto& w : writers)
      for (const auto& p : w->posts)
        std::cout << "  " << w->name << ": " << p->title << " [" << p->tags.size() << " tag]\n";
    std::cout << "statements for writers, posts and tags: " << statements << "\n";
    // select(Post).join(Post.tags).where(Tag.name == "python"); Writer.posts.any(...)
    auto tagged = session.query<Post>().join(&Post::tags).filter(orm::col(&Tag::name) == "python").count();
    auto prolific = session.query<Writer>()
                        .filter(orm::rel(&Writer::posts).any(orm::col(&Post::title) == "Second"))
                        .count();
    std::cout << "posts tagged python: " << tagged << ", writers with 'Second': " << prolific << "\n";
    session.delete_(writers.front());  // cascade="all, delete-orphan": the posts go too
    session.commit();
    std::cout << "posts left: " << session.query<Post>().count() << "\n";
    session.close();  // hands the connection back before the DDL below
    event::remove(engine, event::before_cursor_execute, counter);
    Blog.metadata.drop_all(engine);
  }

  step("11. The pool");
  conn.close();
  std::cout << engine.pool().status() << "\n";
  std::cout << "\nThat's the tour. Next: docs/index.md, and examples/ for every guide section.\n";
  return 0;
}
