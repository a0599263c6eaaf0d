#!/usr/bin/env bash
# Installs the tools the end-to-end tests drive into .tools/ (kept out of git):
# the real Claude Code CLI, npm @anthropic-ai/claude-code. Its linux-x64 native binary comes as the
# optional dependency @anthropic-ai/claude-code-linux-x64; npm's install script (which would link
# it) is not run, so the tests call node_modules/@anthropic-ai/claude-code-linux-x64/claude directly.
set -euo pipefail
cd "$(dirname "$0")/.."
CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION:-2.1.332}"
dir=".tools/claude-code"
bin="$dir/node_modules/@anthropic-ai/claude-code-linux-x64/claude"
if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null | cut -d' ' -f1)" = "$CLAUDE_CODE_VERSION" ]; then
  exit 0
fi
mkdir -p "$dir"
(cd "$dir" && npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" >/dev/null)
"$bin" --version
