#!/usr/bin/env bash
# Checked JSON out of prose: one object per file, fitting examples/person.schema.json
# (optional fields come back as null), as JSON Lines for jq.
set -euo pipefail
for f in "$@"; do
  gpt ask --no-stdin --schema examples/person.schema.json "Who is described here? $(cat "$f")"
done | jq -s 'map(select(.born != null)) | sort_by(.born)'
