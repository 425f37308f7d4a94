#!/usr/bin/env bash
# Debian's redis-server for the queue's tests (npm run test:queue) and benchmark (npm run bench:queue).
# The tests start their own server on a free port and stop it; nothing is started here. A no-op where
# redis-server is already installed.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -q redis-server >/dev/null
redis-server --version
