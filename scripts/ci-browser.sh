#!/usr/bin/env bash
# Debian's chromium for the HTML report's browser test (test/cli/report.test.ts): playwright-core drives
# it by path and downloads no browser of its own. A no-op where /usr/bin/chromium is already installed.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# A few minutes on a fresh machine. fonts-wqy-microhei draws Chinese names and messages in screenshots
# (the test's assertions do not need it).
$sudo apt-get install -y -q chromium fonts-wqy-microhei >/dev/null
/usr/bin/chromium --version
