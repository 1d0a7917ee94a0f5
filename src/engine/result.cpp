// Result, Row and friends. Rows are views of the driver cursor while iterating
// (no copies); copying a view materializes it.
#include "alchemy/engine/result.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "alchemy/exc.hpp"
#include "engine/internal.hpp"

namespace alchemy {

namespace detail {

std::ptrdiff_t ResultMetaData::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == name) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

std::size_t ResultMetaData::index(std::string_view name) const {
  auto i = find(name);
  if (i >= 0) return static_cast<std::size_t>(i);
  std::string cols;
  for (const auto& k : keys) cols += (cols.empty() ? "'" : ", '") + k + "'";
  throw NoSuchColumnError(
      fmt::format("Could not locate column in row for column '{}'; the row "
                  "has {}",
                  name, cols.empty() ? "no columns" : cols));
}

void throw_no_result(std::string_view what) { throw NoResultFound(std::string(what)); }

ResultState::~ResultState() { soft_close(); }

const Row* ResultState::advance() {
  if (closed) return nullptr;
  if (!cursor) {  // buffered rows only
    if (buffered_pos < buffered.size()) return &buffered[buffered_pos++];
    soft_close();
    return nullptr;
  }
  bool more = false;
  try {
    more = cursor->fetch_next();
  } catch (const SQLAlchemyError&) {
    soft_close();
    if (core) core->handle_error({}, {});
    throw;  // no connection to report to
  }
  if (!more) {
    soft_close();
    return nullptr;
  }
  return &current;
}

void ResultState::soft_close() noexcept {
  if (cursor) {
    if (returns_rows) {
      rowcount = cursor->rowcount();
      lastrowid = cursor->lastrowid();
    }
    cursor->close();
    if (core) {
      core->recycle_cursor(std::move(cursor));
    } else {
      cursor.reset();
    }
  }
  closed = true;
  if (core) std::erase(core->open_results, this);
}

void ResultState::detach() noexcept {
  // The connection is closing: release the cursor before the DBAPI connection goes.
  if (cursor) {
    cursor->close();
    cursor.reset();
  }
  closed = true;
  hard_closed = true;
}

}  // namespace detail

// ---------------------------------------------------------------- Row

Row::Row(std::shared_ptr<const detail::ResultMetaData> meta, std::vector<Value> values)
    : meta_(std::move(meta)), values_(std::move(values)) {}

void Row::materialize_from(const Row& other) {
  meta_ = other.meta_;
  cursor_ = nullptr;
  if (other.cursor_ != nullptr) {
    const std::size_t n = other.meta_->keys.size();
    values_.clear();
    values_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) values_.push_back(other.get_value(i));
  } else {
    values_ = other.values_;
  }
}

Row::Row(const Row& other) { materialize_from(other); }
Row::Row(Row&& other) noexcept(false) {
  if (other.cursor_ != nullptr) {
    materialize_from(other);
  } else {
    meta_ = std::move(other.meta_);
    values_ = std::move(other.values_);
  }
}
Row& Row::operator=(const Row& other) {
  if (this != &other) materialize_from(other);
  return *this;
}
Row& Row::operator=(Row&& other) noexcept(false) {
  if (this == &other) return *this;
  if (other.cursor_ != nullptr) {
    materialize_from(other);
  } else {
    meta_ = std::move(other.meta_);
    cursor_ = nullptr;
    values_ = std::move(other.values_);
  }
  return *this;
}

void Row::throw_bad_index(std::size_t i) const {
  throw NoSuchColumnError(
      fmt::format("Row index {} is out of range; the row has {} columns", i, size()));
}

namespace {
// Adds the column name to a conversion error raised by a driver or Value::as.
[[noreturn]] void rethrow_with_column(const Row& row, std::size_t i) {
  try {
    throw;
  } catch (const NoSuchColumnError&) {
    throw;
  } catch (const InvalidRequestError& e) {
    throw InvalidRequestError(
        fmt::format("column '{}' (index {}): {}", row.keys()[i], i, e.what()));
  }
}
}  // namespace

Value Row::get_value(std::size_t i) const {
  check_index(i);
  if (cursor_ != nullptr) {
    if (meta_->processes(i)) {
      try {
        return meta_->process(i, cursor_->get_value(i));
      } catch (const InvalidRequestError&) {
        rethrow_with_column(*this, i);
      }
    }
    return cursor_->get_value(i);
  }
  return values_[i];
}

bool Row::is_null(std::size_t i) const {
  check_index(i);
  if (cursor_ != nullptr) return cursor_->is_null(i);
  return values_[i].is_null();
}

std::int64_t Row::get_int64(std::size_t i) const {
  check_index(i);
  try {
    if (cursor_ != nullptr && meta_->processes(i)) return get_value(i).as<std::int64_t>();
    if (cursor_ != nullptr) return cursor_->get_int64(i);
    return values_[i].as<std::int64_t>();
  } catch (const InvalidRequestError&) {
    rethrow_with_column(*this, i);
  }
}

