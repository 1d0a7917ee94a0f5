// Guide: "Relationships and Advanced ORM" (One-to-Many, Many-to-One,
// One-to-One, Back references, Lazy Loading vs Eager Loading, the N+1
// problem, Loading strategies), "Advanced Relationships -> Self-referential
// relationships" and "Custom loading techniques"; basics guide: "Table
// Relationships", "One-to-Many" (cascade options), "One-to-One",
// "Self-Referential".
//
// Python:
//   class User(Base):
//       posts = relationship("Post", back_populates="author", order_by="Post.id")
//       profile = relationship("Profile", back_populates="user", uselist=False,
//                              cascade="all, delete-orphan")
//   class Post(Base):
//       author_id = Column(Integer, ForeignKey("users.id"))
//       author = relationship("User", back_populates="posts")
//       comments = relationship("Comment", back_populates="post",
//                               cascade="all, delete-orphan")
//   class Category(Base):
//       parent_id = Column(Integer, ForeignKey("categories.id"))
//       parent = relationship("Category", remote_side=[id], back_populates="children")
//       children = relationship("Category", back_populates="parent")
//   class Message(Base):
//       sender = relationship("Person", foreign_keys=[sender_id])
//       receiver = relationship("Person", foreign_keys=[receiver_id])
//
//   users = session.query(User).options(selectinload(User.posts)).all()
//
// In C++ a relationship is a member of type orm::Many<T> (a list) or
// orm::One<T> (one object, uselist=False), mapped with
// orm::relationship<&User::posts>("posts", ...) next to the columns.
// The direction comes from the foreign keys, as in SQLAlchemy.
#include <alchemy/orm.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "example_support.hpp"

using namespace alchemy;

namespace {

struct Post;
struct Comment;
struct Profile;

struct User {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Post> posts;      // one-to-many: user.posts
  orm::One<Profile> profile;  // one-to-one: uselist=False
};

struct Profile {
  std::int64_t id = 0;
  std::int64_t user_id = 0;  // unique: at most one profile per user
  std::string bio;
  orm::One<User> user;
};

struct Post {
  std::int64_t id = 0;
  std::optional<std::int64_t> author_id;  // nullable: a post may lose its author
  std::string title;
  orm::One<User> author;        // many-to-one: post.author
  orm::Many<Comment> comments;  // owned by the post: cascade "all, delete-orphan"
};

struct Comment {
  std::int64_t id = 0;
  std::int64_t post_id = 0;
  std::string body;
  orm::One<Post> post;
};

struct Category {  // a tree: one table that references itself
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> parent_id;
  orm::One<Category> parent;
  orm::Many<Category> children;
};

struct Person {
  std::int64_t id = 0;
  std::string name;
};

struct Message {  // two foreign keys to the same table
  std::int64_t id = 0;
  std::int64_t sender_id = 0;
  std::int64_t receiver_id = 0;
  std::string body;
  orm::One<Person> sender;
  orm::One<Person> receiver;
};

void map_models(orm::registry& Base) {
  Base.map<User>("users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::relationship<&User::posts>("posts", orm::back_populates("author"),
                                                 orm::order_by([] { return orm::col(&Post::id); })),
                 orm::relationship<&User::profile>("profile", orm::back_populates("user"),
                                                   orm::cascade("all, delete-orphan")));
  Base.map<Profile>("profiles", orm::column<&Profile::id>("id", primary_key()),
                    orm::column<&Profile::user_id>("user_id", ForeignKey("users.id"), unique()),
                    orm::column<&Profile::bio>("bio", String(200)),
                    orm::relationship<&Profile::user>("user", orm::back_populates("profile")));
  Base.map<Post>("posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::author_id>("author_id", ForeignKey("users.id")),
                 orm::column<&Post::title>("title", String(200)),
                 orm::relationship<&Post::author>("author", orm::back_populates("posts")),
                 orm::relationship<&Post::comments>(
                     "comments", orm::back_populates("post"), orm::cascade("all, delete-orphan"),
                     orm::order_by([] { return orm::col(&Comment::id); })));
  Base.map<Comment>("comments", orm::column<&Comment::id>("id", primary_key()),
                    orm::column<&Comment::post_id>("post_id", ForeignKey("posts.id")),
                    orm::column<&Comment::body>("body", String(200)),
                    orm::relationship<&Comment::post>("post", orm::back_populates("comments")));
  Base.map<Category>("categories", orm::column<&Category::id>("id", primary_key()),
                     orm::column<&Category::name>("name", String(50)),
                     orm::column<&Category::parent_id>("parent_id", ForeignKey("categories.id")),
                     // remote_side=[id]: the referenced column is on the other row, so this
                     // side is many-to-one (the parent).
                     orm::relationship<&Category::parent>(
                         "parent", orm::back_populates("children"),
                         orm::remote_side([] { return orm::col(&Category::id); })),
                     orm::relationship<&Category::children>(
                         "children", orm::back_populates("parent"),
                         orm::order_by([] { return orm::col(&Category::id); })));
  Base.map<Person>("people", orm::column<&Person::id>("id", primary_key()),
                   orm::column<&Person::name>("name", String(50)));
  // Two foreign keys to people: foreign_keys says which one each relationship uses
  // (without it, configuring raises AmbiguousForeignKeysError).
  auto sender_id = [] { return orm::col(&Message::sender_id); };
  auto receiver_id = [] { return orm::col(&Message::receiver_id); };
  Base.map<Message>(
      "messages", orm::column<&Message::id>("id", primary_key()),
      orm::column<&Message::sender_id>("sender_id", ForeignKey("people.id")),
      orm::column<&Message::receiver_id>("receiver_id", ForeignKey("people.id")),
      orm::column<&Message::body>("body", String(200)),
      orm::relationship<&Message::sender>("sender", orm::foreign_keys(sender_id)),
      orm::relationship<&Message::receiver>("receiver", orm::foreign_keys(receiver_id)));
}

