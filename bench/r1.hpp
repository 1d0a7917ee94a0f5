// Workload R1 of alchemy-bench: a one-to-many relationship loaded whole.
//
// N users with 10 orders each:
//   users(id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)
//   orders(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
//          description VARCHAR(255) NOT NULL, amount INTEGER NOT NULL)
//   + index ix_orders_user_id ON orders(user_id)
// User i (1..N) is named "user <i>"; its orders j = 0..9 have description
// "order <i*10+j>" and amount j+1; order ids run 1..10N in that order.
//
// Timed: load every user and, through the user, its orders; the checksum is
//   sum over users of (id + len(name))
//   + sum over every order reached through its user's collection of
//     (id + user_id + len(description) + amount)
// which for this data set is a function of N alone (see r1_expected_checksum).
//
// Variants: raw_driver (sqlite3.h / libpq, r1.cpp); orm_selectin, orm_joined,
// orm_lazy (r1_orm.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace alchemy {
class Engine;
}

struct R1Result {
  double seconds;
  double cpu;
  long long check;
};

// Creates and fills the two tables unless they already hold the R1 data set
// for this N (users has N rows and orders 10N). Untimed.
void r1_prepare(const std::string& backend, const std::string& db, long n);

// Variant raw_driver: hand-written on the C driver, no alchemy.
R1Result r1_raw(const std::string& backend, const std::string& db, long n);

// Variants orm_selectin, orm_joined, orm_lazy (bench/r1_orm.cpp).
R1Result r1_orm(const std::string& backend, alchemy::Engine& engine, const std::string& variant,
                long n);

// The checksum terms, shared by every variant.
long long r1_checksum_user(std::int64_t id, std::string_view name);
long long r1_checksum_order(std::int64_t id, std::int64_t user_id, std::string_view description,
                            std::int64_t amount);

// The checksum every correct variant prints for N users, computed from the
// data set's definition (no database).
long long r1_expected_checksum(long n);
