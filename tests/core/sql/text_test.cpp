// text(): bind parameter parsing and per-dialect compilation.
#include <alchemy/core/sql/text.hpp>
#include <gtest/gtest.h>

namespace alchemy {
namespace {

struct Flavour : SQLCompiler {
  explicit Flavour(ParamStyle s) : style(s) {}
  std::string_view dialect_name() const override { return "test"; }
  ParamStyle paramstyle() const override { return style; }
  ParamStyle style;
};

const Flavour kDollar(ParamStyle::numeric_dollar);
const Flavour kNumeric(ParamStyle::numeric);
const Flavour kQmark(ParamStyle::qmark);
const Flavour kFormat(ParamStyle::format);

TEST(text, named_parameters_compile_per_paramstyle) {
  auto t = text("SELECT * FROM users WHERE age BETWEEN :min_age AND :max_age");
  EXPECT_EQ(t.bind_names(), (std::vector<std::string>{"min_age", "max_age"}));
  EXPECT_EQ(t.compile(kDollar)->sql, "SELECT * FROM users WHERE age BETWEEN $1 AND $2");
  EXPECT_EQ(t.compile(kNumeric)->sql, "SELECT * FROM users WHERE age BETWEEN ?1 AND ?2");
  EXPECT_EQ(t.compile(kQmark)->sql, "SELECT * FROM users WHERE age BETWEEN ? AND ?");
  EXPECT_EQ(t.compile(kFormat)->sql, "SELECT * FROM users WHERE age BETWEEN %s AND %s");
  EXPECT_EQ(t.str(), "SELECT * FROM users WHERE age BETWEEN :min_age AND :max_age");
}

TEST(text, repeated_name_reuses_its_number_or_repeats_positionally) {
  auto t = text("SELECT :a, :b, :a");
  auto numbered = t.compile(kDollar);
  EXPECT_EQ(numbered->sql, "SELECT $1, $2, $1");
  EXPECT_EQ(numbered->bind_names, (std::vector<std::string>{"a", "b"}));
  auto positional = t.compile(kQmark);
  EXPECT_EQ(positional->sql, "SELECT ?, ?, ?");
  EXPECT_EQ(positional->bind_names, (std::vector<std::string>{"a", "b", "a"}));
}

TEST(text, colons_that_are_not_binds) {
  EXPECT_EQ(text("SELECT x::int, '12:30', \"a:b\" FROM t -- :c\n/* :d */").compile(kDollar)->sql,
            "SELECT x::int, '12:30', \"a:b\" FROM t -- :c\n/* :d */");
  EXPECT_TRUE(text("SELECT ':x' || 'it''s :y'").bind_names().empty());
  EXPECT_TRUE(text("SELECT $$ :inside $$, $tag$ :x $tag$").bind_names().empty());
  EXPECT_EQ(text("SELECT a\\:b").compile(kDollar)->sql, "SELECT a:b");
  EXPECT_TRUE(text("SELECT :v::int").bind_names().empty()) << "as SQLAlchemy: use CAST(:v AS int)";
  EXPECT_TRUE(text("SELECT abc:def").bind_names().empty());
}

TEST(text, unicode_parameter_names) {
  auto t = text("SELECT :نام, :name_2");
  EXPECT_EQ(t.bind_names(), (std::vector<std::string>{"نام", "name_2"}));
  EXPECT_EQ(t.compile(kDollar)->sql, "SELECT $1, $2");
}

TEST(text, compiled_form_is_cached_per_dialect) {
  auto t = text("SELECT :x");
  EXPECT_EQ(t.compile(kDollar).get(), t.compile(kDollar).get());
  EXPECT_NE(t.compile(kDollar).get(), t.compile(kNumeric).get());
  auto copy = t;  // copies share the cache
  EXPECT_EQ(copy.compile(kDollar).get(), t.compile(kDollar).get());
}

}  // namespace
}  // namespace alchemy
