#!/usr/bin/env bash
# Runs a command with Node.js 24 on PATH (installing it into .tools/node when needed) and npm packages installed.
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_deps
cd "$ROOT"
exec "$@"
