// text(): a literal SQL string with `:name` bind parameters (SQLAlchemy's TextClause).
//
// `text("SELECT * FROM users WHERE age > :min_age")` is compiled per dialect into
// the driver's placeholder style (`?1` for SQLite, `$1` for PostgreSQL) plus the
// parameter order; the compiled form is cached inside the TextClause, so reusing
// one TextClause costs a pointer comparison. A TextClause is immutable and may be
// shared between threads.
//
// Parsing rules (as SQLAlchemy): a bind is ':' followed by a word (letters, digits,
// '_', or any non-ASCII character), not preceded by ':' or a word character and
// not followed by ':' — so PostgreSQL casts (`x::int`) and times ('12:30') are left
// alone. `\:` writes a literal colon. Unlike SQLAlchemy, colons inside quoted
// strings, quoted identifiers and comments are never binds.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

/// Something a Connection can execute. Core statement constructs (select,
/// insert, ...) derive from it too.
class ALCHEMY_EXPORT Executable {
 public:
  virtual ~Executable();
  /// The compiled form for `compiler`'s dialect (cached; thread-safe).
  virtual std::shared_ptr<const Compiled> compile(const SQLCompiler& compiler) const = 0;
  /// A dialect-neutral rendering for debugging (`:name` placeholders).
  virtual std::string str() const = 0;
};

/// A textual SQL statement (see the header comment for the bind syntax).
class ALCHEMY_EXPORT TextClause final : public Executable {
 public:
  explicit TextClause(std::string sql);
  std::shared_ptr<const Compiled> compile(const SQLCompiler& compiler) const override;
  std::string str() const override;
  /// The distinct parameter names in order of first appearance.
  const std::vector<std::string>& bind_names() const;
  const std::string& text() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Construct a TextClause (SQLAlchemy's `text()`).
ALCHEMY_EXPORT TextClause text(std::string sql);

}  // namespace alchemy
