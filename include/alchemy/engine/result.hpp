// Result and Row: the rows a statement returns (SQLAlchemy's CursorResult / Row).
//
// A Result streams: rows come from the driver one at a time (SQLite steps the
// statement; PostgreSQL buffers the result unless stream_results is set, then
// reads row by row), so iterating a million-row result holds one row at a time.
// fetchall()/all() materialize.
//
// While iterating (`for (const Row& row : result)`), each Row is a *view* of
// the driver's current row: reading it costs no copies, and it is valid until
// the iteration advances. Copying or moving a Row materializes it, so a copy
// kept beyond the loop (e.g. pushed into a vector) is always safe.
//
// A Result belongs to its Connection: it is closed when the Connection closes
// and must be used from the Connection's thread. Results are move-only.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "alchemy/core/types.hpp"
#include "alchemy/core/value.hpp"
#include "alchemy/export.hpp"

namespace alchemy {

class DriverCursor;
class Result;
class RowMapping;

namespace detail {
struct ResultState;
struct ConnectionCore;
/// Column names of a result, shared by its rows.
struct ALCHEMY_EXPORT ResultMetaData {
  std::vector<std::string> keys;
  /// Per column, the SQL type whose result_value() converts it (null: none);
  /// empty when no column needs conversion.
  std::vector<std::shared_ptr<const TypeEngine>> types;
  const SQLCompiler* dialect = nullptr;
  /// Converts a raw driver value of column `i`.
  Value process(std::size_t i, Value raw) const;
  bool processes(std::size_t i) const noexcept { return !types.empty() && types[i] != nullptr; }
  /// Index of the column named `name`, or -1.
  std::ptrdiff_t find(std::string_view name) const noexcept;
  /// Index of `name`; throws NoSuchColumnError listing the columns.
  std::size_t index(std::string_view name) const;
};
/// Throws NoResultFound with `what`.
[[noreturn]] ALCHEMY_EXPORT void throw_no_result(std::string_view what);
}  // namespace detail

/// One result row: access by position, by name, or typed.
///   row[0], row["name"]          -> Value
///   row.get<std::int64_t>("id")  -> the value converted (throws on NULL)
///   row.get<std::optional<std::string>>("email") -> empty for NULL
class ALCHEMY_EXPORT Row {
 public:
  Row() = default;
  /// Copies materialize a view row (see the header comment).
  Row(const Row& other);
  Row(Row&& other) noexcept(false);
  Row& operator=(const Row& other);
  Row& operator=(Row&& other) noexcept(false);
  ~Row() = default;

  /// Builds an owning row (tests, adapters).
  Row(std::shared_ptr<const detail::ResultMetaData> meta, std::vector<Value> values);

  std::size_t size() const noexcept { return meta_ ? meta_->keys.size() : 0; }
  /// The column names (SQLAlchemy's Row._fields).
  const std::vector<std::string>& keys() const noexcept { return meta_->keys; }
  /// Value at position `i`; throws NoSuchColumnError when out of range.
  template <std::integral I>
  Value operator[](I i) const {
    return get_value(static_cast<std::size_t>(i));
  }
  Value operator[](std::string_view name) const;
  Value operator[](const char* name) const { return (*this)[std::string_view(name)]; }
  Value operator[](const std::string& name) const { return (*this)[std::string_view(name)]; }
  /// Value at position `i` converted to T (see Value::as for the conversions).
  template <class T, std::integral I>
  T get(I i) const {
    return get_at<T>(static_cast<std::size_t>(i));
  }
  /// Value of the column named `name` converted to T.
  template <class T>
  T get(std::string_view name) const {
    return get_at<T>(meta_->index(name));
  }
  template <class T>
  T get(const char* name) const {
    return get_at<T>(meta_->index(name));
  }
  template <class T>
  T get(const std::string& name) const {
    return get_at<T>(meta_->index(name));
  }
  /// Whether the cell is NULL.
  bool is_null(std::size_t i) const;
  /// All values, in order (SQLAlchemy's tuple(row)).
  std::vector<Value> values() const;
  /// The row as std::tuple<Ts...> (column i converted to the i-th type).
  template <class... Ts>
  std::tuple<Ts...> as_tuple() const {
    return as_tuple_impl<Ts...>(std::index_sequence_for<Ts...>{});
  }
  /// The row as a name -> value mapping (SQLAlchemy's Row._mapping); a copy.
  RowMapping mapping() const;
  /// "(1, 'Ahmad')".
  std::string repr() const;
  /// Whether this row is a view of a cursor (valid only until the cursor moves).
  bool is_view() const noexcept { return cursor_ != nullptr; }