// The guide's "custom loader": a reusable bundle of loader options.
//   class UserLoader:
//       @staticmethod
//       def full_load(): return [joinedload(User.orders), joinedload(User.profile)]
// Here the posts come by selectinload, their comments with them (a chained
// option), and the profile by joinedload, in the users' own query.
struct UserLoader {
  static std::vector<orm::LoaderOption> full_load() {
    return {orm::selectinload(&User::posts).selectinload(&Post::comments),
            orm::joinedload(&User::profile)};
  }
};

// Counts the SELECTs the engine runs (the guide's N+1 problem, measured).
struct StatementLog {
  std::vector<std::string> statements;
  std::size_t selects() const {
    std::size_t n = 0;
    for (const auto& s : statements)
      if (s.rfind("SELECT", 0) == 0) ++n;
    return n;
  }
};

void print_tree(const std::shared_ptr<Category>& c, int depth) {
  std::cout << std::string(2 * static_cast<std::size_t>(depth) + 2, ' ') << c->name << "\n";
  for (const auto& child : c->children) print_tree(child, depth + 1);  // lazy loads
}

std::int64_t count_rows(orm::Session& session, const Table& table) {
  return session.scalar<std::int64_t>(select(func.count()).select_from(table));
}

}  // namespace

int main(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_relationships.db"));
  // SQLite checks foreign keys only when asked; PostgreSQL always does.
  event::listen(engine, event::connect, [&engine](DBAPIConnection& dbapi, ConnectionRecord&) {
    if (engine.url().get_backend_name() == "sqlite") dbapi.exec("PRAGMA foreign_keys=ON");
  });
  orm::registry Base;
  map_models(Base);
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  std::cout << std::boolalpha;

  // ---- One-to-many and many-to-one, kept in step by back_populates ------------------------
  std::cout << "== One-to-many / many-to-one ==\n";
  {
    orm::Session session(engine);
    // orm::make<T>() objects keep both sides in step at once (std::make_shared
    // ones from the moment they are added to a session).
    auto ahmad = orm::make<User>(User{.name = "Ahmad"});
    auto hello = orm::make<Post>(Post{.title = "Hello SQLAlchemy"});
    ahmad->posts.push_back(hello);  // user.posts.append(post)
    std::cout << "after ahmad->posts.push_back(hello): hello->author is Ahmad: "
              << (hello->author == ahmad) << "\n";
    auto rel = orm::make<Post>(Post{.title = "Relationships in C++"});
    rel->author = ahmad;  // Post(author=user)
    std::cout << "after rel->author = ahmad: ahmad->posts.size() = " << ahmad->posts.size() << "\n";
    rel->comments.push_back(orm::make<Comment>(Comment{.body = "Great post"}));
    rel->comments.push_back(orm::make<Comment>(Comment{.body = "Thanks, very clear"}));

    // One-to-one: a One<> on both sides.
    auto profile = orm::make<Profile>(Profile{.bio = "Writes about databases"});
    ahmad->profile = profile;
    std::cout << "profile->user->name: " << profile->user->name << "\n";

    session.add(ahmad);  // save-update cascade: posts, comments and profile too
    std::cout << "added with Ahmad (cascade): post " << session.contains(rel) << ", comment "
              << session.contains(rel->comments[0]) << ", profile " << session.contains(profile)
              << "\n";
    session.commit();  // INSERT users, then profiles and posts, then comments
    std::cout << "foreign keys set at flush: hello.author_id = " << *hello->author_id
              << ", comment.post_id = " << rel->comments[0]->post_id
              << ", profile.user_id = " << profile->user_id << " (ahmad.id = " << ahmad->id
              << ")\n";

    // More users for the loading examples: two posts each, one comment per post.
    for (const char* name : {"Sara", "Reza", "Fateme"}) {
      auto u = orm::make<User>(User{.name = name});
      u->profile = orm::make<Profile>(Profile{.bio = std::string("Hi, I am ") + name});
      for (int i = 1; i <= 2; ++i) {
        auto p = orm::make<Post>(Post{.title = std::string(name) + "'s post " + std::to_string(i)});
        p->comments.push_back(orm::make<Comment>(Comment{.body = "Nice one"}));
        u->posts.push_back(p);
      }
      session.add(u);
    }
    session.commit();
  }

  // ---- Reading relationships back -------------------------------------------------------
  std::cout << "\n== Loading (user.posts, post.author) ==\n";
  StatementLog log;  // every statement the engine runs from here on
  event::listen(engine, event::before_cursor_execute,
                [&log](Connection&, const CursorExecuteContext& ctx) {
                  log.statements.emplace_back(ctx.statement);
                });
  {
    orm::Session session(engine);
    auto ahmad = session.scalars(orm::select<User>().where(orm::col(&User::name) == "Ahmad")).one();
    for (const auto& p : ahmad->posts)  // loaded on first use (lazy="select")
      std::cout << "  " << p->title << " (" << p->comments.size() << " comments)\n";
    auto post = ahmad->posts[1];
    // Many-to-one whose target is already in the session: no SQL, same object.
    std::cout << "post->author is the same object: " << (post->author.get() == ahmad) << "\n";
    std::cout << "This post is for " << post->author->name << "; bio: " << ahmad->profile->bio
              << "\n";
    // commit() expires the objects (expire_on_commit): relationships load again on next use.
    session.commit();
    log.statements.clear();
    std::cout << "after commit: " << ahmad->posts.size() << " posts, reloaded with "
              << log.selects() << " SELECT\n";
  }

  // ---- The N+1 problem and the loading strategies ----------------------------------------
  std::cout << "\n== N+1 and loading strategies ==\n";
  auto by_id = orm::col(&User::id);
  auto total_posts = [](const std::vector<std::shared_ptr<User>>& users) {
    std::size_t n = 0;
    for (const auto& u : users) n += u->posts.size();
    return n;
  };
  {
    orm::Session session(engine);
    log.statements.clear();
    auto users = session.scalars(orm::select<User>().order_by(by_id)).all();  // 1 query
    std::size_t n = total_posts(users);  // N more: one per user
    std::cout << "lazy (default):  " << users.size() << " users, " << n << " posts, "
              << log.selects() << " SELECTs (1 + N)\n";
  }
  {
    orm::Session session(engine);
    log.statements.clear();
    auto users =
        session
            .scalars(orm::select<User>().options(orm::selectinload(&User::posts)).order_by(by_id))
            .all();
    std::size_t n = total_posts(users);
    std::cout << "selectinload:    " << users.size() << " users, " << n << " posts, "
              << log.selects() << " SELECTs\n";
    std::cout << "  SQL 2: " << log.statements.back() << "\n";
  }
  {
    orm::Session session(engine);
    log.statements.clear();
    auto users =
        session.scalars(orm::select<User>().options(orm::joinedload(&User::posts)).order_by(by_id))
            .all();  // one row per post, one object per user
    std::size_t n = total_posts(users);
    std::cout << "joinedload:      " << users.size() << " users, " << n << " posts, "
              << log.selects() << " SELECT\n";
    std::cout << "  SQL: " << log.statements.back() << "\n";
  }
  {
    // A LIMIT counts users, not joined rows: the collection comes by selectin instead.
    orm::Session session(engine);
    log.statements.clear();
    auto users =
        session
            .scalars(
                orm::select<User>().options(orm::joinedload(&User::posts)).order_by(by_id).limit(2))
            .all();
    std::size_t n = total_posts(users);
    std::cout << "joinedload + LIMIT 2: " << users.size() << " users, " << n << " posts, "
              << log.selects() << " SELECTs\n";
  }
  {
    // The guide's UserLoader.full_load(), through the 1.x Query.
    orm::Session session(engine);
    log.statements.clear();
    auto users = session.query<User>().options(UserLoader::full_load()).order_by(by_id).all();
    std::size_t comments = 0, profiles = 0;
    for (const auto& u : users) {
      profiles += u->profile ? 1 : 0;
      for (const auto& p : u->posts) comments += p->comments.size();
    }
    std::cout << "UserLoader::full_load(): " << users.size() << " users, " << profiles
              << " profiles, " << comments << " comments, " << log.selects()
              << " SELECTs (users + profiles joined, posts, comments)\n";
  }
  {
    // raiseload: the N+1 guard. Code that would lazy load fails loudly instead.
    orm::Session session(engine);
    auto users = session.scalars(orm::select<User>().options(orm::raiseload(&User::posts))).all();
    try {
      (void)users[0]->posts.size();
    } catch (const InvalidRequestError& e) {
      std::cout << "raiseload: InvalidRequestError: " << e.what() << "\n";
    }
    // By key, and noload: the collection stays empty.
    auto quiet =
        session.scalars(orm::select<User>().options(orm::noload<User>("posts")).order_by(by_id))
            .all();
    std::cout << "noload: " << quiet[0]->name << " has " << quiet[0]->posts.size()
              << " posts loaded\n";
  }

  // ---- Self-referential: a category tree -------------------------------------------------
  std::cout << "\n== Self-referential (remote_side) ==\n";
  {
    orm::Session session(engine);
    auto electronics = orm::make<Category>(Category{.name = "Electronics"});
    auto phones = orm::make<Category>(Category{.name = "Phones"});
    phones->parent = electronics;  // Category(name="Phones", parent=electronics)
    electronics->children.push_back(orm::make<Category>(Category{.name = "Laptops"}));
    auto android = orm::make<Category>(Category{.name = "Android"});
    android->parent = phones;
    session.add(electronics);  // the whole tree cascades in; parents are inserted first
    session.commit();
    std::cout << "phones.parent_id = " << *phones->parent_id
              << ", android.parent_id = " << *android->parent_id << "\n";
  }
  {
    orm::Session session(engine);
    auto android =
        session.scalars(orm::select<Category>().where(orm::col(&Category::name) == "Android"))
            .one();
    std::cout << android->name << " -> " << android->parent->name << " -> "
              << android->parent->parent->name << "\n";
    std::shared_ptr<Category> root = android->parent->parent;
    std::cout << "tree:\n";
    print_tree(root, 0);
  }

  // ---- Two foreign keys to one table: foreign_keys ---------------------------------------
  std::cout << "\n== foreign_keys: sender and receiver ==\n";
  {
    orm::Session session(engine);
    auto ali = orm::make<Person>(Person{.name = "Ali"});
    auto sara = orm::make<Person>(Person{.name = "Sara"});
    auto m = orm::make<Message>(Message{.body = "Salam!"});
    m->sender = ali;
    m->receiver = sara;
    session.add(m);  // ali and sara cascade in through the references
    session.commit();
  }
  {
    orm::Session session(engine);
    for (const auto& m : session.scalars(orm::select<Message>()).all())
      std::cout << m->sender->name << " -> " << m->receiver->name << ": " << m->body << "\n";
  }

  // ---- Removing children: FK set to NULL, or delete-orphan ------------------------------
  std::cout << "\n== Removing children ==\n";
  {
    orm::Session session(engine);
    const Table& posts = orm::table_of<Post>();
    const Table& comments = orm::table_of<Comment>();
    auto ahmad = session.scalars(orm::select<User>().where(orm::col(&User::name) == "Ahmad")).one();
    auto hello = ahmad->posts.front();
    ahmad->posts.remove(hello);  // posts has no delete-orphan: the post stays, without author
    session.commit();
    auto authorless = session.scalar<std::int64_t>(
        select(func.count()).select_from(posts).where(orm::col(&Post::author_id) == nullptr));
    std::cout << "posts without an author: " << authorless << " (of " << count_rows(session, posts)
              << ")\n";

    auto rel = ahmad->posts.front();
    std::cout << "comments before: " << count_rows(session, comments) << "\n";
    auto first = rel->comments.front();
    rel->comments.remove(first);  // delete-orphan: the comment is deleted at flush
    session.commit();
    std::cout << "comments after removing one from its post: " << count_rows(session, comments)
              << "\n";
  }

  // ---- Detached objects ------------------------------------------------------------------
  std::cout << "\n== Detached objects ==\n";
  std::shared_ptr<User> eager, lazy;
  {
    orm::Session session(engine);
    eager = session
                .scalars(orm::select<User>()
                             .options(orm::selectinload(&User::posts))
                             .where(orm::col(&User::name) == "Sara"))
                .one();
    lazy = session.scalars(orm::select<User>().where(orm::col(&User::name) == "Reza")).one();
  }  // the session closes: both users are detached
  std::cout << "Sara's posts, loaded before the session closed: " << eager->posts.size() << "\n";
  try {
    (void)lazy->posts.size();  // never loaded, and no session to load it in
  } catch (const orm::DetachedInstanceError&) {
    std::cout << "Reza's posts: DetachedInstanceError (load them while the session is open, "
                 "e.g. with selectinload)\n";
  }

  // ---- Reference cycles: orm::collect() ---------------------------------------------------
  std::cout << "\n== Reference cycles ==\n";
  std::weak_ptr<User> watch;
  {
    orm::Session session(engine);
    auto users =
        session
            .scalars(orm::select<User>().options(orm::selectinload(&User::posts)).order_by(by_id))
            .all();
    for (const auto& u : users)
      for (const auto& p : u->posts) (void)p->author.get();  // user <-> post point at each other
    watch = users.front();
  }
  // user.posts holds the posts and post.author the user: the pair keeps itself alive.
  std::cout << "after the session closed, the first user is alive: " << !watch.expired() << "\n";
  orm::collect();  // also runs by itself at commit/close as such objects accumulate
  std::cout << "after orm::collect(): alive: " << !watch.expired() << "\n";

  eager.reset();
  lazy.reset();
  orm::collect();
  Base.metadata.drop_all(engine);
  return 0;
}
