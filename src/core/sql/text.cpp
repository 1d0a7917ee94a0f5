#include "alchemy/core/sql/text.hpp"

#include <mutex>
#include <utility>

#include "alchemy/exc.hpp"

namespace alchemy {

Executable::~Executable() = default;

namespace {

bool is_word_byte(unsigned char c) {
  // Non-ASCII bytes (UTF-8 sequences) count as word characters so that
  // parameter names in any script work, as Python's \w does.
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c >= 0x80;
}

// One piece of the parsed text: literal SQL, or a reference to a bind name.
struct Piece {
  std::string literal;
  int bind = -1;  // index into names, or -1 for literal
};

// Splits `sql` into literal pieces and bind references. Quoted strings, quoted
// identifiers, dollar-quoted strings and comments are copied verbatim.
void parse(const std::string& sql, std::vector<Piece>& pieces, std::vector<std::string>& names) {
  std::string lit;
  const std::size_t n = sql.size();
  auto flush = [&] {
    if (!lit.empty()) pieces.push_back({std::move(lit), -1});
    lit.clear();
  };
  for (std::size_t i = 0; i < n;) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {  // quoted: copy to the closing quote
      std::size_t j = i + 1;
      while (j < n) {
        if (sql[j] == c) {
          if (j + 1 < n && sql[j + 1] == c) {  // doubled quote
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      j = j < n ? j + 1 : n;
      lit.append(sql, i, j - i);
      i = j;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {  // line comment
      std::size_t j = sql.find('\n', i);
      j = j == std::string::npos ? n : j;
      lit.append(sql, i, j - i);
      i = j;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {  // block comment
      std::size_t j = sql.find("*/", i + 2);
      j = j == std::string::npos ? n : j + 2;
      lit.append(sql, i, j - i);
      i = j;
    } else if (c == '$' && (i == 0 || !is_word_byte(static_cast<unsigned char>(sql[i - 1])))) {
      // PostgreSQL dollar quoting: $tag$ ... $tag$ (but not a $1 placeholder)
      std::size_t j = i + 1;
      if (j < n && sql[j] >= '0' && sql[j] <= '9') {
        lit += c;
        ++i;
        continue;
      }
      while (j < n && is_word_byte(static_cast<unsigned char>(sql[j]))) ++j;
      if (j < n && sql[j] == '$') {
        std::string tag = sql.substr(i, j - i + 1);
        std::size_t end = sql.find(tag, j + 1);
        end = end == std::string::npos ? n : end + tag.size();
        lit.append(sql, i, end - i);
        i = end;
      } else {
        lit += c;
        ++i;
      }
    } else if (c == '\\' && i + 1 < n && sql[i + 1] == ':') {  // escaped colon
      lit += ':';
      i += 2;
    } else if (c == ':' && i + 1 < n && is_word_byte(static_cast<unsigned char>(sql[i + 1])) &&
               (i == 0 ||
                (sql[i - 1] != ':' && !is_word_byte(static_cast<unsigned char>(sql[i - 1]))))) {
      std::size_t j = i + 1;
      while (j < n && is_word_byte(static_cast<unsigned char>(sql[j]))) ++j;
      if (j < n && sql[j] == ':') {  // followed by ':' (e.g. "::"): not a bind
        lit.append(sql, i, j - i);
        i = j;
        continue;
      }
      std::string name = sql.substr(i + 1, j - i - 1);
      int idx = -1;
      for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == name) idx = static_cast<int>(k);
      if (idx < 0) {
        idx = static_cast<int>(names.size());
        names.push_back(std::move(name));
      }
      flush();
      pieces.push_back({{}, idx});
      i = j;
    } else {
      lit += c;
      ++i;
    }
  }
  flush();
}

}  // namespace

struct TextClause::Impl {
  std::string sql;
  std::vector<Piece> pieces;
  std::vector<std::string> names;
  // Compiled forms per compiler (dialect); a text is rarely compiled for more
  // than one or two dialects, so a small vector under a mutex is enough.
  mutable std::mutex mu;
  mutable std::vector<std::pair<std::uint64_t, std::shared_ptr<const Compiled>>> cache;  // by SQLCompiler::identity()
};

TextClause::TextClause(std::string sql) : impl_(std::make_shared<Impl>()) {
  impl_->sql = std::move(sql);
  parse(impl_->sql, impl_->pieces, impl_->names);
}

std::shared_ptr<const Compiled> TextClause::compile(const SQLCompiler& compiler) const {
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [c, compiled] : impl_->cache)
      if (c == compiler.identity()) return compiled;
  }
  auto out = std::make_shared<Compiled>();
  out->sql.reserve(impl_->sql.size() + 8);
  const bool reuse_numbers = compiler.paramstyle() == ParamStyle::numeric ||
                             compiler.paramstyle() == ParamStyle::numeric_dollar;
  std::vector<std::size_t> position(impl_->names.size(), 0);
  for (const Piece& p : impl_->pieces) {
    if (p.bind < 0) {
      out->sql += p.literal;
      continue;
    }
    const auto b = static_cast<std::size_t>(p.bind);
    if (reuse_numbers) {
      if (position[b] == 0) {
        out->bind_names.push_back(impl_->names[b]);
        position[b] = out->bind_names.size();
      }
      compiler.render_bind(out->sql, position[b]);
    } else {  // positional styles repeat the value for a repeated name
      out->bind_names.push_back(impl_->names[b]);
      compiler.render_bind(out->sql, out->bind_names.size());
    }
  }
  std::lock_guard lock(impl_->mu);
  impl_->cache.emplace_back(compiler.identity(), out);
  return out;
}

std::string TextClause::str() const {
  std::string s;
  for (const Piece& p : impl_->pieces) {
    if (p.bind < 0) {
      s += p.literal;
    } else {
      s += ':';
      s += impl_->names[static_cast<std::size_t>(p.bind)];
    }
  }
  return s;
}

void TextClause::render_fragment(
    std::string& out, const std::function<void(std::string&, const std::string&)>& bind) const {
  for (const Piece& p : impl_->pieces) {
    if (p.bind < 0) {
      out += p.literal;
    } else {
      bind(out, impl_->names[static_cast<std::size_t>(p.bind)]);
    }
  }
}

std::shared_ptr<const Compiled> Executable::compile_for(const SQLCompiler& compiler,
                                                        CompiledCache* /*cache*/,
                                                        const Params* /*first_params*/,
                                                        bool /*executemany*/,
                                                        std::vector<const Value*>& literals) const {
  literals.clear();
  return compile(compiler);
}

const std::vector<std::string>& TextClause::bind_names() const { return impl_->names; }
const std::string& TextClause::text() const { return impl_->sql; }

TextClause text(std::string sql) { return TextClause(std::move(sql)); }

}  // namespace alchemy
