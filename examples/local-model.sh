#!/usr/bin/env bash
# The same commands against a local OpenAI-compatible server (here Ollama). No API key
# is needed; `gpt models` shows what the server offers.
set -euo pipefail
export OPENAI_BASE_URL=${OPENAI_BASE_URL:-http://localhost:11434/v1}
gpt models
echo "What is the biggest animal in the world?" | gpt ask -m "${MODEL:-llama3.2}"
