#!/usr/bin/env python3
"""Differential test: alchemy's make_url() against SQLAlchemy's, on a corpus of URLs.

Usage: url_differential.py PATH_TO_url_dump
Needs Debian's python3-sqlalchemy (scripts/install-deps.sh installs it). Exits 77
(skipped) when SQLAlchemy is missing, except under CI=true where that fails.
"""
import os
import subprocess
import sys

try:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError
except ImportError:
    if os.environ.get("CI") in ("true", "1"):
        print("python3-sqlalchemy is missing but CI=true")
        sys.exit(1)
    print("skipped: python3-sqlalchemy is not installed")
    sys.exit(77)

# URLs both must parse identically.
SAME = [
    "sqlite:///relative.db",
    "sqlite:///./app.db",
    "sqlite:////absolute/path/app.db",
    "sqlite:///:memory:",
    "sqlite://",
    "sqlite:///C:/path/to/database.db",
    "sqlite+pysqlite:///file.db",
    "postgresql://username:password@localhost:5432/dbname",
    "postgresql+psycopg2://user:pass@localhost/dbname",
    "postgresql+libpq://scott@db.example.com/test",
    "postgresql://user:p%40ssword@localhost/db",
    "postgresql://us%3Aer:a%2Fb%3Fc@h/db",
    "postgresql://user:pass@[::1]:5433/db",
    "postgresql://user@[2001:db8::1]/db",
    "postgresql://h/db?sslmode=disable&application_name=my+app",
    "postgresql://h/db?x=a%26b",
    "postgresql://h/db?a=1&a=2",
    "postgresql://h/d%20b",
    "postgresql:///dbname?host=/var/run/postgresql",
    "postgresql://user@/db",
    "postgresql://:secret@host/db",
    "postgresql://user:@host/db",
    "postgresql://h:0/db",
    "mysql+pymysql://user:pass@localhost:3306/mydb",
    "mssql+pyodbc://user:pass@server/dbname?driver=ODBC+Driver+17+for+SQL+Server",
    "oracle+cx_oracle://scott:tiger@tnsname",
]

# Input SQLAlchemy silently accepts or drops where alchemy raises ArgumentError
# on purpose (bad input gets an error, never a silent guess).
STRICTER = [
    "postgresql+://h/db",            # SQLAlchemy takes "postgresql+" as the name
    "postgresql://u@h:99999/db",      # SQLAlchemy accepts any integer port
    "postgresql://h/db?novalue",      # SQLAlchemy silently drops the parameter
    "postgresql://u:p%zz@h/db",       # SQLAlchemy keeps the malformed escape
    "postgresql://user:p@ss@host/db", # SQLAlchemy makes "ss@host" the host
]

# Both reject.
BOTH_REJECT = ["", "sqlite", "not a url", "://x", "postgresql://u@h:notaport/db"]


def sqlalchemy_view(s):
    try:
        u = make_url(s)
    except (ArgumentError, ValueError):
        return "ERR"
    fields = [u.drivername]
    for v in (u.username, u.password, u.host):
        fields.append("None" if v is None else "=" + str(v))
    fields.append("None" if u.port is None else str(u.port))
    fields.append("None" if u.database is None else "=" + u.database)
    for k, v in u.query.items():
        for item in (v if isinstance(v, tuple) else (v,)):
            fields.append(f"{k}={item}")
    return "\t".join(fields)


def main():
    dump = sys.argv[1]
    corpus = SAME + STRICTER + BOTH_REJECT
    out = subprocess.run([dump], input="\n".join(corpus) + "\n", capture_output=True,
                         text=True, check=True).stdout.split("\n")
    ours = dict(zip(corpus, out))
    failures = 0
    for s in SAME + BOTH_REJECT:
        want = sqlalchemy_view(s)
        if ours[s] != want:
            failures += 1
            print(f"MISMATCH {s!r}\n  sqlalchemy: {want!r}\n  alchemy:    {ours[s]!r}")
    for s in STRICTER:
        if ours[s] != "ERR":
            failures += 1
            print(f"EXPECTED ArgumentError for {s!r}, got {ours[s]!r}")
    print(f"{len(corpus)} URLs compared with SQLAlchemy {__import__('sqlalchemy').__version__}, "
          f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
