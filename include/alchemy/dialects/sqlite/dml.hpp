// SQLite's INSERT ... ON CONFLICT (SQLAlchemy's sqlalchemy.dialects.sqlite.insert):
// the "upsert".
//
//   namespace lite = alchemy::dialects::sqlite;
//   auto stmt = lite::insert(users).values({{"email", "ali@test.com"}, {"name", "Ali"}});
//   conn.execute(stmt.on_conflict_do_update({.index_elements = {"email"},
//                                            .set_ = {{"name", stmt.excluded("name")}}}));
//   conn.execute(stmt.on_conflict_do_nothing({"email"}));
//
// PostgreSQL and SQLite spell ON CONFLICT the same way, so both dialects share
// detail::OnConflictInsert (<alchemy/core/sql/dml.hpp>); it is an ordinary
// Insert, and each method returns a new statement.
#pragma once

#include "alchemy/core/schema.hpp"
#include "alchemy/core/sql/dml.hpp"

namespace alchemy::dialects::sqlite {

/// An INSERT with on_conflict_do_nothing() / on_conflict_do_update() / excluded().
using Insert = alchemy::detail::OnConflictInsert;
using alchemy::OnConflictDoUpdate;

/// INSERT INTO table, with SQLite's ON CONFLICT clause.
inline Insert insert(const Table& table) { return Insert(alchemy::insert(table)); }

}  // namespace alchemy::dialects::sqlite
