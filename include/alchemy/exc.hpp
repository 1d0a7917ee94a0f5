// The exception hierarchy, mirroring SQLAlchemy's `sqlalchemy.exc`.
//
// Portable code catches the SQLAlchemy-named classes (`IntegrityError`,
// `OperationalError`, ...); backend-specific code reads `sqlstate()` or
// `native_code()` from a `DBAPIError`. Native error codes are translated into
// these classes in exactly one place per dialect (src/dialects/<name>/error_map.cpp).
// Exceptions are plain values: copying one is cheap and thread-safe.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "alchemy/export.hpp"

namespace alchemy {

/// Base of every error alchemy raises (SQLAlchemy's `SQLAlchemyError`).
/// `what()` is the full message; `message()` the part before any SQL context.
class ALCHEMY_EXPORT SQLAlchemyError : public std::runtime_error {
 public:
  explicit SQLAlchemyError(std::string message);
  const char* what() const noexcept override { return full_.c_str(); }
  /// The message without the "[SQL: ...]" context lines.
  const std::string& message() const noexcept { return message_; }

 protected:
  void set_full_message(std::string full) { full_ = std::move(full); }

 private:
  std::string message_;
  std::string full_;
};
using Error = SQLAlchemyError;

/// Bad arguments: a malformed URL, an unknown option, a wrong value for an option.
class ALCHEMY_EXPORT ArgumentError : public SQLAlchemyError {
 public:
  using SQLAlchemyError::SQLAlchemyError;
};

/// No foreign key links the two sides of a join or relationship.
class ALCHEMY_EXPORT NoForeignKeysError : public ArgumentError {
 public:
  using ArgumentError::ArgumentError;
};

/// More than one foreign key path links the two sides; say which one
/// (a relationship's foreign_keys, or an explicit ON clause).
class ALCHEMY_EXPORT AmbiguousForeignKeysError : public ArgumentError {
 public:
  using ArgumentError::ArgumentError;
};

/// A dialect or driver named in a URL is not available (SQLAlchemy's NoSuchModuleError).
class ALCHEMY_EXPORT NoSuchModuleError : public ArgumentError {
 public:
  using ArgumentError::ArgumentError;
};

/// A statement could not be compiled for the dialect.
class ALCHEMY_EXPORT CompileError : public SQLAlchemyError {
 public:
  using SQLAlchemyError::SQLAlchemyError;
};
class ALCHEMY_EXPORT UnsupportedCompilationError : public CompileError {
 public:
  using CompileError::CompileError;
};

/// The operation is not valid in the object's current state.
class ALCHEMY_EXPORT InvalidRequestError : public SQLAlchemyError {
 public:
  using SQLAlchemyError::SQLAlchemyError;
};
/// `one()` / `scalar_one()` found no row.
class ALCHEMY_EXPORT NoResultFound : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// `one()` / `one_or_none()` found more than one row.
class ALCHEMY_EXPORT MultipleResultsFound : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// A closed Connection or Result was used.
class ALCHEMY_EXPORT ResourceClosedError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// The connection (or session) must be rolled back before it can be used again.
class ALCHEMY_EXPORT PendingRollbackError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// A table named for reflection does not exist.
class ALCHEMY_EXPORT NoSuchTableError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// A ForeignKey names a table or column that cannot be found (SQLAlchemy's
/// NoReferencedTableError / NoReferencedColumnError, both NoReferenceError).
class ALCHEMY_EXPORT NoReferenceError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
class ALCHEMY_EXPORT NoReferencedTableError : public NoReferenceError {
 public:
  using NoReferenceError::NoReferenceError;
};
class ALCHEMY_EXPORT NoReferencedColumnError : public NoReferenceError {
 public:
  using NoReferenceError::NoReferenceError;
};
/// A Row has no column of the requested name or index.
class ALCHEMY_EXPORT NoSuchColumnError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};

/// The pool could not hand out a connection within `pool_timeout`.
class ALCHEMY_EXPORT TimeoutError : public SQLAlchemyError {
 public:
  using SQLAlchemyError::SQLAlchemyError;
};

