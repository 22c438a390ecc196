#!/usr/bin/env bash
# A conversation kept inside a project, next to the code it is about, and committed.
set -euo pipefail
mkdir -p docs
gpt ask --thread docs/design-chat.yaml -s "You are a senior storage engineer." \
  "We need to append turns to a YAML file safely from concurrent processes. Options?"
gpt ask --thread docs/design-chat.yaml "Which one would you choose, in two sentences?"
git add docs/design-chat.yaml
