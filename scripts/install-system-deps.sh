#!/usr/bin/env bash
# Installs the Debian packages the tests run for real (Prometheus, Alertmanager, node_exporter,
# Chromium, and docker-compose, which only parses docker-compose.yml: there is no Docker engine) and
# the peers the benchmarks run (pt-fingerprint from percona-toolkit), only when their binaries are
# missing. Idempotent; quiet when all are present.
set -euo pipefail

# binary  package
needed=(
  "prometheus-node-exporter prometheus-node-exporter"
  "prometheus prometheus"
  "promtool prometheus"
  "prometheus-alertmanager prometheus-alertmanager"
  "amtool prometheus-alertmanager"
  "chromium chromium"
  "docker-compose docker-compose"
  "pt-fingerprint percona-toolkit"
)

missing=()
for entry in "${needed[@]}"; do
  read -r bin pkg <<<"$entry"
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/bin/$bin" ]; then
    [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing missing system packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "not root and no sudo: install them with: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's packages try to start their daemons; the tests start their own on ephemeral ports.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
