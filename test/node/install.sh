#!/usr/bin/env bash
# Installs Node.js MAJOR (for example 24, the major of the handler's Lambda runtime) into .e2e/nodeMAJOR/
# and prints the path of its node binary. It comes from the npm registry, as the node-<os>-<arch> package
# (Node.js's own release binary), so it needs nothing but npm. Idempotent: an installed MAJOR is reused,
# so later runs cost one `node --version`; delete .e2e/nodeMAJOR/ to take the newest MAJOR.x again.
#
#   bash test/node/install.sh 24        # prints .../.e2e/node24/bin/node
set -euo pipefail
major="${1:?usage: test/node/install.sh MAJOR}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.e2e/node$major"
bin="$dir/bin/node"

installed_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true; }

if [ -x "$bin" ] && [ "$(installed_major "$bin")" = "$major" ]; then
  echo "$bin"
  exit 0
fi

case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) echo "test/node/install.sh: no Node.js package for $(uname -s)" >&2; exit 1 ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "test/node/install.sh: no Node.js package for $(uname -m)" >&2; exit 1 ;; esac

# Installed beside the target and moved into place whole, so a run that stops halfway leaves nothing
# that looks installed, and two runs at once do not mix their files.
mkdir -p "$root/.e2e"
staging="$(mktemp -d "$root/.e2e/node$major.XXXXXX")"
chmod 755 "$staging"
trap 'rm -rf "$staging"' EXIT
npm install --prefix "$staging" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-$os-$arch@$major" >&2
mkdir -p "$staging/bin"
ln -s "../node_modules/node-$os-$arch/bin/node" "$staging/bin/node"
got="$(installed_major "$staging/bin/node")"
if [ "$got" != "$major" ]; then
  echo "test/node/install.sh: node-$os-$arch@$major installed Node.js major '$got'" >&2
  exit 1
fi
rm -rf "$dir"
mv "$staging" "$dir"
trap - EXIT
echo "$bin"
