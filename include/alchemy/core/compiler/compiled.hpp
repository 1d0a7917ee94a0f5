// Compiled statements and what a dialect tells the compiler.
//
// Compiling a statement for a dialect yields SQL text plus the order of its bind
// parameters. Compiled forms are immutable and shared: the engine caches them and
// each pooled connection keeps its prepared statements keyed by the SQL text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/export.hpp"

namespace alchemy {

/// How bind parameters are written in the SQL a driver receives.
enum class ParamStyle : std::uint8_t {
  qmark,           ///< `?`           (SQLite positional)
  numeric,         ///< `?1`, `?2`    (SQLite numbered: a repeated name reuses its number)
  numeric_dollar,  ///< `$1`, `$2`    (PostgreSQL)
  format,          ///< `%s`          (MySQL client libraries)
};

/// The SQL flavour of a dialect as the compiler sees it. Dialects derive from
/// this (their compiler subclasses come with the Core expression language);
/// one instance per dialect, shared and immutable, so compiling is thread-safe.
class ALCHEMY_EXPORT SQLCompiler {
 public:
  virtual ~SQLCompiler();
  /// The dialect's name ("sqlite", "postgresql").
  virtual std::string_view dialect_name() const = 0;
  virtual ParamStyle paramstyle() const = 0;
  /// Appends the placeholder for the `position`-th distinct parameter (1-based).
  void render_bind(std::string& out, std::size_t position) const;
};

/// A statement compiled for one dialect.
struct ALCHEMY_EXPORT Compiled {
  /// The SQL exactly as the driver receives it.
  std::string sql;
  /// Name of each driver parameter in driver order (index 0 = first placeholder).
  std::vector<std::string> bind_names;
};

}  // namespace alchemy
