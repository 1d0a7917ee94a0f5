// SQLite reflection (SQLAlchemy's SQLiteDialect.get_columns & co.): the
// Dialect's reflection hooks, answered from PRAGMA table_xinfo /
// foreign_key_list / index_list / index_xinfo and, for what the PRAGMAs do not
// tell (constraint names, CHECK text, UNIQUE constraints, DEFERRABLE, index
// expressions), from the CREATE statements SQLite keeps in sqlite_master.
//
// SQLiteDialect (base.cpp) derives from SQLiteReflection; nothing else uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/engine/interfaces.hpp"

namespace alchemy::dialects::sqlite {

class SQLiteReflection : public Dialect {
 public:
  std::string default_schema_name(Connection& conn) const override;
  std::vector<std::string> get_table_names(Connection& conn,
                                           const std::optional<std::string>& schema) const override;
  std::vector<ReflectedColumn> get_columns(Connection& conn, std::string_view table,
                                           const std::optional<std::string>& schema) const override;
  ReflectedPrimaryKeyConstraint get_pk_constraint(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override;
  std::vector<ReflectedForeignKeyConstraint> get_foreign_keys(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override;
  std::vector<ReflectedIndex> get_indexes(Connection& conn, std::string_view table,
                                          const std::optional<std::string>& schema) const override;
  std::vector<ReflectedUniqueConstraint> get_unique_constraints(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override;
  std::vector<ReflectedCheckConstraint> get_check_constraints(
      Connection& conn, std::string_view table,
      const std::optional<std::string>& schema) const override;
};

}  // namespace alchemy::dialects::sqlite