  friend ALCHEMY_EXPORT bool operator==(const Row& a, const Row& b);

 private:
  friend class Result;
  friend struct detail::ResultState;
  friend struct detail::ConnectionCore;
  template <class T>
  T get_at(std::size_t i) const;
  Row(std::shared_ptr<const detail::ResultMetaData> meta, const DriverCursor* cursor)
      : meta_(std::move(meta)), cursor_(cursor) {}
  void materialize_from(const Row& other);
  /// Makes this row a view of `cursor`'s current row.
  void bind_view(std::shared_ptr<const detail::ResultMetaData> meta, const DriverCursor* cursor) {
    meta_ = std::move(meta);
    cursor_ = cursor;
    values_.clear();
  }
  void check_index(std::size_t i) const {
    if (i >= size()) throw_bad_index(i);
  }
  [[noreturn]] void throw_bad_index(std::size_t i) const;
  // Typed accessors, compiled once in result.cpp.
  std::int64_t get_int64(std::size_t i) const;
  double get_double(std::size_t i) const;
  bool get_bool(std::size_t i) const;
  std::string get_string(std::size_t i) const;
  std::string_view get_string_view(std::size_t i) const;
  Value get_value(std::size_t i) const;
  template <class... Ts, std::size_t... I>
  std::tuple<Ts...> as_tuple_impl(std::index_sequence<I...>) const {
    return std::tuple<Ts...>(get<Ts>(I)...);
  }

  std::shared_ptr<const detail::ResultMetaData> meta_;
  const DriverCursor* cursor_ = nullptr;
  std::vector<Value> values_;
};

template <class T>
T Row::get_at(std::size_t i) const {
  if constexpr (detail::is_optional<T>::value) {
    if (is_null(i)) return std::nullopt;
    return T(get_at<typename detail::is_optional<T>::type>(i));
  } else if constexpr (std::is_same_v<T, bool>) {
    return get_bool(i);
  } else if constexpr (std::is_integral_v<T>) {
    return detail::narrow_integer<T>(get_int64(i));  // int, uint16_t ...: no silent wrap
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(get_double(i));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return get_string(i);
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return get_string_view(i);  // valid while the row (or view) is
  } else if constexpr (std::is_same_v<T, Value>) {
    return get_value(i);
  } else {
    return get_value(i).template as<T>();
  }
}

/// A Row seen as a mapping of column name to value (SQLAlchemy's RowMapping).
class ALCHEMY_EXPORT RowMapping {
 public:
  explicit RowMapping(Row row) : row_(std::move(row)) {}
  Value operator[](std::string_view key) const { return row_[key]; }
  template <class T>
  T get(std::string_view key) const {
    return row_.get<T>(key);
  }
  bool contains(std::string_view key) const;
  const std::vector<std::string>& keys() const noexcept { return row_.keys(); }
  std::vector<std::pair<std::string, Value>> items() const;
  std::size_t size() const noexcept { return row_.size(); }
  const Row& row() const noexcept { return row_; }
  /// "{'id': 1, 'name': 'Ahmad'}".
  std::string repr() const;

 private:
  Row row_;
};

class ScalarResult;
class MappingResult;
class PartitionResult;
template <class... Ts>
class TupleResult;
template <class T>
class TypedScalarResult;

/// The outcome of Connection::execute().
class ALCHEMY_EXPORT Result {
 public:
  Result() = default;
  Result(Result&&) noexcept;
  Result& operator=(Result&&) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  /// Column names (empty when the statement returns no rows).
  std::vector<std::string> keys() const;
  /// Whether the statement produced rows (SELECT, RETURNING).
  bool returns_rows() const;

  /// The next row, or empty when exhausted (the result then closes itself).
  std::optional<Row> fetchone();
  /// Up to `n` rows.
  std::vector<Row> fetchmany(std::size_t n);
  /// All remaining rows.
  std::vector<Row> fetchall();
  /// All remaining rows (SQLAlchemy 2.0's all()).
  std::vector<Row> all() { return fetchall(); }
  /// The first row or empty; the rest is discarded and the result closed.
  std::optional<Row> first();
  /// Exactly one row: NoResultFound / MultipleResultsFound otherwise. Closes.
  Row one();
  /// One row or none: MultipleResultsFound for more. Closes.
  std::optional<Row> one_or_none();
  /// First column of the first row (NULL Value when there is no row). Closes.
  Value scalar();
  /// First column of the first row converted to T. With no row: empty for
  /// std::optional<T>, NoResultFound otherwise.
  template <class T>
  T scalar();
  /// First column of exactly one row. Closes.
  Value scalar_one();
  template <class T>
  T scalar_one() {
    return one().get<T>(0);
  }
  /// First column of one row or empty. Closes.
  std::optional<Value> scalar_one_or_none();

