#include "alchemy/exc.hpp"

#include <utility>

namespace alchemy {

SQLAlchemyError::SQLAlchemyError(std::string message)
    : std::runtime_error(message), message_(std::move(message)) {
  full_ = message_;
}

StatementError::StatementError(std::string message, std::string statement, std::string params)
    : SQLAlchemyError(std::move(message)),
      statement_(std::move(statement)),
      params_(std::move(params)) {
  rebuild();
}

void StatementError::set_statement(std::string statement, std::string params) {
  statement_ = std::move(statement);
  params_ = std::move(params);
  rebuild();
}

void StatementError::rebuild() {
  std::string full = prefix();
  full += message();
  if (!statement_.empty()) {
    full += "\n[SQL: ";
    full += statement_;
    full += ']';
    if (!params_.empty()) {
      full += "\n[parameters: ";
      full += params_;
      full += ']';
    }
  }
  set_full_message(std::move(full));
}

DBAPIError::DBAPIError(std::string message, std::string sqlstate, std::int64_t native_code)
    : StatementError(std::move(message)),
      sqlstate_(std::move(sqlstate)),
      native_code_(native_code) {
  rebuild();
}

std::string DBAPIError::prefix() const {
  // Each subclass's constructor rebuilds the message once kind() is its own.
  std::string p = "(";
  p += kind();
  if (!sqlstate_.empty()) {
    p += ' ';
    p += sqlstate_;
  } else if (native_code_ != 0) {
    p += " code ";
    p += std::to_string(native_code_);
  }
  p += ") ";
  return p;
}

namespace {
template <class E>
[[noreturn]] void raise(std::string message, std::string sqlstate, std::int64_t code, bool disc) {
  E e(std::move(message), std::move(sqlstate), code);
  e.set_is_disconnect(disc);
  throw e;
}
}  // namespace

void throw_dbapi_error(DBAPIErrorKind kind, std::string message, std::string sqlstate,
                       std::int64_t native_code, bool is_disconnect) {
  switch (kind) {
    case DBAPIErrorKind::interface_error:
      raise<InterfaceError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::data_error:
      raise<DataError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::operational_error:
      raise<OperationalError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::integrity_error:
      raise<IntegrityError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::internal_error:
      raise<InternalError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::programming_error:
      raise<ProgrammingError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::not_supported_error:
      raise<NotSupportedError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
    case DBAPIErrorKind::database_error:
      break;
  }
  raise<DatabaseError>(std::move(message), std::move(sqlstate), native_code, is_disconnect);
}

}  // namespace alchemy
