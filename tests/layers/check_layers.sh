#!/usr/bin/env bash
# The engine's dependency rules (docs/architecture.md#layers), checked on
# the #include lines: each layer's files may include only the headers its
# rule allows. Prints every offending file:line with the rule it breaks
# and exits 1; exits 0 when all hold.
#
#   check_layers.sh [SRCDIR]      (default: the tree this script is in)
set -u
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src/agentd" || { echo "check_layers: no agentd/ under $src" >&2; exit 2; }

base='util|log|loop|http|secret|sha256|jsonin|config'
# layer ; files (globs, relative to agentd/) ; headers allowed (regex) ; why
rules=(
  "base;util.[ch] log.[ch] loop.[ch] http.[ch] secret.[ch] sha256.[ch] jsonin.[ch];($base)\\.h;base/ knows nothing of agents"
  "providers;providers/*.[ch];(providers/[a-z_]+|$base)\\.h;a provider includes only providers/ and base/, never the core or the store"
  "tools;tools/*.[ch];(tools/[a-z_]+|$base)\\.h;a tool includes only tools/ and base/, never the core or the store"
  "patterns;patterns/*.[ch];(engine|patterns/[a-z_]+|providers/provider|$base)\\.h;a pattern includes only its host header (engine.h), never core internals (engine_impl.h) or the store"
  "store;store.[ch];(store|agent|run|escalation|budget|cap|$base)\\.h;the store never calls up: no engine, control plane, pattern or provider"
)

failed=0
for rule in "${rules[@]}"; do
  IFS=';' read -r layer globs allowed why <<<"$rule"
  for f in $globs; do
    [ -f "$f" ] || continue
    while IFS=: read -r line text; do
      h=$(sed -n 's/^#include "\(.*\)".*/\1/p' <<<"$text")
      [ -n "$h" ] || continue
      if ! grep -Eqx -- "$allowed" <<<"$h"; then
        echo "agentd/$f:$line: includes \"$h\": $layer: $why"
        failed=1
      fi
    done < <(grep -n '^#include "' "$f")
  done
done
exit $failed
