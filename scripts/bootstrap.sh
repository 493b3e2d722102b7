#!/usr/bin/env bash
# Install everything livefire needs on a fresh Debian machine: the system packages the
# embedded platform and the tests use (Redis, ffmpeg, nginx), a virtual environment in .venv,
# and livefire itself with its test extras. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(redis-server redis-sentinel ffmpeg nginx-light libnginx-mod-nchan libnginx-mod-rtmp openssl iproute2 iptables wrk
  prometheus chromium)
# wrk: edge_bench; libnginx-mod-nchan: a chat server nobody here wrote (tests);
# libnginx-mod-rtmp: an RTMP ingest and HLS packager nobody here wrote (glass-to-glass tests); openssl: test CAs;
# prometheus: the PromQL probes are tested against a real one (tests start their own);
# chromium: headless screenshots of the live page (tests)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts the packaged servers as services; livefire starts its own on free ports.
for svc in redis-server redis-sentinel nginx prometheus; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
done

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "livefire installed: .venv/bin/livefire"
