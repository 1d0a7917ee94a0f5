// The integer identity map: identity placement for keys that arrive in order,
// the switch to a mixed placement when keys collide under it, and erase/reuse.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "orm/state.hpp"

namespace {
using alchemy::orm::detail::InstanceState;
using alchemy::orm::detail::IntIdentityMap;

InstanceState* fake(std::int64_t k) {
  // Distinct, 16-aligned, never dereferenced.
  return reinterpret_cast<InstanceState*>(static_cast<std::uintptr_t>((k & 0xffffffff) + 1) << 4);
}

void expect_all(IntIdentityMap& m, const std::vector<std::int64_t>& keys) {
  for (auto k : keys) {
    auto it = m.find(k);
    ASSERT_NE(it, m.end()) << k;
    EXPECT_EQ(it->second, fake(k)) << k;
  }
}

TEST(IntIdentityMap, DenseKeysStayInIdentityPlacement) {
  IntIdentityMap m;
  std::vector<std::int64_t> keys;
  for (std::int64_t k = 1; k <= 100000; ++k) keys.push_back(k);
  for (auto k : keys) m[k] = fake(k);
  EXPECT_EQ(m.size(), keys.size());
  EXPECT_FALSE(m.mixed());
  expect_all(m, keys);
  EXPECT_EQ(m.find(0), m.end());
  EXPECT_EQ(m.find(100001), m.end());
  // Looking a key up again returns its slot, not a new one.
  EXPECT_EQ(m[500], fake(500));
  EXPECT_EQ(m.size(), keys.size());
}

TEST(IntIdentityMap, StridedKeysSwitchToMixedPlacement) {
  // Every key collides with the others under identity placement: without the
  // switch each insert would walk the whole run (quadratic).
  IntIdentityMap m;
  std::vector<std::int64_t> keys;
  for (std::int64_t i = 0; i < 200000; ++i) keys.push_back(i << 20);
  for (auto k : keys) m[k] = fake(k);
  EXPECT_TRUE(m.mixed());
  EXPECT_EQ(m.size(), keys.size());
  expect_all(m, keys);
  EXPECT_EQ(m.find(1), m.end());
}

TEST(IntIdentityMap, MissesOverLongRunsSwitchAtTheNextInsert) {
  IntIdentityMap m;
  // Keys 0..999 fill one run; keys k * 1024 (table size) land inside it.
  for (std::int64_t k = 0; k < 1000; ++k) m[k] = fake(k);
  ASSERT_FALSE(m.mixed());
  for (std::int64_t i = 1; i < 100; ++i) EXPECT_EQ(m.find(i * 4096 + 3), m.end());
  m[-5] = fake(-5);
  EXPECT_TRUE(m.mixed());
  std::vector<std::int64_t> keys{-5};
  for (std::int64_t k = 0; k < 1000; ++k) keys.push_back(k);
  expect_all(m, keys);
}

TEST(IntIdentityMap, EraseReinsertAndRandomKeysAgreeWithStdMap) {
  IntIdentityMap m;
  std::map<std::int64_t, InstanceState*> ref;
  std::mt19937_64 rng(42);
  for (int step = 0; step < 200000; ++step) {
    // Mostly small keys (identity placement, tombstone reuse), some wide ones.
    std::int64_t k = (step % 7 == 0) ? static_cast<std::int64_t>(rng())
                                     : static_cast<std::int64_t>(rng() % 5000) - 100;
    if (rng() % 3 == 0) {
      auto it = m.find(k);
      if (it != m.end()) m.erase(it);
      ref.erase(k);
    } else {
      m[k] = fake(k);
      ref[k] = fake(k);
    }
  }
  EXPECT_EQ(m.size(), ref.size());
  std::size_t seen = 0;
  for (auto& [k, v] : m) {
    ++seen;
    auto f = ref.find(k);
    ASSERT_NE(f, ref.end()) << k;
    EXPECT_EQ(v, f->second);
  }
  EXPECT_EQ(seen, ref.size());
  for (auto& [k, v] : ref) {
    auto it = m.find(k);
    ASSERT_NE(it, m.end()) << k;
    EXPECT_EQ(it->second, v);
  }
}

TEST(IntIdentityMap, AbandonGivesTheSlotBack) {
  IntIdentityMap m;
  InstanceState*& slot = m[7];
  EXPECT_EQ(slot, nullptr);
  EXPECT_EQ(m.size(), 1u);
  m.abandon(&slot);
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.find(7), m.end());
  m[7] = fake(7);
  EXPECT_EQ(m.find(7)->second, fake(7));
  m.clear();
  EXPECT_EQ(m.size(), 0u);
  EXPECT_EQ(m.find(7), m.end());
}

}  // namespace