  /// The values of one column per row (SQLAlchemy's scalars()). Consumes this Result.
  ScalarResult scalars(std::size_t index = 0);
  /// Typed: `result.scalars<std::string>().all()` -> std::vector<std::string>.
  template <class T>
  TypedScalarResult<T> scalars(std::size_t index = 0);
  /// Rows as RowMappings (SQLAlchemy's mappings()). Consumes this Result.
  MappingResult mappings();
  /// Rows as std::tuple<Ts...>: `for (auto [id, name] : r.tuples<int64_t, std::string>())`.
  template <class... Ts>
  TupleResult<Ts...> tuples();
  /// Rows in chunks of up to `size` (0: the yield_per size, else 1000), read as
  /// they are iterated: `for (const std::vector<Row>& chunk : r.partitions(500))`.
  /// Consumes this Result.
  PartitionResult partitions(std::size_t size = 0);
  /// Sets the chunk size partitions() uses by default (SQLAlchemy's
  /// Result.yield_per(); to stream from the server, set the execution option
  /// `yield_per` or `stream_results` before executing). Returns *this.
  Result& yield_per(std::size_t n);

  /// Rows matched by UPDATE/DELETE, inserted by INSERT (summed over executemany); -1 for SELECT.
  std::int64_t rowcount() const;
  /// The rowid of the inserted row where the driver has one (SQLite); empty otherwise
  /// (use RETURNING on PostgreSQL).
  std::optional<std::int64_t> lastrowid() const;
  /// Primary key of the row an insert() construct inserted, as a Row keyed by
  /// the primary key columns ("(1,)"); a column the database generated and the
  /// driver could not report is NULL. For text() and executemany this raises
  /// InvalidRequestError, as in SQLAlchemy.
  Row inserted_primary_key() const;

  /// Releases the cursor; further fetches raise ResourceClosedError. Idempotent.
  void close() noexcept;
  bool closed() const noexcept;

  /// Input iteration over view rows (see the header comment).
  class ALCHEMY_EXPORT iterator {
   public:
    using value_type = Row;
    using reference = const Row&;
    using pointer = const Row*;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    reference operator*() const { return *row_; }
    pointer operator->() const { return row_; }
    iterator& operator++();
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.row_ == b.row_;
    }

   private:
    friend class Result;
    explicit iterator(Result* r);
    Result* result_ = nullptr;
    const Row* row_ = nullptr;
  };
  iterator begin();
  iterator end() { return {}; }

  /// Internal: created by Connection.
  explicit Result(std::shared_ptr<detail::ResultState> state);

 private:
  friend class iterator;
  detail::ResultState& state() const;
  friend class Connection;
  std::shared_ptr<detail::ResultState> state_;
};

/// One column's values (SQLAlchemy's ScalarResult).
class ALCHEMY_EXPORT ScalarResult {
 public:
  ScalarResult(Result r, std::size_t index) : r_(std::move(r)), index_(index) {}
  std::vector<Value> all();
  std::vector<Value> fetchall() { return all(); }
  std::vector<Value> fetchmany(std::size_t n);
  std::optional<Value> first();
  Value one();
  std::optional<Value> one_or_none();

  class iterator {
   public:
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    Value operator*() const { return it_->get<Value>(index_); }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    void operator++(int) { ++it_; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.it_ == b.it_; }

   private:
    friend class ScalarResult;
    iterator(Result::iterator it, std::size_t index) : it_(it), index_(index) {}
    Result::iterator it_;
    std::size_t index_ = 0;
  };
  iterator begin() { return {r_.begin(), index_}; }
  iterator end() { return {}; }

 private:
  Result r_;
  std::size_t index_;
};

/// One column's values converted to T.
template <class T>
class TypedScalarResult {
 public:
  TypedScalarResult(Result r, std::size_t index) : r_(std::move(r)), index_(index) {}
  std::vector<T> all() {
    std::vector<T> out;
    for (const Row& row : r_) out.push_back(row.get<T>(index_));
    return out;
  }
  std::optional<T> first() {
    auto it = r_.begin();
    if (it == r_.end()) return std::nullopt;
    std::optional<T> out(it->template get<T>(index_));
    r_.close();
    return out;
  }
  T one() { return r_.one().get<T>(index_); }
  std::optional<T> one_or_none() {
    auto row = r_.one_or_none();
    if (!row) return std::nullopt;
    return row->get<T>(index_);
  }
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    T operator*() const { return it_->template get<T>(index_); }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    void operator++(int) { ++it_; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.it_ == b.it_; }

