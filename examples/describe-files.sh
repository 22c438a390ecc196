#!/usr/bin/env bash
# One line about each file named on stdin, from the file's own text (-f). --no-stdin keeps
# gpt from reading the loop's own stdin (the list of files), and --json | jq makes the
# output exact. A file that is not text is refused (exit 6): the loop says so and goes on.
set -uo pipefail
while IFS= read -r file; do
  if reply=$(gpt ask --no-stdin --json -f "$file" "Describe in one line what this file is for." | jq -r .reply); then
    printf '%s\t%s\n' "$file" "$reply"
  else
    printf '%s\t(skipped)\n' "$file" >&2
  fi
done
