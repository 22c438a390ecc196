#!/usr/bin/env bash
# One prompt per line, wrapped by a template; the replies, in input order.
set -euo pipefail
gpt batch examples/words.txt --template 'Translate into French, one word only: {{prompt}}' | jq -r .reply
