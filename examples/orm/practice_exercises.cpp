// Basics guide: "Practice Exercises" 1-3, solved: a blog, a shop and a social
// network, each a group of models with its relationships and cascades, that
// the program fills, queries (eager loading, relationship comparators),
// changes and deletes from, checking every result.
//
// Python (the exercises):
//   # Exercise 1: Blog System Models
//   # - User (id, username, email, password)
//   # - Post (id, title, content, author_id)
//   # - Comment (id, content, post_id, user_id)
//   # - Tag (id, name) - many-to-many with Post
//   # Include proper relationships and cascades
//   # Exercise 2: E-commerce Models
//   # - Product (id, name, price, category_id)
//   # - Category (id, name, parent_id) - self-referential
//   # - Order (id, user_id, total)
//   # - OrderItem (order_id, product_id, quantity, price)
//   # Exercise 3: Social Media Models
//   # - User (with followers - self-referential many-to-many)
//   # - Post (with likes - many-to-many with User)
//   # - Message (sender_id, receiver_id, content)
//
// A SQLAlchemy solution would declare, for instance:
//   posts = relationship("Post", back_populates="author", cascade="all, delete-orphan")
//   tags = relationship("Tag", secondary=post_tags, back_populates="posts")
//   parent = relationship("Category", remote_side=[id], back_populates="children")
//   following = relationship("User", secondary=follows,
//       primaryjoin=id == follows.c.follower_id,
//       secondaryjoin=id == follows.c.followed_id, back_populates="followers")
//   sender = relationship("User", foreign_keys=[sender_id])
//
// In C++ the three groups live in the namespaces blog, shop and social. They
// share one database, so their tables carry the group's name as a prefix
// (blog_users, shop_users, social_users). Each relationship is a member
// (orm::Many<T> / orm::One<T>) mapped with orm::relationship<&Class::member>;
// a comparator such as Post.tags.any(...) is orm::rel(&Post::tags).any(...).
// Every result is checked; a wrong one ends the program with exit code 1.
#include <alchemy/orm.hpp>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "example_support.hpp"

using namespace alchemy;
using examples::check;

namespace {

using Names = std::vector<std::string>;

template <class R, class M>
Names values(const R& objects, M member) {
  Names out;
  for (const auto& o : objects) out.push_back((*o).*member);
  return out;
}
std::string str(const Names& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? ", " : "") + n;
  return out + "]";
}

// How many SELECTs the engine has run (counted by an engine
// before_cursor_execute listener, see run()).
std::size_t selects_run = 0;

std::int64_t count_rows(orm::Session& session, const std::string& table) {
  return session.scalar<std::int64_t>(text("SELECT COUNT(*) FROM " + table));
}

// ============================== Exercise 1: a blog ==============================================
namespace blog {

struct Post;
struct Comment;
struct Tag;

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string email;
  std::string password;         // a password hash, in a real application
  orm::Many<Post> posts;        // owned: deleted with the user
  orm::Many<Comment> comments;  // owned: deleted with the user
};

struct Post {
  std::int64_t id = 0;
  std::string title;
  std::string content;
  std::int64_t author_id = 0;
  orm::One<User> author;
  orm::Many<Comment> comments;  // owned: deleted with the post
  orm::Many<Tag> tags;          // shared: only the blog_post_tags rows go with the post
};

struct Comment {
  std::int64_t id = 0;
  std::string content;
  std::int64_t post_id = 0;
  std::int64_t user_id = 0;
  orm::One<Post> post;
  orm::One<User> author;
};

struct Tag {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Post> posts;
};

