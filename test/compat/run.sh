#!/usr/bin/env bash
# The library on the aws-cdk-lib and constructs its users have: the lowest versions its peer range
# accepts (package.json peerDependencies) and the newest the npm registry serves today. For each:
#   1. type-check lib/ against that aws-cdk-lib and constructs (every API lib/ uses must exist there);
#   2. run the construct's unit tests (test/*.test.ts) with that aws-cdk-lib and constructs loaded in
#      place of the development ones (jest moduleNameMapper), cdk-nag's packs included;
#   3. install the packed tarball (dist/js) with that aws-cdk-lib and constructs into a fresh TypeScript
#      app, and run test/compat/example-app.ts (the example app, asserting the template's key parts)
#      and test/packages/typescript/app.ts (every public member) there.
#
#   npm run test:compat                  bundle, compile and pack first, then all of the above
#   bash test/compat/run.sh [min|latest] on the tarball already in dist/js (after test:tarball)
#
# Scratch goes to .packages/compat/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
scratch="$root/.packages/compat"

tarball="$(ls "$root"/dist/js/cdk-codeartifact-token@*.jsii.tgz 2>/dev/null | head -n 1 || true)"
if [ -z "$tarball" ]; then
  echo "test/compat/run.sh: no tarball in dist/js: run 'npm run test:compat' (or 'npm run test:tarball' first)" >&2
  exit 1
fi
[ -f assets/lib/handler/index/index.js ] || npx projen bundle

# The peer range's floor, as a user's npm would resolve it: the lowest version the range accepts.
peer_min() { node -p "require('semver').minVersion(require('./package.json').peerDependencies['$1']).version"; }

run_target() {
  local label="$1" cdk="$2" constructs="$3"
  local app="$scratch/$label"
  echo "::: compat $label: aws-cdk-lib $cdk, constructs $constructs"
  rm -rf "$app"
  mkdir -p "$app"
  cp test/compat/example-app.ts test/packages/typescript/app.ts "$app/"
  (cd "$app" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error \
    "$tarball" "aws-cdk-lib@$cdk" "constructs@$constructs" typescript@5 @types/node@20)
  local modules="$app/node_modules"
  local got
  got="$(node -p "require('$modules/aws-cdk-lib/package.json').version + ' ' + require('$modules/constructs/package.json').version")"
  [ "$got" = "$cdk $constructs" ] || { echo "compat $label: installed aws-cdk-lib and constructs $got, not $cdk $constructs" >&2; exit 1; }

  echo "::: compat $label: type-check lib/"
  cat > "$app/tsconfig.lib.json" <<JSON
{
  "extends": "$root/tsconfig.json",
  "compilerOptions": {
    "noEmit": true, "rootDir": "$root/lib", "types": ["node"], "typeRoots": ["$root/node_modules/@types"],
    "paths": {
      "aws-cdk-lib": ["./node_modules/aws-cdk-lib"], "aws-cdk-lib/*": ["./node_modules/aws-cdk-lib/*"],
      "constructs": ["./node_modules/constructs"]
    }
  },
  "include": [], "files": ["$root/lib/index.ts"]
}
JSON
  npx tsc -p "$app/tsconfig.lib.json"

  echo "::: compat $label: construct unit tests"
  # The development jest setup, with every import of aws-cdk-lib and constructs (also cdk-nag's and
  # aws-cdk-lib's own) sent to this target's copies. release.test.ts checks the workflows, not the construct;
  # integ-snapshots.test.ts checks the committed snapshots against a synth with the development aws-cdk-lib
  # that wrote them (an older release lays out its cloud assembly otherwise).
  cat > "$app/jest.config.json" <<JSON
{
  "rootDir": "$root",
  "testMatch": ["<rootDir>/test/*.test.ts", "<rootDir>/test/compat/*.compat.ts"],
  "testPathIgnorePatterns": ["/node_modules/", "<rootDir>/test/release.test.ts", "<rootDir>/test/integ-snapshots.test.ts"],
  "moduleFileExtensions": ["ts", "js", "json", "node"],
  "transform": { "^.+\\\\.tsx?\$": ["ts-jest", { "tsconfig": "test/tsconfig.json" }] },
  "moduleNameMapper": {
    "^aws-cdk-lib\$": "$modules/aws-cdk-lib",
    "^aws-cdk-lib/(.*)\$": "$modules/aws-cdk-lib/\$1",
    "^constructs\$": "$modules/constructs"
  }
}
JSON
  # The tests must see this target's aws-cdk-lib: the one check that would notice the mapping failing.
  COMPAT_EXPECT_CDK_VERSION="$cdk" npx jest --ci --config "$app/jest.config.json"

  echo "::: compat $label: consumer apps on the packed tarball"
  (cd "$app" && npx tsc --strict --esModuleInterop --target es2022 --module commonjs --skipLibCheck example-app.ts app.ts \
    && CDK_OUTDIR="$app/cdk.out.example" node example-app.js && node app.js)
  echo "::: compat $label: passed (aws-cdk-lib $cdk, constructs $constructs)"
}

min_cdk="$(peer_min aws-cdk-lib)"
min_constructs="$(peer_min constructs)"
case "${1:-all}" in
min) run_target min "$min_cdk" "$min_constructs" ;;
latest) run_target latest "$(npm view aws-cdk-lib@latest version)" "$(npm view constructs@latest version)" ;;
all)
  run_target min "$min_cdk" "$min_constructs"
  run_target latest "$(npm view aws-cdk-lib@latest version)" "$(npm view constructs@latest version)"
  ;;
*) echo "usage: test/compat/run.sh [min|latest|all]" >&2; exit 2 ;;
esac
