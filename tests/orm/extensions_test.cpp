// Hybrids, validators, mapper and session events, mixins, the table-name
// hook, custom types and scoped_session, on real SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <alchemy/orm.hpp>
#include <string>
#include <thread>
#include <vector>

#include "orm/orm_fixture.hpp"

namespace alchemy::testing {
namespace {

struct TimestampMixin {
  std::optional<DateTime> created_at;
  std::optional<DateTime> updated_at;
  template <class T>
  static auto columns() {
    auto now = [] { return Value(DateTime::utcnow()); };
    return std::tuple{
        orm::column<&TimestampMixin::created_at>("created_at", default_(now), nullable(false)),
        orm::column<&TimestampMixin::updated_at>("updated_at", default_(now), onupdate(now))};
  }
};

struct Person : TimestampMixin {
  std::int64_t id = 0;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::int64_t age = 0;
};

struct Product {
  std::int64_t id = 0;
  std::string name;
  double price = 0;
  std::int64_t quantity = 0;
};

struct UserProfile {
  std::int64_t id = 0;
  Json preferences;  // the guide's JSON custom type: stored as text
};

// The guides' JSONType: a TypeDecorator over String.
struct JSONType : types::TypeDecorator {
  JSONType() : TypeDecorator(Text) {}
  Value process_bind_param(Value v, const SQLCompiler&) const override {
    if (v.is_null()) return v;
    return Value(v.as<Json>().text);
  }
  Value process_result_value(Value v, const SQLCompiler&) const override {
    if (v.is_null()) return v;
    return Value(Json{v.as<std::string>()});
  }
};

orm::registry& Base() {
  static orm::registry* reg = [] {
    auto* r = new orm::registry({.table_name = orm::snake_case_plural});
    r->map<Person>("people", TimestampMixin::columns<Person>(),
                   orm::column<&Person::id>("id", primary_key()),
                   orm::column<&Person::first_name>("first_name", String(30)),
                   orm::column<&Person::last_name>("last_name", String(30)),
                   orm::column<&Person::email>("email", String(100)),
                   orm::column<&Person::age>("age"), Index("ix_people_name", {"last_name", "first_name"}),
                   UniqueConstraint({"email"}, "uq_people_email"));
    r->map<Product>("products", orm::column<&Product::id>("id", primary_key()),
                    orm::column<&Product::name>("name", String(100)),
                    orm::column<&Product::price>("price"),
                    orm::column<&Product::quantity>("quantity"));
    r->map<UserProfile>(orm::unnamed, orm::column<&UserProfile::id>("id", primary_key()),
                        orm::column<&UserProfile::preferences>("preferences", JSONType{}));
    r->validates<&Person::email>([](const std::string& email) {
      if (email.find('@') == std::string::npos) throw orm::ValidationError("Invalid email");
      return email;
    });
    r->validates<Person>({"age", "first_name"}, [](std::string_view key, const Value& v) {
      if (key == "age" && (v.as<std::int64_t>() < 0 || v.as<std::int64_t>() > 150))
        throw orm::ValidationError("Invalid age");
      if (key == "first_name") {  // validators may normalise the value
        auto s = v.as<std::string>();
        while (!s.empty() && s.back() == ' ') s.pop_back();
        return Value(s);
      }
      return v;
    });
    return r;
  }();
  return *reg;
}

std::shared_ptr<Person> person(std::string first, std::string last, std::int64_t age) {
  auto p = std::make_shared<Person>();
  p->first_name = std::move(first);
  p->last_name = std::move(last);
  p->email = p->first_name + "@example.com";
  p->age = age;
  return p;
}

class ExtensionsTest : public OrmBackendTest {
 protected:
  orm::registry& registry() override { return Base(); }
};

TEST_P(ExtensionsTest, hybrid_property_and_method) {
  const orm::hybrid_property<Person, std::string> full_name(
      [](const Person& p) { return p.first_name + " " + p.last_name; },
      [] {
        return func.concat(orm::col<Person>(&Person::first_name), " ",
                           orm::col<Person>(&Person::last_name));
      });
  const orm::hybrid_property<Product, double> total_value(
      [](const Product& p) { return p.price * static_cast<double>(p.quantity); },
      [] { return orm::col(&Product::price) * orm::col(&Product::quantity); });
  const orm::hybrid_method<Product, bool, double> is_affordable(
      [](const Product& p, double max) { return p.price <= max; },
      [](double max) { return orm::col(&Product::price) <= max; });

  orm::Session session(engine_);
  session.add(person("Ahmad", "Ali", 30));
  session.add(person("Sara", "Karimi", 25));
  for (auto [n, price, q] : {std::tuple{"pen", 2.0, 1000}, {"laptop", 900.0, 3}, {"mug", 100.0, 5}}) {
    auto p = std::make_shared<Product>();
    p->name = n;
    p->price = price;
    p->quantity = q;
    session.add(p);
  }
  session.commit();
  auto ahmad = session.query<Person>().filter(full_name == "Ahmad Ali").one();
  EXPECT_EQ(full_name(*ahmad), "Ahmad Ali");
  auto expensive = session.query<Product>().filter(total_value > 1000.0).order_by(total_value).all();
  ASSERT_EQ(expensive.size(), 2u);
  EXPECT_EQ(expensive[0]->name, "pen");
  EXPECT_DOUBLE_EQ(total_value(*expensive[1]), 2700.0);
  auto cheap = session.query<Product>().filter(is_affordable(100.0)).all();
  EXPECT_EQ(cheap.size(), 2u);
  EXPECT_TRUE(is_affordable(*cheap[0], 100.0));
}

TEST_P(ExtensionsTest, validators_reject_before_anything_is_written) {
  orm::Session session(engine_);
  auto bad = person("Ali", "Rezaei", 20);
  bad->email = "no-at-sign";
  EXPECT_THROW(session.add(bad), orm::ValidationError);  // at add()
  EXPECT_FALSE(session.contains(bad));
  auto ok = person("Ali  ", "Rezaei", 20);
  session.add(ok);
  EXPECT_EQ(ok->first_name, "Ali");  // normalised by the validator
  session.commit();
  ok->age = 200;  // and at flush, for changed members
  EXPECT_THROW(session.flush(), orm::ValidationError);
  EXPECT_TRUE(session.is_active());  // nothing was sent: no rollback needed
  ok->age = 21;
  session.commit();
  orm::Session other(engine_);
  EXPECT_EQ(other.get<Person>(ok->id)->age, 21);
}

TEST_P(ExtensionsTest, mapper_and_session_events) {
  std::vector<std::string> seen;
  auto l1 = orm::listen<Person>(orm::before_insert, [&](const orm::Mapper& m, Connection&, Person& p) {
    seen.push_back("before_insert " + m.class_name() + " " + p.first_name);
    p.last_name += "!";  // changes made here are written
  });
  auto l2 = orm::listen<Person>(orm::after_insert, [&](const orm::Mapper&, Connection&, Person& p) {
    seen.push_back("after_insert id>0=" + std::to_string(p.id > 0));
  });
  auto l3 = orm::listen<Person>(orm::after_update, [&](const orm::Mapper&, Connection&, Person& p) {
    seen.push_back("after_update " + std::to_string(p.age));
  });
  auto l4 = orm::listen<Person>(orm::before_delete, [&](const orm::Mapper&, Connection&, Person&) {
    seen.push_back("before_delete");
  });
  orm::Session session(engine_);
  auto s1 = orm::listen(session, orm::before_commit, [&](orm::Session&) { seen.push_back("before_commit"); });
  auto s2 = orm::listen(session, orm::after_commit, [&](orm::Session&) { seen.push_back("after_commit"); });
  auto s3 = orm::listen(session, orm::after_rollback, [&](orm::Session&) { seen.push_back("after_rollback"); });
  auto s4 = orm::listen(session, orm::before_flush, [&](orm::Session&) { seen.push_back("before_flush"); });
  auto p = person("Ali", "Rezaei", 20);
  session.add(p);
  session.commit();
  EXPECT_EQ(p->last_name, "Rezaei!");
  p->age = 30;
  session.commit();
  session.delete_(p);
  session.commit();
  session.rollback();
  std::vector<std::string> want{"before_commit", "before_flush", "before_insert Person Ali",
                                "after_insert id>0=1", "after_commit", "before_commit",
                                "before_flush", "after_update 30", "after_commit",
                                "before_commit", "before_flush", "before_delete",
                                "after_commit", "after_rollback"};
  EXPECT_EQ(seen, want);
  EXPECT_TRUE(orm::remove<Person>(orm::before_insert, l1));
  orm::remove<Person>(orm::after_insert, l2);
  orm::remove<Person>(orm::after_update, l3);
  orm::remove<Person>(orm::before_delete, l4);
  (void)s1, (void)s2, (void)s3, (void)s4;
}

TEST_P(ExtensionsTest, mixin_timestamps_and_custom_type) {
  orm::Session session(engine_);
  auto p = person("Ali", "Rezaei", 20);
  session.add(p);
  session.commit();
  ASSERT_TRUE(p->created_at && p->updated_at);
  const auto created = *p->created_at;
  p->age = 21;
  session.commit();
  EXPECT_EQ(*p->created_at, created);
  EXPECT_GE(p->updated_at->to_sys_time(), created.to_sys_time());
  EXPECT_EQ(orm::table_of<UserProfile>().name(), "user_profiles");
  auto prof = std::make_shared<UserProfile>();
  prof->preferences = Json{R"({"theme": "dark", "lang": "fa", "name": "علی"})"};
  session.add(prof);
  session.commit();
  orm::Session other(engine_);
  auto got = other.get<UserProfile>(prof->id);
  EXPECT_EQ(got->preferences.text, prof->preferences.text);
}

TEST_P(ExtensionsTest, scoped_session_gives_each_thread_its_own) {
  orm::scoped_session Session{orm::sessionmaker(engine_)};
  orm::Session* mine = &Session();
  EXPECT_EQ(mine, &Session());
  orm::Session* theirs = nullptr;
  std::thread t([&] {
    theirs = &Session();
    Session.remove();
  });
  t.join();
  EXPECT_NE(mine, theirs);
  Session().add(person("Ali", "Rezaei", 20));
  Session().commit();
  Session.remove();
  EXPECT_FALSE(Session.has());
  EXPECT_EQ(Session().query<Person>().count(), 1);
}

INSTANTIATE_TEST_SUITE_P(backends, ExtensionsTest, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace alchemy::testing
