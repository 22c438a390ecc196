#!/usr/bin/env bash
# The package check: `npm pack` (which builds on prepack), install the tarball into a
# temporary prefix as a user would, then run the installed gpt from outside the repo:
# --version, and `gpt ask` against a local fake server. Also checks that the tarball
# holds only what users need and that running gpt writes nothing inside the package.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/gpt-pack-XXXXXX")"
trap 'rm -rf "$work"' EXIT

cd "$repo"
npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(echo "$work"/gpt-cli-*.tgz)"

contents="$(tar -tzf "$tarball" | sort | tr '\n' ' ')"
expected='package/README.md package/bin/gpt.cjs package/dist/cli.cjs package/dist/gpt.cjs package/package.json '
if [ "$contents" != "$expected" ]; then
  echo "pack check: the package holds [$contents], expected [$expected]" >&2
  exit 1
fi

npm install --global --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$tarball"
installed="$work/prefix/lib/node_modules/gpt-cli"
before="$(cd "$installed" && find . -path ./node_modules -prune -o -print | sort)"

# Outside the repo, with a fresh HOME: nothing from the checkout can help it run.
cd "$work"
node "$repo/test/pack/run-installed.mjs" "$work/prefix/bin/gpt" "$work/home"

after="$(cd "$installed" && find . -path ./node_modules -prune -o -print | sort)"
if [ "$before" != "$after" ]; then
  echo "pack check: running gpt wrote inside the installed package:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
echo "pack check: ok ($(du -k "$tarball" | cut -f1) KiB package installs and runs)"
