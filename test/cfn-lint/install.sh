#!/usr/bin/env bash
# Makes sure the pinned cfn-lint (requirements.txt beside this file) is available, and prints the
# path of its executable on stdout (progress goes to stderr). Used by run.sh and by the bench.
#
# A `cfn-lint` of exactly the pinned version on PATH is used as it is; otherwise a virtualenv under
# .cfn-lint/ (gitignored) gets it. The venv does not see the machine's site-packages: another
# cfn-lint, or other versions of its rule dependencies, would lint differently.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
REQUIREMENTS="$HERE/requirements.txt"
VERSION="$(sed -n 's/^cfn-lint==\([^[:space:]#]*\).*/\1/p' "$REQUIREMENTS")"
[ -n "$VERSION" ] || { echo "cfn-lint: $REQUIREMENTS pins no cfn-lint==VERSION" >&2; exit 1; }
VENV="$ROOT/.cfn-lint/venv"

installed_version() { "$1" --version 2>/dev/null | awk '{ print $2 }'; }

if command -v cfn-lint >/dev/null 2>&1 && [ "$(installed_version cfn-lint)" = "$VERSION" ]; then
  command -v cfn-lint
  exit 0
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "cfn-lint: creating the virtualenv .cfn-lint/venv" >&2
  "${CFN_LINT_PYTHON:-python3}" -m venv "$VENV" >&2
fi
if [ "$(installed_version "$VENV/bin/cfn-lint")" != "$VERSION" ]; then
  echo "cfn-lint: installing cfn-lint==$VERSION into .cfn-lint/venv" >&2
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet -r "$REQUIREMENTS" >&2
fi
if [ "$(installed_version "$VENV/bin/cfn-lint")" != "$VERSION" ]; then
  echo "cfn-lint: .cfn-lint/venv has no cfn-lint $VERSION; delete .cfn-lint/ and run again" >&2
  exit 1
fi
echo "$VENV/bin/cfn-lint"