/// Raised by a `checkout` listener to say the connection is unusable; the pool
/// then discards it and tries another (SQLAlchemy's DisconnectionError).
class ALCHEMY_EXPORT DisconnectionError : public SQLAlchemyError {
 public:
  using SQLAlchemyError::SQLAlchemyError;
};

/// An error tied to the execution of one statement: carries the SQL and a
/// rendering of its (truncated) parameters.
class ALCHEMY_EXPORT StatementError : public SQLAlchemyError {
 public:
  explicit StatementError(std::string message, std::string statement = {}, std::string params = {});
  const std::string& statement() const noexcept { return statement_; }
  /// The parameters as rendered for messages (already truncated).
  const std::string& params() const noexcept { return params_; }
  /// Attach the statement context (used by the engine when a driver raised).
  void set_statement(std::string statement, std::string params);

 protected:
  virtual std::string prefix() const { return {}; }
  void rebuild();

 private:
  std::string statement_;
  std::string params_;
};

/// Errors raised by the database or its driver.
class ALCHEMY_EXPORT DBAPIError : public StatementError {
 public:
  DBAPIError(std::string message, std::string sqlstate = {}, std::int64_t native_code = 0);
  /// The SQLSTATE the server reported (PostgreSQL), or "" when none.
  const std::string& sqlstate() const noexcept { return sqlstate_; }
  /// The native error code (SQLite extended result code; 0 for PostgreSQL).
  std::int64_t native_code() const noexcept { return native_code_; }
  /// Whether the error means the connection is gone (detected by the driver).
  bool is_disconnect() const noexcept { return is_disconnect_; }
  void set_is_disconnect(bool v) noexcept { is_disconnect_ = v; }
  /// Whether the engine invalidated the connection because of this error.
  bool connection_invalidated() const noexcept { return connection_invalidated_; }
  void set_connection_invalidated(bool v) noexcept { connection_invalidated_ = v; }
  /// The name of the class, e.g. "IntegrityError" (used in messages).
  virtual const char* kind() const noexcept { return "DBAPIError"; }

 protected:
  std::string prefix() const override;

 private:
  std::string sqlstate_;
  std::int64_t native_code_ = 0;
  bool is_disconnect_ = false;
  bool connection_invalidated_ = false;
};

#define ALCHEMY_DBAPI_ERROR(Name, Base)                                                         \
  class ALCHEMY_EXPORT Name : public Base {                                                     \
   public:                                                                                      \
    explicit Name(std::string message, std::string sqlstate = {}, std::int64_t native_code = 0) \
        : Base(std::move(message), std::move(sqlstate), native_code) {                          \
      rebuild();                                                                                \
    }                                                                                           \
    const char* kind() const noexcept override { return #Name; }                                \
  };

ALCHEMY_DBAPI_ERROR(InterfaceError, DBAPIError)
ALCHEMY_DBAPI_ERROR(DatabaseError, DBAPIError)
ALCHEMY_DBAPI_ERROR(DataError, DatabaseError)
ALCHEMY_DBAPI_ERROR(OperationalError, DatabaseError)
ALCHEMY_DBAPI_ERROR(IntegrityError, DatabaseError)
ALCHEMY_DBAPI_ERROR(InternalError, DatabaseError)
ALCHEMY_DBAPI_ERROR(ProgrammingError, DatabaseError)
ALCHEMY_DBAPI_ERROR(NotSupportedError, DatabaseError)

#undef ALCHEMY_DBAPI_ERROR

/// The DBAPI exception classes, for dialects translating native errors.
enum class DBAPIErrorKind {
  interface_error,
  database_error,
  data_error,
  operational_error,
  integrity_error,
  internal_error,
  programming_error,
  not_supported_error,
};

/// Throw the DBAPIError subclass for `kind`. Used by dialects' error maps.
[[noreturn]] ALCHEMY_EXPORT void throw_dbapi_error(DBAPIErrorKind kind, std::string message,
                                                   std::string sqlstate, std::int64_t native_code,
                                                   bool is_disconnect);

}  // namespace alchemy
