// The ORM in one include (SQLAlchemy's `from sqlalchemy.orm import ...`):
// declarative mapping of plain structs, Session and its queries.
#pragma once

#include "alchemy/alchemy.hpp"
#include "alchemy/orm/events.hpp"
#include "alchemy/orm/exc.hpp"
#include "alchemy/orm/hybrid.hpp"
#include "alchemy/orm/mapping.hpp"
#include "alchemy/orm/query.hpp"
#include "alchemy/orm/session.hpp"
