#!/usr/bin/env bash
# CTest smoke run of alchemy-bench on a small SQLite data set: every variant
# runs and prints the checksum every correct implementation prints.
# Usage: smoke.sh ALCHEMY_BENCH WORKDIR
set -euo pipefail
bench=$1 work=$2
mkdir -p "$work"
db=$work/smoke.db
check() {  # expected, command...
  local want=$1; shift
  local out; out=$("$@")
  local got; got=$(sed -n 's/.* check=\([0-9]*\).*/\1/p' <<<"$out")
  if [[ $got != "$want" ]]; then echo "FAIL: $* -> $out (want check=$want)"; exit 1; fi
  echo "ok: $out"
}
"$bench" sqlite seed - 0 "$db" >/dev/null
check 1000 "$bench" sqlite W1 core_text 1000 "$db"
"$bench" sqlite seed - 0 "$db" >/dev/null
check 1000 "$bench" sqlite W1 core_text_list 1000 "$db"
# 1000 rows: sum(id + len(name) + len(description)) = 541280
check 541280 "$bench" sqlite W2 core_text 1000 "$db"
check 541280 "$bench" sqlite W3 core_text 1000 "$db"
check 541280 "$bench" sqlite W3 core_text_autocommit 1000 "$db"
# Core expression language variants
"$bench" sqlite seed - 0 "$db" >/dev/null
check 1000 "$bench" sqlite W1 core_executemany 1000 "$db"
"$bench" sqlite seed - 0 "$db" >/dev/null
check 1000 "$bench" sqlite W1 core_executemany_list 1000 "$db"
check 541280 "$bench" sqlite W2 core_fetchall 1000 "$db"
check 541280 "$bench" sqlite W2 core_fetchall_rows 1000 "$db"
check 541280 "$bench" sqlite W3 core_reuse 1000 "$db"
check 541280 "$bench" sqlite W3 core_reuse_autocommit 1000 "$db"
# W5: sum(length(description)) after appending " updated" to each of the 1000 rows
check 31890 "$bench" sqlite W5 core_executemany 1000 "$db"
"$bench" sqlite seed - 1000 "$db" >/dev/null
check 31890 "$bench" sqlite W5 core_executemany_list 1000 "$db"
# ORM variants
"$bench" sqlite seed - 0 "$db" >/dev/null
check 1000 "$bench" sqlite W1 orm_uow 1000 "$db"
"$bench" sqlite seed - 0 "$db" >/dev/null
check 1000 "$bench" sqlite W1 orm_bulk_mappings 1000 "$db"
check 541280 "$bench" sqlite W2 orm_objects 1000 "$db"
check 541280 "$bench" sqlite W2 orm_columns 1000 "$db"
check 541280 "$bench" sqlite W3 orm_get 1000 "$db"
check 541280 "$bench" sqlite W3 orm_select 1000 "$db"
"$bench" sqlite seed - 0 "$db" >/dev/null
check 20 "$bench" sqlite W4 orm_commit 20 "$db"
"$bench" sqlite seed - 1000 "$db" >/dev/null
check 31890 "$bench" sqlite W5 orm_flush 1000 "$db"
"$bench" sqlite seed - 1000 "$db" >/dev/null
check 31890 "$bench" sqlite W5 orm_update_stmt 1000 "$db"
# R1: 50 users x 10 orders (tables created and filled by the first run, reused
# by the second). Users: sum(id + len(name)) = 1275 + 250 + 91; orders reached
# through their users: sum(id + user_id + len(description) + amount)
# = 125250 + 12750 + 4410 + 2750  -> 146776
rm -f "$work/r1.db"
check 146776 "$bench" sqlite R1 raw_driver 50 "$work/r1.db"
check 146776 "$bench" sqlite R1 raw_driver 50 "$work/r1.db"
