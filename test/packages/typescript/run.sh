#!/usr/bin/env bash
# Installs the packed npm tarball (dist/js) into a fresh TypeScript CDK app and runs app.ts there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tarball="$(ls "$root"/dist/js/cdk-codeartifact-token@*.jsii.tgz | head -n 1)"
cdk_version="$(node -p "require('$root/package.json').devDependencies['aws-cdk-lib']")"
constructs_version="$(node -p "require('$root/package.json').devDependencies['constructs']")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/app.ts" "$work/"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "$tarball" "aws-cdk-lib@$cdk_version" "constructs@$constructs_version" typescript@5 @types/node@20
npx tsc --strict --esModuleInterop --target es2022 --module commonjs --skipLibCheck app.ts
node app.js