void map_models(orm::registry& Base) {
  Table post_tags("blog_post_tags", Base.metadata,
                  Column("post_id", Integer, ForeignKey("blog_posts.id", {.ondelete = "CASCADE"}),
                         primary_key()),
                  Column("tag_id", Integer, ForeignKey("blog_tags.id", {.ondelete = "CASCADE"}),
                         primary_key()));
  auto comment_id = [] { return orm::col(&Comment::id); };
  Base.map<User>("blog_users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::username>("username", String(50), unique()),
                 orm::column<&User::email>("email", String(100), unique()),
                 orm::column<&User::password>("password", String(200)),
                 orm::relationship<&User::posts>("posts", orm::back_populates("author"),
                                                 orm::cascade("all, delete-orphan"),
                                                 orm::order_by([] { return orm::col(&Post::id); })),
                 orm::relationship<&User::comments>("comments", orm::back_populates("author"),
                                                    orm::cascade("all, delete-orphan"),
                                                    orm::order_by(comment_id)));
  Base.map<Post>("blog_posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::title>("title", String(200)),
                 orm::column<&Post::content>("content", Text),
                 orm::column<&Post::author_id>("author_id", ForeignKey("blog_users.id")),
                 orm::relationship<&Post::author>("author", orm::back_populates("posts")),
                 orm::relationship<&Post::comments>("comments", orm::back_populates("post"),
                                                    orm::cascade("all, delete-orphan"),
                                                    orm::order_by(comment_id)),
                 orm::relationship<&Post::tags>(
                     "tags", orm::secondary(post_tags), orm::back_populates("posts"),
                     orm::order_by([] { return orm::col(&Tag::name); })));
  Base.map<Comment>("blog_comments", orm::column<&Comment::id>("id", primary_key()),
                    orm::column<&Comment::content>("content", Text),
                    orm::column<&Comment::post_id>("post_id", ForeignKey("blog_posts.id")),
                    orm::column<&Comment::user_id>("user_id", ForeignKey("blog_users.id")),
                    orm::relationship<&Comment::post>("post", orm::back_populates("comments")),
                    orm::relationship<&Comment::author>("author", orm::back_populates("comments")));
  Base.map<Tag>("blog_tags", orm::column<&Tag::id>("id", primary_key()),
                orm::column<&Tag::name>("name", String(50), unique()),
                orm::relationship<&Tag::posts>("posts", orm::secondary(post_tags),
                                               orm::back_populates("tags"),
                                               orm::order_by([] { return orm::col(&Post::id); })));
}

std::shared_ptr<User> user_named(orm::Session& session, const std::string& username) {
  return session.scalars(orm::select<User>().where(orm::col(&User::username) == username)).one();
}

