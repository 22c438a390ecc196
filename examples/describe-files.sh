#!/usr/bin/env bash
# One line about each file named on stdin. --no-stdin keeps gpt from reading the
# loop's own stdin (the list of files), and --json | jq makes the output exact.
set -euo pipefail
while IFS= read -r file; do
  reply=$(gpt ask --no-stdin --json "Describe in one line what this file is for: $file" | jq -r .reply)
  printf '%s\t%s\n' "$file" "$reply"
done
