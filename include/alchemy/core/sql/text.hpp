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

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/core/compiler/compiled.hpp"
#include "alchemy/core/value.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

/// Something a Connection can execute. Core statement constructs (select,
/// insert, ...) derive from it too.
class ALCHEMY_EXPORT Executable {
 public:
  virtual ~Executable();
  /// The compiled form for `compiler`'s dialect (cached; thread-safe).
  virtual std::shared_ptr<const Compiled> compile(const SQLCompiler& compiler) const = 0;
  /// The compiled form for an execution, through the engine's `cache` (may be
  /// null), plus this statement's literal bind values in the order the
  /// Compiled's BindSlot::literal indexes refer to. `first_params` (may be
  /// null) are the execution's parameters (the first set of an executemany):
  /// INSERT/UPDATE without values() take their columns from its keys.
  /// The default compiles without a cache and has no literals (text()).
  virtual std::shared_ptr<const Compiled> compile_for(const SQLCompiler& compiler,
                                                      CompiledCache* cache,
                                                      const Params* first_params, bool executemany,
                                                      std::vector<const Value*>& literals) const;
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
  /// Renders the text as a fragment of a larger statement: literal SQL is
  /// appended, `bind(out, name)` renders each parameter.
  void render_fragment(std::string& out,
                       const std::function<void(std::string&, const std::string&)>& bind) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Construct a TextClause (SQLAlchemy's `text()`).
ALCHEMY_EXPORT TextClause text(std::string sql);

}  // namespace alchemy