void run(const Engine& engine) {
  std::cout << "== Exercise 1: blog ==\n";
  {
    orm::Session session(engine);
    auto alice = orm::make<User>(
        User{.username = "alice", .email = "alice@example.com", .password = "hash-1"});
    auto bob =
        orm::make<User>(User{.username = "bob", .email = "bob@example.com", .password = "hash-2"});
    auto cpp = orm::make<Tag>(Tag{.name = "cpp"});
    auto sql = orm::make<Tag>(Tag{.name = "sql"});
    auto orm_tag = orm::make<Tag>(Tag{.name = "orm"});

    auto p1 = orm::make<Post>(Post{.title = "Modern C++", .content = "Concepts and ranges"});
    p1->tags = {cpp};
    auto p2 = orm::make<Post>(Post{.title = "ORMs in C++", .content = "Mapping structs"});
    p2->tags = {cpp, sql, orm_tag};
    alice->posts.push_back(p1);
    alice->posts.push_back(p2);
    auto p3 = orm::make<Post>(Post{.title = "Indexes", .content = "B-trees"});
    p3->tags = {sql};
    p3->author = bob;

    // A comment belongs to a post and to its author: set both sides.
    auto comment = [](const std::shared_ptr<Post>& post, const std::shared_ptr<User>& author,
                      std::string text) {
      auto c = orm::make<Comment>(Comment{.content = std::move(text)});
      c->post = post;
      c->author = author;
    };
    comment(p1, bob, "Nice overview");
    comment(p2, bob, "How are relationships mapped?");
    comment(p2, alice, "With orm::Many and orm::One");
    comment(p3, alice, "Covering indexes next?");

    session.add_all({alice, bob});  // posts, comments and tags come by cascade
    session.commit();
    std::cout << "created: " << count_rows(session, "blog_users") << " users, "
              << count_rows(session, "blog_posts") << " posts, "
              << count_rows(session, "blog_comments") << " comments, "
              << count_rows(session, "blog_tags") << " tags, "
              << count_rows(session, "blog_post_tags") << " post-tag pairs\n";
    check(count_rows(session, "blog_posts") == 3 && count_rows(session, "blog_comments") == 4 &&
              count_rows(session, "blog_post_tags") == 5,
          "the blog's rows");
  }
  {
    orm::Session session(engine);
    // Everything a front page shows in three SELECTs, however many posts:
    // posts with their author (joined), their tags (selectin), their comments
    // (selectin) with each comment's author (joined into that SELECT).
    std::size_t before = selects_run;
    auto posts =
        session
            .scalars(orm::select<Post>()
                         .options(orm::joinedload(&Post::author), orm::selectinload(&Post::tags),
                                  orm::selectinload(&Post::comments).joinedload(&Comment::author))
                         .order_by(orm::col(&Post::title)))
            .all();
    for (const auto& p : posts) {
      std::cout << "  " << p->title << " by " << p->author->username << " "
                << str(values(p->tags, &Tag::name)) << "\n";
      for (const auto& c : p->comments)
        std::cout << "    " << c->author->username << ": " << c->content << "\n";
    }
    std::cout << "  (" << selects_run - before << " SELECTs)\n";
    check(selects_run - before == 3, "the front page in three SELECTs");
    check(values(posts, &Post::title) == Names{"Indexes", "Modern C++", "ORMs in C++"},
          "the posts");
    check(posts[0]->author->username == "bob" && posts[2]->author->username == "alice",
          "their authors");
    check(values(posts[2]->tags, &Tag::name) == Names{"cpp", "orm", "sql"}, "tags of a post");
    check(values(posts[2]->comments, &Comment::content) ==
                  Names{"How are relationships mapped?", "With orm::Many and orm::One"} &&
              posts[2]->comments[1]->author->username == "alice",
          "comments and their authors");

    // Comparators: posts tagged sql; users who commented on alice's posts.
    auto sql_posts =
        session
            .scalars(orm::select<Post>()
                         .where(orm::rel(&Post::tags).any(orm::col(&Tag::name) == "sql"))
                         .order_by(orm::col(&Post::title)))
            .all();
    std::cout << "tagged sql: " << str(values(sql_posts, &Post::title)) << "\n";
    check(values(sql_posts, &Post::title) == Names{"Indexes", "ORMs in C++"}, "tags.any()");
    auto alice = user_named(session, "alice");
    auto on_alices = orm::rel(&Comment::post).has(orm::rel(&Post::author) == alice);
    auto commenters = session
                          .scalars(orm::select<User>()
                                       .where(orm::rel(&User::comments).any(on_alices))
                                       .order_by(orm::col(&User::username)))
                          .all();
    std::cout << "commented on alice's posts: " << str(values(commenters, &User::username)) << "\n";
    check(values(commenters, &User::username) == Names{"alice", "bob"},
          "comments.any(post.has(author == alice))");
  }
  {
    // Deleting a user deletes their posts, the comments on those posts and
    // their own comments elsewhere; the tags stay, their pairs with the posts go.
    orm::Session session(engine);
    session.delete_(user_named(session, "alice"));
    session.commit();
    std::cout << "after deleting alice: " << count_rows(session, "blog_users") << " user, "
              << count_rows(session, "blog_posts") << " post, "
              << count_rows(session, "blog_comments") << " comment, "
              << count_rows(session, "blog_tags") << " tags, "
              << count_rows(session, "blog_post_tags") << " post-tag pair\n";
    check(count_rows(session, "blog_users") == 1, "alice is gone");
    check(count_rows(session, "blog_posts") == 1, "her two posts are gone");
    check(count_rows(session, "blog_comments") == 0,
          "bob's comments on her posts and her comment on bob's post are gone");
    check(count_rows(session, "blog_tags") == 3 && count_rows(session, "blog_post_tags") == 1,
          "the tags stay, their pairs with her posts are gone");
    auto bob = user_named(session, "bob");
    check(bob->posts.size() == 1 && bob->posts[0]->comments.empty() && bob->comments.empty(),
          "bob's objects, reloaded");
  }
}

}  // namespace blog

// ============================== Exercise 2: e-commerce ==========================================
namespace shop {

struct Product;
struct Order;
struct OrderItem;

struct Category {  // a tree: parent_id references the same table
  std::int64_t id = 0;
  std::string name;
  std::optional<std::int64_t> parent_id;
  orm::One<Category> parent;
  orm::Many<Category> children;
  orm::Many<Product> products;
};

struct Product {
  std::int64_t id = 0;
  std::string name;
  double price = 0;
  std::optional<std::int64_t> category_id;
  orm::One<Category> category;
};

struct User {
  std::int64_t id = 0;
  std::string name;
  orm::Many<Order> orders;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  double total = 0;  // kept equal to the sum of the lines by recalculate_total()
  orm::One<User> user;
  orm::Many<OrderItem> items;  // owned: "all, delete-orphan"

