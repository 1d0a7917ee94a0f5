// Helpers shared by the SQLite dialect tests: open a driver connection from a
// URL, execute with inline parameters, and an in-memory ParamBatch.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alchemy/engine/interfaces.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"

namespace alchemy::testing::sqlite {

/// The registered sqlite dialect.
inline std::shared_ptr<const Dialect> dialect() { return load_dialect("sqlite", ""); }

/// A new driver connection for `url` (default: a private in-memory database).
inline std::unique_ptr<DriverConnection> open(const std::string& url = "sqlite:///:memory:",
                                              const ConnectArgs& args = {}) {
  return dialect()->connector(make_url(url), args)();
}

/// Executes `sql` on `c` with `params` in placeholder order.
inline void run(DriverCursor& c, std::string_view sql, const std::vector<Value>& params = {}) {
  std::vector<const Value*> ptrs;
  ptrs.reserve(params.size());
  for (const Value& v : params) ptrs.push_back(&v);
  c.execute(sql, ptrs, CursorOptions{});
}

/// Runs a single-row, single-column query and returns the cell as a Value.
inline Value scalar(DriverConnection& conn, std::string_view sql,
                    const std::vector<Value>& params = {}) {
  auto c = conn.cursor();
  run(*c, sql, params);
  if (!c->fetch_next()) return Value();
  Value v = c->get_value(0);
  c->close();
  return v;
}

/// Parameter sets held in memory, for executemany.
class VectorBatch final : public ParamBatch {
 public:
  VectorBatch(std::size_t width, std::vector<std::vector<Value>> rows)
      : width_(width), rows_(std::move(rows)) {}
  std::size_t size() const override { return rows_.size(); }
  std::size_t width() const override { return width_; }
  void fill(std::size_t row, const Value** out) const override {
    if (rows_[row].size() != width_) throw ArgumentError("row has the wrong width");
    for (std::size_t k = 0; k < width_; ++k) out[k] = &rows_[row][k];
  }

 private:
  std::size_t width_;
  std::vector<std::vector<Value>> rows_;
};

}  // namespace alchemy::testing::sqlite
