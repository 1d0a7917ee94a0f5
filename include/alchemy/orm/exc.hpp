// ORM errors (SQLAlchemy's sqlalchemy.orm.exc), on top of alchemy/exc.hpp.
#pragma once

#include "alchemy/exc.hpp"

namespace alchemy::orm {

/// A class was used with the ORM but never mapped (registry::map<T>() not called).
class ALCHEMY_EXPORT UnmappedClassError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// An object of an unmapped class was handed to a Session.
class ALCHEMY_EXPORT UnmappedInstanceError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// flush() found an inconsistency it cannot write (e.g. an object whose
/// primary key is missing and cannot be generated).
class ALCHEMY_EXPORT FlushError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// An UPDATE or DELETE matched fewer rows than expected: the row changed or
/// vanished underneath (optimistic concurrency with a version column).
class ALCHEMY_EXPORT StaleDataError : public SQLAlchemyError {
 public:
  using SQLAlchemyError::SQLAlchemyError;
};
/// An operation needs the object's session, but the object is detached.
class ALCHEMY_EXPORT DetachedInstanceError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// refresh() of an object whose row no longer exists.
class ALCHEMY_EXPORT ObjectDeletedError : public InvalidRequestError {
 public:
  using InvalidRequestError::InvalidRequestError;
};
/// A validator (orm::validates) rejected a value; nothing was written.
class ALCHEMY_EXPORT ValidationError : public ArgumentError {
 public:
  using ArgumentError::ArgumentError;
};

}  // namespace alchemy::orm