  /// Adds a line at the product's current price.
  void add(const std::shared_ptr<Product>& product, std::int64_t quantity);
  void recalculate_total();
};

struct OrderItem {  // the primary key is (order_id, product_id)
  std::int64_t order_id = 0;
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
  double price = 0;  // the unit price when ordered: the product's price may change later
  orm::One<Order> order;
  orm::One<Product> product;
};

void Order::add(const std::shared_ptr<Product>& product, std::int64_t quantity) {
  auto item = orm::make<OrderItem>(OrderItem{.quantity = quantity, .price = product->price});
  item->product = product;
  items.push_back(item);
  recalculate_total();
}

void Order::recalculate_total() {
  total = 0;
  for (const auto& item : items) total += static_cast<double>(item->quantity) * item->price;
}

void map_models(orm::registry& Base) {
  Base.map<Category>(
      "shop_categories", orm::column<&Category::id>("id", primary_key()),
      orm::column<&Category::name>("name", String(100)),
      orm::column<&Category::parent_id>("parent_id", ForeignKey("shop_categories.id")),
      orm::relationship<&Category::parent>("parent",
                                           orm::remote_side([] { return orm::col(&Category::id); }),
                                           orm::back_populates("children")),
      orm::relationship<&Category::children>(
          "children", orm::back_populates("parent"),
          orm::order_by([] { return orm::col(&Category::name); })),
      orm::relationship<&Category::products>(
          "products", orm::back_populates("category"),
          orm::order_by([] { return orm::col(&Product::name); })));
  Base.map<Product>(
      "shop_products", orm::column<&Product::id>("id", primary_key()),
      orm::column<&Product::name>("name", String(100)), orm::column<&Product::price>("price"),
      orm::column<&Product::category_id>("category_id", ForeignKey("shop_categories.id")),
      orm::relationship<&Product::category>("category", orm::back_populates("products")));
  Base.map<User>("shop_users", orm::column<&User::id>("id", primary_key()),
                 orm::column<&User::name>("name", String(50)),
                 orm::relationship<&User::orders>(
                     "orders", orm::back_populates("user"), orm::cascade("all, delete-orphan"),
                     orm::order_by([] { return orm::col(&Order::id); })));
  Base.map<Order>("shop_orders", orm::column<&Order::id>("id", primary_key()),
                  orm::column<&Order::user_id>("user_id", ForeignKey("shop_users.id")),
                  orm::column<&Order::total>("total"),
                  orm::relationship<&Order::user>("user", orm::back_populates("orders")),
                  orm::relationship<&Order::items>(
                      "items", orm::back_populates("order"), orm::cascade("all, delete-orphan"),
                      orm::order_by([] { return orm::col(&OrderItem::product_id); })));
  Base.map<OrderItem>(
      "shop_order_items",
      orm::column<&OrderItem::order_id>("order_id", ForeignKey("shop_orders.id"), primary_key()),
      orm::column<&OrderItem::product_id>("product_id", ForeignKey("shop_products.id"),
                                          primary_key()),
      orm::column<&OrderItem::quantity>("quantity"), orm::column<&OrderItem::price>("price"),
      orm::relationship<&OrderItem::order>("order", orm::back_populates("items")),
      orm::relationship<&OrderItem::product>("product"));
}

void print_tree(const std::shared_ptr<Category>& c, int depth, Names& seen) {
  std::cout << std::string(2 * static_cast<std::size_t>(depth) + 2, ' ') << c->name;
  for (const auto& p : c->products)
    std::cout << (p == c->products.front() ? ": " : ", ") << p->name;
  std::cout << "\n";
  seen.push_back(c->name);
  for (const auto& child : c->children) print_tree(child, depth + 1, seen);
}

std::shared_ptr<Product> product_named(orm::Session& session, const std::string& name) {
  return session.scalars(orm::select<Product>().where(orm::col(&Product::name) == name)).one();
}

void run(const Engine& engine) {
  std::cout << "\n== Exercise 2: e-commerce ==\n";
  {
    orm::Session session(engine);
    auto electronics = orm::make<Category>(Category{.name = "Electronics"});
    auto phones = orm::make<Category>(Category{.name = "Phones"});
    auto laptops = orm::make<Category>(Category{.name = "Laptops"});
    phones->parent = electronics;
    electronics->children.push_back(laptops);
    auto books = orm::make<Category>(Category{.name = "Books"});
    auto make = [](const char* name, double price, const std::shared_ptr<Category>& category) {
      auto p = orm::make<Product>(Product{.name = name, .price = price});
      p->category = category;
      return p;
    };
    auto phone = make("Phone", 499.5, phones);
    auto laptop = make("Laptop", 1200, laptops);
    auto charger = make("Charger", 25.5, electronics);
    auto novel = make("Novel", 15, books);

    auto sara = orm::make<User>(User{.name = "Sara"});
    auto reza = orm::make<User>(User{.name = "Reza"});
    auto first = orm::make<Order>();
    sara->orders.push_back(first);
    first->add(phone, 1);
    first->add(charger, 2);
    auto second = orm::make<Order>();
    sara->orders.push_back(second);
    second->add(novel, 3);
    auto third = orm::make<Order>();
    reza->orders.push_back(third);
    third->add(laptop, 1);
    third->add(charger, 1);
    check(first->total == 550.5, "the first order's total");
    session.add_all({electronics, books});  // the products come with their categories
    session.add_all({sara, reza});          // the orders and their lines with the users
    session.commit();
    check(count_rows(session, "shop_order_items") == 5, "five order lines");
  }
  {
    orm::Session session(engine);
    auto roots = session
                     .scalars(orm::select<Category>()
                                  .where(orm::col(&Category::parent_id).is_(null()))
                                  .order_by(orm::col(&Category::name)))
                     .all();
    std::cout << "catalogue:\n";
    Names seen;
    for (const auto& root : roots) print_tree(root, 0, seen);
    check(seen == Names{"Books", "Electronics", "Laptops", "Phones"}, "the category tree");

    // Products in Electronics and all its subcategories: the tree gives the
    // category ids (loaded level by level as it is walked), one query the products.
    std::vector<std::int64_t> subtree;
    auto collect = [&subtree](auto& self, const std::shared_ptr<Category>& c) -> void {
      subtree.push_back(c->id);
      for (const auto& child : c->children) self(self, child);
    };
    collect(collect, roots[1]);
    auto in_electronics = session
                              .scalars(orm::select<Product>()
                                           .where(orm::col(&Product::category_id).in_(subtree))
                                           .order_by(orm::col(&Product::name)))
                              .all();
    std::cout << "in Electronics and its subcategories: "
              << str(values(in_electronics, &Product::name)) << "\n";
    check(values(in_electronics, &Product::name) == Names{"Charger", "Laptop", "Phone"},
          "products of a subtree");

    // Orders with their users (joined), lines (selectin) and the lines'
    // products (joined into that SELECT): two SELECTs, however many orders.
    std::size_t before = selects_run;
    auto orders =
        session
            .scalars(orm::select<Order>()
                         .options(orm::joinedload(&Order::user),
                                  orm::selectinload(&Order::items).joinedload(&OrderItem::product))
                         .order_by(orm::col(&Order::id)))
            .all();
    for (const auto& o : orders) {
      std::cout << "  order " << o->id << " for " << o->user->name << ":";
      for (const auto& item : o->items)
        std::cout << " " << item->quantity << " x " << item->product->name << " @ " << item->price;
      std::cout << " = " << o->total << "\n";
      double sum = 0;
      for (const auto& item : o->items) sum += static_cast<double>(item->quantity) * item->price;
      check(sum == o->total, "an order's stored total is the sum of its lines");
    }
    std::cout << "  (" << selects_run - before << " SELECTs)\n";
    check(selects_run - before == 2, "orders, lines and products in two SELECTs");
    check(orders.size() == 3 && orders[2]->user->name == "Reza", "the orders");

    // The same totals computed by the database.
    const Table& items = orm::table_of<OrderItem>();
    auto sums = session
                    .execute(select(items.c["order_id"],
                                    func.sum(items.c["quantity"] * items.c["price"]).label("sum"))
                                 .group_by(items.c["order_id"])
                                 .order_by(items.c["order_id"]))
                    .all();
    check(sums.size() == 3, "three sums");
    for (std::size_t i = 0; i < sums.size(); ++i)
      check(sums[i].get<double>("sum") == orders[i]->total, "SUM(quantity * price) = total");

    // Who bought a charger? orders.any(items.any(product.has(name == "Charger")))
    auto buyers =
        session
            .scalars(orm::select<User>()
                         .where(orm::rel(&User::orders)
                                    .any(orm::rel(&Order::items)
                                             .any(orm::rel(&OrderItem::product)
                                                      .has(orm::col(&Product::name) == "Charger"))))
                         .order_by(orm::col(&User::name)))
            .all();
    std::cout << "bought a charger: " << str(values(buyers, &User::name)) << "\n";
    check(values(buyers, &User::name) == Names{"Reza", "Sara"}, "nested any()/has()");
  }
  {
    orm::Session session(engine);
    // A price change does not touch past orders (the line keeps its price).
    auto charger = product_named(session, "Charger");
    charger->price = 30;
    // Removing a line deletes it (delete-orphan); the total follows.
    auto sara = session.scalars(orm::select<User>().where(orm::col(&User::name) == "Sara")).one();
    auto first = sara->orders.front();
    for (const auto& item : first->items)
      if (item->product == charger) {
        first->items.remove(item);
        break;
      }
    first->recalculate_total();
    session.commit();
    std::cout << "after removing the chargers from order " << first->id << ": total "
              << first->total << ", lines " << count_rows(session, "shop_order_items") << "\n";
    check(first->total == 499.5 && count_rows(session, "shop_order_items") == 4,
          "delete-orphan removed the line");
    // Deleting a user deletes their orders and the orders' lines; products stay.
    session.delete_(sara);
    session.commit();
    std::cout << "after deleting Sara: orders " << count_rows(session, "shop_orders") << ", lines "
              << count_rows(session, "shop_order_items") << ", products "
              << count_rows(session, "shop_products") << "\n";
    check(count_rows(session, "shop_orders") == 1, "Sara's orders are gone");
    check(count_rows(session, "shop_order_items") == 2, "their lines are gone");
    check(count_rows(session, "shop_products") == 4, "the products stay");
    auto line =
        session.scalars(orm::select<OrderItem>().where(orm::rel(&OrderItem::product) == charger))
            .one();
    std::cout << "Reza's charger line: " << line->price << " (the product costs " << charger->price
              << " now)\n";
    check(line->price == 25.5 && charger->price == 30, "Reza's line kept the price he paid");
  }
}

}  // namespace shop

