#!/usr/bin/env bash
# `npx projen lint:templates`: cfn-lint on every template this repository synthesizes.
#
#   - every stack template of the committed integ snapshots (integ/*.snapshot/*.template.json),
#     the integ assertion stacks included;
#   - the demo app (`npm run demo` synthesizes integ/integ.default.ts), synthesized here into
#     .cfn-lint/demo.out the same way test/local-aws/synth.ts does it (about a second). Not the default
#     snapshot in its place: integ-runner synthesizes with its recommended feature flags and the
#     demo without them, so the templates differ (the demo's checker has no log group of its own);
#   - any template given as an argument (`bash test/cfn-lint/run.sh /tmp/x.template.json`),
#     linted like the stack templates.
#
# cfn-lint is pinned in requirements.txt beside this script; install.sh provides it.
#
# Fails on any error and on any warning not ignored below. Each ignored rule, and why:
#   W3005  "DependsOn is already enforced by a GetAtt/Ref": aws-cdk-lib's lambda.Function always
#          adds its role to DependsOn (next to the role's default policy, which is the dependency
#          that matters) although Role is a GetAtt. Redundant, harmless, and not ours to change.
#   W3037  "not a valid IAM action", in the integ assertion stacks only: @aws-cdk/integ-tests-alpha's
#          invokeFunction() grants its provider "lambda:Invoke" (an SDK command name, next to the
#          real lambda:InvokeFunction). Our own stacks are linted with W3037 on.
set -euo pipefail

REGIONS=(us-east-1)                       # where the integ tests run; the templates are region-agnostic
IGNORE_ALL=(W3005)
IGNORE_ASSERTION_STACKS=(W3005 W3037)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
WORK="$ROOT/.cfn-lint"
CFN_LINT="$(bash "$HERE/install.sh")"
CFN_LINT_VERSION="$("$CFN_LINT" --version | awk '{ print $2 }')"

# The demo app: the handler asset must exist (bundled by esbuild), then a plain synth, as test/local-aws/synth.ts does.
DEMO_OUT="$WORK/demo.out"
rm -rf "$DEMO_OUT"
if [ ! -f assets/lib/handler/index/index.js ]; then
  npx projen bundle
fi
CDK_OUTDIR="$DEMO_OUT" CDK_VALIDATION=false TS_NODE_PREFER_TS_EXTS=true \
  node "$(node -p 'require.resolve("ts-node/dist/bin")')" --transpile-only integ/integ.default.ts

# Every stack template of each cloud assembly, split by whether integ-tests-alpha made it.
stacks=("$@")
assertion_stacks=()
for dir in integ/*.snapshot "$DEMO_OUT"; do
  [ -f "$dir/integ.json" ] || { echo "lint:templates: $dir has no integ.json" >&2; exit 1; }
  asserts="$(node -e '
    const m = require(require("path").resolve(process.argv[1], "integ.json"));
    console.log(Object.values(m.testCases).map((t) => t.assertionStackName).join("\n"));' "$dir")"
  found=0
  for template in "$dir"/*.template.json; do
    [ -f "$template" ] || continue
    found=$((found + 1))
    if grep -qxF "$(basename "$template" .template.json)" <<<"$asserts"; then
      assertion_stacks+=("$template")
    else
      stacks+=("$template")
    fi
  done
  [ "$found" -gt 0 ] || { echo "lint:templates: no templates in $dir" >&2; exit 1; }
done

echo "lint:templates: cfn-lint $CFN_LINT_VERSION on ${#stacks[@]} stack and ${#assertion_stacks[@]} assertion stack templates (${REGIONS[*]})"
status=0
"$CFN_LINT" --regions "${REGIONS[@]}" --non-zero-exit-code warning \
  --ignore-checks "${IGNORE_ALL[@]}" -- "${stacks[@]}" || status=1
"$CFN_LINT" --regions "${REGIONS[@]}" --non-zero-exit-code warning \
  --ignore-checks "${IGNORE_ASSERTION_STACKS[@]}" -- "${assertion_stacks[@]}" || status=1
if [ "$status" -ne 0 ]; then
  echo "lint:templates: cfn-lint found problems (above)" >&2
  exit 1
fi
for t in "${stacks[@]}" "${assertion_stacks[@]}"; do echo "  ok  ${t#"$ROOT/"}"; done