double Row::get_double(std::size_t i) const {
  check_index(i);
  try {
    if (cursor_ != nullptr && meta_->processes(i)) return get_value(i).as<double>();
    if (cursor_ != nullptr) return cursor_->get_double(i);
    return values_[i].as<double>();
  } catch (const InvalidRequestError&) {
    rethrow_with_column(*this, i);
  }
}

bool Row::get_bool(std::size_t i) const {
  check_index(i);
  try {
    if (cursor_ != nullptr && meta_->processes(i)) return get_value(i).as<bool>();
    if (cursor_ != nullptr) return cursor_->get_bool(i);
    return values_[i].as<bool>();
  } catch (const InvalidRequestError&) {
    rethrow_with_column(*this, i);
  }
}

std::string Row::get_string(std::size_t i) const {
  check_index(i);
  try {
    // The driver's get_text() throws for NULL: no separate is_null() round.
    if (cursor_ != nullptr && meta_->processes(i)) return get_value(i).as<std::string>();
    if (cursor_ != nullptr) return std::string(cursor_->get_text(i));
    return values_[i].as<std::string>();
  } catch (const InvalidRequestError&) {
    rethrow_with_column(*this, i);
  }
}

std::string_view Row::get_string_view(std::size_t i) const {
  check_index(i);
  try {
    if (cursor_ != nullptr && meta_->processes(i))
      throw InvalidRequestError(
          "this column's values are converted by its SQL type, so there is no driver text to "
          "view; read it as std::string or Value");
    if (cursor_ != nullptr) return cursor_->get_text(i);
    const Value& v = values_[i];
    if (v.kind() == ValueKind::text) return v.get<std::string>();
    if (v.kind() == ValueKind::json) return v.get<Json>().text;
    if (v.kind() == ValueKind::decimal) return v.get<Decimal>().str();
    if (v.is_null()) detail::throw_null_value("std::string_view");
    throw InvalidRequestError(
        fmt::format("a {} value has no text to view; read it as std::string", to_string(v.kind())));
  } catch (const InvalidRequestError&) {
    rethrow_with_column(*this, i);
  }
}

Value Row::operator[](std::string_view name) const { return get_value(meta_->index(name)); }

std::vector<Value> Row::values() const {
  std::vector<Value> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) out.push_back(get_value(i));
  return out;
}

std::string Row::repr() const {
  std::string s = "(";
  for (std::size_t i = 0; i < size(); ++i) {
    if (i) s += ", ";
    s += get_value(i).repr();
  }
  if (size() == 1) s += ',';
  s += ')';
  return s;
}

bool operator==(const Row& a, const Row& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a.get_value(i) == b.get_value(i))) return false;
  return true;
}

RowMapping Row::mapping() const { return RowMapping(*this); }

bool RowMapping::contains(std::string_view key) const {
  return std::find(keys().begin(), keys().end(), key) != keys().end();
}

std::vector<std::pair<std::string, Value>> RowMapping::items() const {
  std::vector<std::pair<std::string, Value>> out;
  for (std::size_t i = 0; i < row_.size(); ++i) out.emplace_back(row_.keys()[i], row_[i]);
  return out;
}

std::string RowMapping::repr() const {
  std::string s = "{";
  for (std::size_t i = 0; i < row_.size(); ++i) {
    if (i) s += ", ";
    s += "'" + row_.keys()[i] + "': " + row_[i].repr();
  }
  return s + "}";
}

// ---------------------------------------------------------------- Result

Result::Result(std::shared_ptr<detail::ResultState> state) : state_(std::move(state)) {}
Result::Result(Result&&) noexcept = default;
Result& Result::operator=(Result&&) noexcept = default;
Result::~Result() = default;

detail::ResultState& Result::state() const {
  if (!state_) throw ResourceClosedError("This result object is empty (moved from)");
  return *state_;
}

namespace {
// Checks that rows can be fetched (an exhausted result just yields nothing).
void check_rows(detail::ResultState& s) {
  if (s.hard_closed)
    throw ResourceClosedError(
        "This result object is closed (by close(), or because its Connection was closed)");
  if (!s.returns_rows)
    throw ResourceClosedError(
        "This result object does not return rows. It has been closed automatically.");
}
}  // namespace

std::vector<std::string> Result::keys() const {
  auto& s = state();
  return s.meta ? s.meta->keys : std::vector<std::string>{};
}

bool Result::returns_rows() const { return state().returns_rows; }

std::optional<Row> Result::fetchone() {
  auto& s = state();
  check_rows(s);
  const Row* r = s.advance();
  if (r == nullptr) return std::nullopt;
  return Row(*r);
}

std::vector<Row> Result::fetchmany(std::size_t n) {
  std::vector<Row> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto r = fetchone();
    if (!r) break;
    out.push_back(std::move(*r));
  }
  return out;
}

std::vector<Row> Result::fetchall() {
  auto& s = state();
  check_rows(s);
  std::vector<Row> out;
  while (const Row* r = s.advance()) out.emplace_back(*r);
  return out;
}

