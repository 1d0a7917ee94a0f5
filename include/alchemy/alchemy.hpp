// The common program's one include (SQLAlchemy's `import sqlalchemy`):
// values, SQL types, schema (MetaData, Table, Column), the expression language
// (select, insert, update, delete_, func, typed<T>), text(), create_engine,
// Engine, Connection, Result, events, errors.
#pragma once

#include "alchemy/core/schema.hpp"
#include "alchemy/core/sql/dml.hpp"
#include "alchemy/core/sql/elements.hpp"
#include "alchemy/core/sql/selectable.hpp"
#include "alchemy/core/sql/text.hpp"
#include "alchemy/core/sql/typed.hpp"
#include "alchemy/core/types.hpp"
#include "alchemy/core/value.hpp"
#include "alchemy/engine/connection.hpp"
#include "alchemy/engine/engine.hpp"
#include "alchemy/engine/events.hpp"
#include "alchemy/engine/log.hpp"
#include "alchemy/engine/pool.hpp"
#include "alchemy/engine/reflection.hpp"
#include "alchemy/engine/result.hpp"
#include "alchemy/engine/url.hpp"
#include "alchemy/exc.hpp"
