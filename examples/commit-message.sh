#!/usr/bin/env bash
# Drafts a commit message for what is staged. The diff is piped in; the instruction
# follows it after a blank line.
set -euo pipefail
git diff --cached | gpt ask -t 0.2 \
  -s "You write concise git commit messages: a subject under 60 characters, a blank line, then why." \
  "Write the commit message for this diff."