std::optional<Row> Result::first() {
  auto r = fetchone();
  close();
  return r;
}

Row Result::one() {
  auto r = fetchone();
  if (!r) {
    close();
    throw NoResultFound("No row was found when one was required");
  }
  auto& s = state();
  bool more = s.advance() != nullptr;
  close();
  if (more) throw MultipleResultsFound("Multiple rows were found when exactly one was required");
  return std::move(*r);
}

std::optional<Row> Result::one_or_none() {
  auto r = fetchone();
  if (!r) {
    close();
    return std::nullopt;
  }
  auto& s = state();
  bool more = s.advance() != nullptr;
  close();
  if (more) throw MultipleResultsFound("Multiple rows were found when one or none was required");
  return r;
}

Value Result::scalar() {
  auto r = first();
  if (!r) return Value();
  return (*r)[0];
}

Value Result::scalar_one() { return one()[0]; }

std::optional<Value> Result::scalar_one_or_none() {
  auto r = one_or_none();
  if (!r) return std::nullopt;
  return (*r)[0];
}

ScalarResult Result::scalars(std::size_t index) { return ScalarResult(std::move(*this), index); }

PartitionResult Result::partitions(std::size_t size) {
  if (size == 0) size = state().yield_per != 0 ? state().yield_per : 1000;
  check_rows(state());
  return PartitionResult(std::move(*this), size);
}

Result& Result::yield_per(std::size_t n) {
  state().yield_per = n;
  return *this;
}

bool PartitionResult::next() {
  chunk_ = r_.fetchmany(size_);
  return !chunk_.empty();
}
MappingResult Result::mappings() { return MappingResult(std::move(*this)); }

std::int64_t Result::rowcount() const {
  auto& s = state();
  if (s.cursor) return s.cursor->rowcount();
  return s.rowcount;
}

std::optional<std::int64_t> Result::lastrowid() const {
  auto& s = state();
  if (s.cursor) return s.cursor->lastrowid();
  return s.lastrowid;
}

Row Result::inserted_primary_key() const {
  const auto* s = state_.get();
  if (s == nullptr || !s->is_insert)
    throw InvalidRequestError(
        "inserted_primary_key is only available for insert() constructs, which know their "
        "table (Statement is not an insert() expression construct); for a textual INSERT use "
        "RETURNING (SQLite 3.35+, PostgreSQL) or lastrowid()");
  if (s->executemany)
    throw InvalidRequestError(
        "This statement was an executemany call; inserted_primary_key is only available for "
        "single-row inserts. Use RETURNING with one execute() per row, or insert().values() "
        "with RETURNING for several rows");
  if (!s->inserted_pk)
    throw InvalidRequestError("the table has no primary key; inserted_primary_key is empty");
  auto meta = std::make_shared<detail::ResultMetaData>();
  meta->keys = s->pk_keys;
  return Row(std::move(meta), *s->inserted_pk);
}

Value detail::ResultMetaData::process(std::size_t i, Value raw) const {
  return types[i]->result_value(std::move(raw), *dialect);
}

void Result::close() noexcept {
  if (!state_) return;
  state_->soft_close();
  state_->hard_closed = true;
}

bool Result::closed() const noexcept { return !state_ || state_->closed; }

Result::iterator Result::begin() {
  auto& s = state();
  check_rows(s);
  return iterator(this);
}

Result::iterator::iterator(Result* r) : result_(r) { row_ = r->state().advance(); }

Result::iterator& Result::iterator::operator++() {
  row_ = result_->state().advance();
  return *this;
}

// ---------------------------------------------------------------- Scalar/Mapping results

std::vector<Value> ScalarResult::all() {
  std::vector<Value> out;
  for (const Row& row : r_) out.push_back(row.get<Value>(index_));
  return out;
}

std::vector<Value> ScalarResult::fetchmany(std::size_t n) {
  std::vector<Value> out;
  for (auto& row : r_.fetchmany(n)) out.push_back(row.get<Value>(index_));
  return out;
}

std::optional<Value> ScalarResult::first() {
  auto r = r_.first();
  if (!r) return std::nullopt;
  return r->get<Value>(index_);
}

Value ScalarResult::one() { return r_.one().get<Value>(index_); }

std::optional<Value> ScalarResult::one_or_none() {
  auto r = r_.one_or_none();
  if (!r) return std::nullopt;
  return r->get<Value>(index_);
}

std::vector<RowMapping> MappingResult::all() {
  std::vector<RowMapping> out;
  for (const Row& row : r_) out.emplace_back(row);
  return out;
}

std::optional<RowMapping> MappingResult::first() {
  auto r = r_.first();
  if (!r) return std::nullopt;
  return RowMapping(std::move(*r));
}

RowMapping MappingResult::one() { return RowMapping(r_.one()); }

std::optional<RowMapping> MappingResult::one_or_none() {
  auto r = r_.one_or_none();
  if (!r) return std::nullopt;
  return RowMapping(std::move(*r));
}

}  // namespace alchemy
