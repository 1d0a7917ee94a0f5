// PostgreSQL reflection (SQLAlchemy's PGDialect.get_columns & co.): the
// Dialect's reflection hooks, answered from pg_catalog (pg_class,
// pg_attribute, pg_constraint, pg_index, pg_enum, pg_description).
//
// PGDialect (base.cpp) derives from PGReflection; nothing else uses it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/engine/interfaces.hpp"

namespace alchemy::dialects::postgresql {

class PGReflection : public Dialect {
 public:
  bool has_table(Connection& conn, std::string_view table,
                 const std::optional<std::string>& schema) const override;
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
  ReflectedTableComment get_table_comment(Connection& conn, std::string_view table,
                                          const std::optional<std::string>& schema) const override;
};

}  // namespace alchemy::dialects::postgresql