// ============================== Exercise 3: social media ========================================
namespace social {

struct Post;
struct Message;

struct User {
  std::int64_t id = 0;
  std::string username;
  orm::Many<User> following;  // self-referential many-to-many through social_follows
  orm::Many<User> followers;
  orm::Many<Post> posts;
  orm::Many<Post> liked_posts;  // many-to-many through social_likes
  orm::Many<Message> sent;      // Message.sender_id
  orm::Many<Message> inbox;     // Message.receiver_id
};

struct Post {
  std::int64_t id = 0;
  std::int64_t author_id = 0;
  std::string content;
  orm::One<User> author;
  orm::Many<User> liked_by;
};

struct Message {
  std::int64_t id = 0;
  std::int64_t sender_id = 0;
  std::int64_t receiver_id = 0;
  std::string content;
  orm::One<User> sender;
  orm::One<User> receiver;
};

void map_models(orm::registry& Base) {
  // Both columns point at social_users: primaryjoin/secondaryjoin say which is which.
  Table follows("social_follows", Base.metadata,
                Column("follower_id", Integer, ForeignKey("social_users.id"), primary_key()),
                Column("followed_id", Integer, ForeignKey("social_users.id"), primary_key()));
  Table likes("social_likes", Base.metadata,
              Column("user_id", Integer, ForeignKey("social_users.id"), primary_key()),
              Column("post_id", Integer, ForeignKey("social_posts.id"), primary_key()));
  auto user_id = [] { return orm::col(&User::id); };
  auto message_id = [] { return orm::col(&Message::id); };
  Base.map<User>(
      "social_users", orm::column<&User::id>("id", primary_key()),
      orm::column<&User::username>("username", String(50), unique()),
      orm::relationship<&User::following>(
          "following", orm::secondary(follows),
          orm::primaryjoin([follows] { return orm::col(&User::id) == follows.c["follower_id"]; }),
          orm::secondaryjoin([follows] { return orm::col(&User::id) == follows.c["followed_id"]; }),
          orm::back_populates("followers"), orm::order_by(user_id)),
      orm::relationship<&User::followers>(
          "followers", orm::secondary(follows),
          orm::primaryjoin([follows] { return orm::col(&User::id) == follows.c["followed_id"]; }),
          orm::secondaryjoin([follows] { return orm::col(&User::id) == follows.c["follower_id"]; }),
          orm::back_populates("following"), orm::order_by(user_id)),
      orm::relationship<&User::posts>("posts", orm::back_populates("author"),
                                      orm::cascade("all, delete-orphan"),
                                      orm::order_by([] { return orm::col(&Post::id); })),
      orm::relationship<&User::liked_posts>("liked_posts", orm::secondary(likes),
                                            orm::back_populates("liked_by"),
                                            orm::order_by([] { return orm::col(&Post::id); })),
      // Two foreign keys to social_users: foreign_keys picks one per relationship.
      orm::relationship<&User::sent>(
          "sent", orm::foreign_keys([] { return orm::col(&Message::sender_id); }),
          orm::back_populates("sender"), orm::cascade("all, delete-orphan"),
          orm::order_by(message_id)),
      orm::relationship<&User::inbox>(
          "inbox", orm::foreign_keys([] { return orm::col(&Message::receiver_id); }),
          orm::back_populates("receiver"), orm::cascade("all, delete-orphan"),
          orm::order_by(message_id)));
  Base.map<Post>("social_posts", orm::column<&Post::id>("id", primary_key()),
                 orm::column<&Post::author_id>("author_id", ForeignKey("social_users.id")),
                 orm::column<&Post::content>("content", String(280)),
                 orm::relationship<&Post::author>("author", orm::back_populates("posts")),
                 orm::relationship<&Post::liked_by>("liked_by", orm::secondary(likes),
                                                    orm::back_populates("liked_posts"),
                                                    orm::order_by(user_id)));
  Base.map<Message>(
      "social_messages", orm::column<&Message::id>("id", primary_key()),
      orm::column<&Message::sender_id>("sender_id", ForeignKey("social_users.id")),
      orm::column<&Message::receiver_id>("receiver_id", ForeignKey("social_users.id")),
      orm::column<&Message::content>("content", String(1000)),
      orm::relationship<&Message::sender>(
          "sender", orm::foreign_keys([] { return orm::col(&Message::sender_id); }),
          orm::back_populates("sent")),
      orm::relationship<&Message::receiver>(
          "receiver", orm::foreign_keys([] { return orm::col(&Message::receiver_id); }),
          orm::back_populates("inbox")));
}

std::shared_ptr<User> user_named(orm::Session& session, const std::string& username) {
  return session.scalars(orm::select<User>().where(orm::col(&User::username) == username)).one();
}

void send(orm::Session& session, const std::shared_ptr<User>& from, const std::shared_ptr<User>& to,
          std::string text) {
  auto m = orm::make<Message>(Message{.content = std::move(text)});
  m->sender = from;
  m->receiver = to;
  session.add(m);  // inserted in the order sent: the ids order the inbox
}

void run(const Engine& engine) {
  std::cout << "\n== Exercise 3: social media ==\n";
  {
    orm::Session session(engine);
    auto ann = orm::make<User>(User{.username = "ann"});
    auto ben = orm::make<User>(User{.username = "ben"});
    auto cai = orm::make<User>(User{.username = "cai"});
    auto dee = orm::make<User>(User{.username = "dee"});
    ann->following = {ben, cai};
    ben->following.push_back(ann);
    dee->following.push_back(ann);
    cai->followers.push_back(dee);  // from the other side: dee follows cai
    check(values(dee->following, &User::username) == Names{"ann", "cai"},
          "dee->following in memory");

    auto hello = orm::make<Post>(Post{.content = "Hello, world"});
    auto recipe = orm::make<Post>(Post{.content = "My bread recipe"});
    ann->posts = {hello, recipe};
    auto photo = orm::make<Post>(Post{.content = "Sunset photo"});
    ben->posts.push_back(photo);
    recipe->liked_by = {ben, cai, dee};  // post.likes
    hello->liked_by.push_back(ben);
    ann->liked_posts.push_back(photo);  // user.liked_posts: the same table from the other side

    session.add_all({ann, ben, cai, dee});
    session.commit();

    send(session, ann, ben, "Lunch tomorrow?");
    send(session, ben, ann, "Sure, 12:30");
    send(session, cai, ann, "Loved the recipe");
    send(session, ann, cai, "Thanks!");
    session.commit();
    check(count_rows(session, "social_follows") == 5 && count_rows(session, "social_likes") == 5 &&
              count_rows(session, "social_messages") == 4,
          "the social rows");
  }
  {
    orm::Session session(engine);
    // Who follows whom: both directions loaded with one SELECT each.
    std::size_t before = selects_run;
    auto users = session
                     .scalars(orm::select<User>()
                                  .options(orm::selectinload(&User::following),
                                           orm::selectinload(&User::followers))
                                  .order_by(orm::col(&User::id)))
                     .all();
    std::cout << "who follows whom:\n";
    for (const auto& u : users)
      std::cout << "  " << u->username << " follows " << str(values(u->following, &User::username))
                << ", followed by " << str(values(u->followers, &User::username)) << "\n";
    check(selects_run - before == 3, "users, following, followers: three SELECTs");
    check(values(users[0]->followers, &User::username) == Names{"ben", "dee"}, "ann's followers");
    check(values(users[2]->followers, &User::username) == Names{"ann", "dee"}, "cai's followers");
    check(users[3]->followers.empty(), "nobody follows dee");

    // Mutual follows of ann: she follows them and they follow her.
    auto ann = users[0];
    auto mutual =
        session
            .scalars(orm::select<User>().where(and_(orm::rel(&User::followers).contains(ann),
                                                    orm::rel(&User::following).contains(ann))))
            .all();
    std::cout << "ann's mutual follows: " << str(values(mutual, &User::username)) << "\n";
    check(values(mutual, &User::username) == Names{"ben"}, "following.contains() and followers");

    // The most liked post: join the likes, group by post, order by the count.
    auto most_liked = session
                          .scalars(orm::select<Post>()
                                       .join(&Post::liked_by)
                                       .group_by(orm::col(&Post::id))
                                       .order_by(func.count(orm::col(&User::id)).desc())
                                       .limit(1)
                                       .options(orm::selectinload(&Post::liked_by)))
                          .one();
    std::cout << "most liked: \"" << most_liked->content << "\" by " << most_liked->author->username
              << ", liked by " << str(values(most_liked->liked_by, &User::username)) << "\n";
    check(most_liked->content == "My bread recipe" && most_liked->liked_by.size() == 3,
          "the most liked post");
    auto liked_by_ben =
        session
            .scalars(orm::select<Post>()
                         .where(orm::rel(&Post::liked_by).any(orm::col(&User::username) == "ben"))
                         .order_by(orm::col(&Post::content)))
            .all();
    std::cout << "liked by ben: " << str(values(liked_by_ben, &Post::content)) << "\n";
    check(values(liked_by_ben, &Post::content) == Names{"Hello, world", "My bread recipe"},
          "liked_by.any()");

    // ann's inbox: the messages she received, each with its sender.
    auto inbox = session
                     .scalars(orm::select<Message>()
                                  .where(orm::rel(&Message::receiver) == ann)
                                  .options(orm::joinedload(&Message::sender))
                                  .order_by(orm::col(&Message::id)))
                     .all();
    std::cout << "ann's inbox:\n";
    for (const auto& m : inbox)
      std::cout << "  from " << m->sender->username << ": " << m->content << "\n";
    check(values(inbox, &Message::content) == Names{"Sure, 12:30", "Loved the recipe"},
          "ann's inbox by query");
    check(values(ann->inbox, &Message::content) == values(inbox, &Message::content),
          "ann->inbox, the relationship");
    check(values(ann->sent, &Message::content) == Names{"Lunch tomorrow?", "Thanks!"}, "ann->sent");

    // Unfollow and unlike: only the association rows change.
    auto ben = users[1];
    ben->following.remove(ann);
    most_liked->liked_by.remove(ben);
    session.commit();
    check(count_rows(session, "social_follows") == 4 && count_rows(session, "social_likes") == 4,
          "unfollow / unlike deleted one row each");
  }
  {
    // Deleting a user: their posts and messages go (cascade), and every
    // social_follows / social_likes row that names them or their posts.
    orm::Session session(engine);
    session.delete_(user_named(session, "ann"));
    session.commit();
    std::cout << "after deleting ann: users " << count_rows(session, "social_users") << ", posts "
              << count_rows(session, "social_posts") << ", follows "
              << count_rows(session, "social_follows") << ", likes "
              << count_rows(session, "social_likes") << ", messages "
              << count_rows(session, "social_messages") << "\n";
    check(count_rows(session, "social_users") == 3, "ann is gone");
    check(count_rows(session, "social_posts") == 1, "her posts are gone");
    check(count_rows(session, "social_follows") == 1, "only dee -> cai is left");
    check(count_rows(session, "social_likes") == 0, "the likes of her posts and hers are gone");
    check(count_rows(session, "social_messages") == 0, "her messages are gone");
  }
}

}  // namespace social

int run(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_practice_exercises.db"));
  // SQLite checks foreign keys only when asked; PostgreSQL always does.
  event::listen(engine, event::connect, [&engine](DBAPIConnection& dbapi, ConnectionRecord&) {
    if (engine.url().get_backend_name() == "sqlite") dbapi.exec("PRAGMA foreign_keys=ON");
  });
  orm::registry Base;
  blog::map_models(Base);
  shop::map_models(Base);
  social::map_models(Base);
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  event::listen(engine, event::before_cursor_execute,
                [](Connection&, const CursorExecuteContext& ctx) {
                  if (ctx.statement.rfind("SELECT", 0) == 0) ++selects_run;
                });

  blog::run(engine);
  shop::run(engine);
  social::run(engine);

  orm::collect();
  Base.metadata.drop_all(engine);
  std::cout << "\nall checks passed\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::guarded_main(run, argc, argv); }