   private:
    friend class TypedScalarResult;
    iterator(Result::iterator it, std::size_t index) : it_(it), index_(index) {}
    Result::iterator it_;
    std::size_t index_ = 0;
  };
  iterator begin() { return {r_.begin(), index_}; }
  iterator end() { return {}; }

 private:
  Result r_;
  std::size_t index_;
};

/// Rows in chunks (SQLAlchemy's Result.partitions()).
class ALCHEMY_EXPORT PartitionResult {
 public:
  PartitionResult(Result r, std::size_t size) : r_(std::move(r)), size_(size) {}
  class iterator {
   public:
    using value_type = std::vector<Row>;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    const std::vector<Row>& operator*() const { return owner_->chunk_; }
    const std::vector<Row>* operator->() const { return &owner_->chunk_; }
    iterator& operator++() {
      if (!owner_->next()) owner_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.owner_ == b.owner_; }

   private:
    friend class PartitionResult;
    explicit iterator(PartitionResult* owner) : owner_(owner) {}
    PartitionResult* owner_ = nullptr;
  };
  iterator begin() { return next() ? iterator(this) : iterator(); }
  iterator end() { return {}; }
  std::size_t size() const noexcept { return size_; }

 private:
  bool next();
  Result r_;
  std::size_t size_;
  std::vector<Row> chunk_;
};

/// Rows as RowMapping (SQLAlchemy's MappingResult).
class ALCHEMY_EXPORT MappingResult {
 public:
  explicit MappingResult(Result r) : r_(std::move(r)) {}
  std::vector<RowMapping> all();
  std::vector<RowMapping> fetchall() { return all(); }
  std::optional<RowMapping> first();
  RowMapping one();
  std::optional<RowMapping> one_or_none();
  class iterator {
   public:
    using value_type = RowMapping;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    RowMapping operator*() const { return RowMapping(*it_); }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    void operator++(int) { ++it_; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.it_ == b.it_; }

   private:
    friend class MappingResult;
    explicit iterator(Result::iterator it) : it_(it) {}
    Result::iterator it_;
  };
  iterator begin() { return iterator(r_.begin()); }
  iterator end() { return {}; }

 private:
  Result r_;
};

/// Rows converted to std::tuple<Ts...> (the typed form of SQLAlchemy's tuples()).
template <class... Ts>
class TupleResult {
 public:
  explicit TupleResult(Result r) : r_(std::move(r)) {}
  std::vector<std::tuple<Ts...>> all() {
    std::vector<std::tuple<Ts...>> out;
    for (const Row& row : r_) out.push_back(row.as_tuple<Ts...>());
    return out;
  }
  /// The first row (read straight from the cursor, no intermediate Row copy); closes.
  std::optional<std::tuple<Ts...>> first() {
    auto it = r_.begin();
    if (it == r_.end()) return std::nullopt;
    std::optional<std::tuple<Ts...>> out(it->template as_tuple<Ts...>());
    r_.close();
    return out;
  }
  std::tuple<Ts...> one() { return r_.one().template as_tuple<Ts...>(); }
  class iterator {
   public:
    using value_type = std::tuple<Ts...>;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;
    iterator() = default;
    std::tuple<Ts...> operator*() const { return it_->template as_tuple<Ts...>(); }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    void operator++(int) { ++it_; }
    friend bool operator==(const iterator& a, const iterator& b) { return a.it_ == b.it_; }

   private:
    friend class TupleResult;
    explicit iterator(Result::iterator it) : it_(it) {}
    Result::iterator it_;
  };
  iterator begin() { return iterator(r_.begin()); }
  iterator end() { return {}; }

 private:
  Result r_;
};

template <class T>
T Result::scalar() {
  auto row = first();
  if (!row) {
    if constexpr (detail::is_optional<T>::value) {
      return std::nullopt;
    } else {
      detail::throw_no_result(
          "scalar<T>() found no row; use scalar<std::optional<T>>() when the result may be "
          "empty");
    }
  }
  return row->get<T>(0);
}

template <class T>
TypedScalarResult<T> Result::scalars(std::size_t index) {
  return TypedScalarResult<T>(std::move(*this), index);
}

template <class... Ts>
TupleResult<Ts...> Result::tuples() {
  return TupleResult<Ts...>(std::move(*this));
}

}  // namespace alchemy
