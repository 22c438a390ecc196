#!/usr/bin/env bash
# A CI or cron job: run a file of prompts, survive being stopped, fail loudly on errors.
# Run it again after a kill or a server outage: only the missing items, and those that
# failed on the network (timeout, 5xx, 429), are sent (--resume).
set -uo pipefail
gpt batch examples/prompts.jsonl --dry-run                       # refuses a broken file before any cost
gpt batch examples/prompts.jsonl -o results.jsonl --resume -j 8 -q
status=$?
jq -r 'select(.error) | "\(.id): \(.error.message)"' results.jsonl >&2
# 0: all done; 8: some items failed (their lines carry "error"); 5: the server could not be
# reached and the run stopped early (run again later); anything else: see README.
exit "$status"
