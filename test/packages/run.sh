#!/usr/bin/env bash
# Smoke tests of the jsii packages: for each language, build the package, then synthesize a small CDK app
# written the way that language's users write one and check the template it produced (each app prints
# "ok"/"FAIL" lines and exits non-zero on a failed check).
#
#   bash test/packages/run.sh              all languages, after `npx projen compile` (npm run test:packages)
#   bash test/packages/run.sh python|java|go|dotnet   one of them
#
# Scratch (venv, Maven repository, cloud assemblies) goes to .packages/. Registries' own caches (pip's,
# Go's module and build caches) are used as they are: nothing is cached here by hand.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
scratch="$root/.packages"

# The versions the library is built and tested against.
cdk_version="$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")"
constructs_version="$(node -p "require('./package.json').devDependencies['constructs']")"
version="$(node -p "require('./package.json').version")"

# A fresh cloud assembly per run, so a handler asset left over from an earlier run cannot pass the checks.
outdir() { rm -rf "$scratch/$1/cdk.out"; mkdir -p "$scratch/$1"; echo "$scratch/$1/cdk.out"; }

case "${1:-all}" in
python)
  npx projen package:python
  venv="$scratch/python/venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "aws-cdk-lib==$cdk_version" "constructs==$constructs_version"
  # Every local build is version 0.0.0: force pip to replace an earlier build's wheel with this one.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps dist/python/*.whl
  CDK_OUTDIR="$(outdir python)" "$venv/bin/python" test/packages/python/app.py
  ;;
java)
  npx projen package:java
  repo="$scratch/m2"
  # Maven never re-reads a release version it already holds: drop the earlier build's jar so this one
  # comes from dist/java (a file repository in the pom).
  rm -rf "$repo/io/github/cdk-codeartifact-token"
  (cd test/packages/java && CDK_OUTDIR="$(outdir java)" mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$repo" \
    -Dcdk.version="$cdk_version" -Dconstructs.version="$constructs_version" -Dtoken.version="$version" \
    compile exec:java)
  ;;
go)
  npx projen package:go
  # Every package embeds the same npm tarball of this library: it must hold the compiled library and its
  # handler and nothing else (a scratch folder packed by mistake once made it 1.3 GB).
  extra="$(tar tzf dist/go/cdkcodeartifacttoken/jsii/*.tgz | grep -Ev '^package/(\.jsii|package\.json|README\.md|API\.md|LICENSE|lib/[a-z-]+\.(js|d\.ts)|assets/lib/handler/index/index\.js)$' || true)"
  if [ -n "$extra" ]; then
    printf 'FAIL - the npm tarball inside the packages holds more than the library:\n%s\n' "$(echo "$extra" | head)"
    exit 1
  fi
  # go.mod replaces the module with dist/go; go.sum is committed, so no checksum database is asked
  # (see go.mod for why that matters and for its other replaces).
  (cd test/packages/go && CDK_OUTDIR="$(outdir go)" go run .)
  ;;
dotnet)
  # Never a silent pass: exit 77 (the usual "skipped" code) tells the summary below this language was
  # skipped, not tested.
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "dotnet: SKIPPED - no dotnet SDK on this machine, so the NuGet package was neither built nor tested" >&2
  else
    echo "dotnet: SKIPPED - there is no .NET smoke app yet (a dotnet SDK is present)" >&2
  fi
  exit 77
  ;;
all)
  # The apps load the handler asset from the package, and `compile` alone does not bundle it.
  npx projen bundle
  passed=0 failed=0 skipped=0 summary=""
  for lang in python java go dotnet; do
    echo "::: $lang"
    status=0 start=$SECONDS
    # A child shell per language: set -e keeps working inside it, and one failure does not hide the rest.
    bash "$0" "$lang" || status=$?
    case $status in
      0) passed=$((passed + 1)); summary+=" $lang=passed" ;;
      77) skipped=$((skipped + 1)); summary+=" $lang=SKIPPED" ;;
      *) failed=$((failed + 1)); summary+=" $lang=FAILED" ;;
    esac
    summary+="($((SECONDS - start))s)"
  done
  echo "packages:$summary"
  echo "packages: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
  ;;
*)
  echo "usage: $0 [python|java|go|dotnet]" >&2
  exit 64
  ;;
esac
