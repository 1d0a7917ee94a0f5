#!/usr/bin/env bash
# Layering check (the rules of DESIGN.md: "a layer uses only the layers below
# it; nothing outside dialects/<name>/ includes a driver header").
#
#   tests/packaging/check_layering.sh [SOURCE_DIR]
#
# Fails, listing every offending line, when
#   - a file under src/ or include/ outside src/dialects/<name>/ includes that
#     dialect's C client header (sqlite3.h, libpq-fe.h, mysql.h); public headers
#     (include/) never include one;
#   - core includes engine, orm, migrate, ext or a dialect;
#   - engine includes orm, migrate, ext or a dialect;
#   - a dialect (src/dialects, include/alchemy/dialects) includes orm, migrate or ext;
#   - orm includes a dialect.
# Both spellings of an alchemy include are checked: "alchemy/<layer>/..." and,
# inside src/, the private "<layer>/..." form.
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"

failures=0
report() {  # report <rule> <grep -n output lines>
  local rule=$1 hits=$2
  [[ -z $hits ]] && return 0
  echo "layering violation: $rule"
  printf '%s\n' "$hits" | sed 's/^/  /'
  failures=$((failures + 1))
}

# include_lines <regex for what follows '#include'> <paths...>: grep -n of matching lines.
include_lines() {
  local target=$1; shift
  local paths=()
  for p in "$@"; do [[ -e $p ]] && paths+=("$p"); done
  [[ ${#paths[@]} -eq 0 ]] && return 0
  grep -rnE --include='*.hpp' --include='*.h' --include='*.cpp' --include='*.ipp' --include='*.cc' \
    "^[[:space:]]*#[[:space:]]*include[[:space:]]*($target)" "${paths[@]}" || true
}

# 1. Driver headers only in their own dialect's source directory.
check_driver_header() {  # check_driver_header <dialect> <header regex>
  local dialect=$1 header=$2
  local hits
  hits=$(include_lines "[<\"]($header)[>\"]" src include | grep -v "^src/dialects/$dialect/" || true)
  report "the $dialect client header may only be included under src/dialects/$dialect/" "$hits"
}
check_driver_header sqlite 'sqlite3\.h|sqlite3ext\.h'
check_driver_header postgresql 'libpq-fe\.h|libpq-events\.h|libpq/[^>"]*'
check_driver_header mysql 'mysql\.h|mysql/[^>"]*|mariadb/[^>"]*'

# 2. Upward includes between layers: "alchemy/<layer>/..." (either bracket) or,
# src/'s private spelling, "<layer>/..." in quotes (so <ext/...> of libstdc++
# does not count).
forbid() {  # forbid <layer> <forbidden layers...>
  local layer=$1; shift
  local names
  names=$(IFS='|'; echo "$*")
  local hits
  hits=$(include_lines "[<\"]alchemy/($names)/|\"($names)/" "src/$layer" "include/alchemy/$layer")
  report "$layer must not include $*" "$hits"
}
forbid core engine orm migrate ext dialects
forbid engine orm migrate ext dialects
forbid dialects orm migrate ext
forbid orm dialects

if [[ $failures -gt 0 ]]; then
  echo "$failures layering rule(s) broken (see DESIGN.md, 'Layers')"
  exit 1
fi
echo "layering: ok"
