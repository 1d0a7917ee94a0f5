#!/usr/bin/env python3
"""Differential test: alchemy's Inspector against SQLAlchemy's, on SQLite.

SQLAlchemy creates a schema with its own create_all() (plus some hand-written
DDL) in a temporary SQLite file; then SQLAlchemy's Inspector and alchemy's
(through reflection_dump) describe it, and the two descriptions must agree.

Usage: reflection_differential.py PATH_TO_reflection_dump
Needs Debian's python3-sqlalchemy (scripts/install-deps.sh installs it). Exits 77
(skipped) when SQLAlchemy is missing, except under CI=true where that fails.

Known, deliberate differences are left out of the comparison: SQLAlchemy 1.4
(Debian 12's) lists sqlite_sequence among the tables (2.0 and alchemy do not),
and skips expression-based indexes (alchemy reports them, as 2.0 does for
PostgreSQL); the scenario has neither.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    from sqlalchemy import (Boolean, CheckConstraint, Column, DateTime, ForeignKey,
                            ForeignKeyConstraint, Index, Integer, MetaData, Numeric,
                            PrimaryKeyConstraint, String, Table, UniqueConstraint,
                            create_engine, func, inspect, text)
except ImportError:
    if os.environ.get("CI") in ("true", "1"):
        print("python3-sqlalchemy is missing but CI=true")
        sys.exit(1)
    print("skipped: python3-sqlalchemy is not installed")
    sys.exit(77)

HAND_WRITTEN = [
    'CREATE TABLE "Parent Table" ("Key" INTEGER PRIMARY KEY, code TEXT UNIQUE)',
    """CREATE TABLE child (
      id INTEGER CONSTRAINT child_pk PRIMARY KEY AUTOINCREMENT,
      parent_key INTEGER NOT NULL REFERENCES "Parent Table" ("Key"),
      code TEXT,
      qty INT DEFAULT 1,
      CONSTRAINT child_uq UNIQUE (parent_key, code),
      CONSTRAINT fk_code FOREIGN KEY (code) REFERENCES "Parent Table" (code) ON UPDATE CASCADE,
      CONSTRAINT ck_qty CHECK (qty > 0)
    )""",
    "CREATE INDEX ix_child_qty ON child (qty DESC, code)",
]


def build(url):
    md = MetaData()
    Table("users", md,
          Column("id", Integer, primary_key=True),
          Column("name", String(50), nullable=False),
          Column("email", String(100), unique=True),
          Column("city", String(50), index=True),
          Column("age", Integer, server_default="18"),
          Column("active", Boolean, nullable=False, server_default=text("1")),
          Column("created_at", DateTime, server_default=func.now()),
          CheckConstraint("age >= 0", name="ck_users_age"),
          UniqueConstraint("name", "city", name="uq_users_name_city"),
          Index("ix_users_city_age", "city", "age"))
    Table("accounts", md,
          Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
          Column("region", String(10)),
          Column("number", Integer),
          PrimaryKeyConstraint("region", "number", name="pk_accounts"))
    Table("transfers", md,
          Column("id", Integer, primary_key=True),
          Column("region", String(10), nullable=False),
          Column("number", Integer, nullable=False),
          Column("amount", Numeric(12, 2), CheckConstraint("amount > 0")),
          Column("parent_id", Integer,
                 ForeignKey("transfers.id", deferrable=True, initially="DEFERRED")),
          ForeignKeyConstraint(["region", "number"], ["accounts.region", "accounts.number"],
                               name="fk_transfers_account", ondelete="CASCADE",
                               onupdate="SET NULL"),
          Index("ux_transfers_region_number", "region", "number", unique=True))
    engine = create_engine(url)
    md.create_all(engine)
    with engine.begin() as conn:
        for sql in HAND_WRITTEN:
            conn.exec_driver_sql(sql)
    return engine


def describe(engine):
    insp = inspect(engine)
    out = {}
    for name in insp.get_table_names():
        if name.startswith("sqlite_"):
            continue
        out[name] = {
            "columns": [{"name": c["name"], "nullable": bool(c["nullable"]),
                         "default": c["default"], "autoincrement": c["autoincrement"]}
                        for c in insp.get_columns(name)],
            "pk": {"name": insp.get_pk_constraint(name)["name"],
                   "constrained_columns": insp.get_pk_constraint(name)["constrained_columns"]},
            "fks": [{"name": f["name"], "constrained_columns": f["constrained_columns"],
                     "referred_schema": f["referred_schema"],
                     "referred_table": f["referred_table"],
                     "referred_columns": f["referred_columns"], "options": f["options"]}
                    for f in insp.get_foreign_keys(name)],
            "indexes": [{"name": i["name"], "column_names": i["column_names"],
                         "unique": bool(i["unique"])} for i in insp.get_indexes(name)],
            "uniques": [{"name": u["name"], "column_names": u["column_names"]}
                        for u in insp.get_unique_constraints(name)],
            "checks": [{"name": c["name"], "sqltext": c["sqltext"]}
                       for c in insp.get_check_constraints(name)],
        }
    return out


def canonical(described):
    # Constraint lists compare as sets: the two libraries may list inline and
    # table-level constraints in different orders.
    for table in described.values():
        for key in ("fks", "uniques", "checks"):
            table[key] = sorted(table[key], key=lambda d: json.dumps(d, sort_keys=True))
    return described


def main():
    dump = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "diff.db")
        engine = build("sqlite:///" + path)
        want = canonical(describe(engine))
        engine.dispose()
        got = subprocess.run([dump, "sqlite:///" + path], capture_output=True, text=True)
        if got.returncode != 0:
            print(got.stdout, got.stderr)
            return 1
        got = canonical(json.loads(got.stdout))
    failures = 0
    for table in sorted(set(want) | set(got)):
        for key in ("columns", "pk", "fks", "indexes", "uniques", "checks"):
            w = want.get(table, {}).get(key)
            g = got.get(table, {}).get(key)
            if w != g:
                failures += 1
                print(f"{table}.{key}:\n  SQLAlchemy: {w}\n  alchemy:    {g}")
    print(f"{len(want)} tables compared, {failures} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
