#!/usr/bin/env bash
# Installs the Debian packages the tests run for real (Prometheus, Alertmanager, node_exporter,
# Chromium, VictoriaMetrics for npm run test:scale, docker-compose, which only parses
# docker-compose.yml: there is no Docker engine, PHP with Debian's Laravel for the Laravel client,
# the peers the benchmarks run: pt-fingerprint from percona-toolkit, and pdftotext from poppler-utils), only when their binaries
# or files are missing. Idempotent; quiet when all are present.
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
  # npm run test:scale: VictoriaMetrics single-node, vmalert and vmagent (docs/scaling.md).
  "victoria-metrics victoria-metrics"
  "vmalert victoria-metrics"
  "vmagent victoria-metrics"
  "php php-cli"
  "pt-fingerprint percona-toolkit"
  # The SLA report's PDF test reads the text back out of the file.
  "pdftotext poppler-utils"
)

# file  package: PHP libraries and extensions have no binary to look for.
needed_files=(
  "/usr/share/php/Illuminate/autoload.php php-laravel-framework"
  "/etc/php/8.2/mods-available/pdo_mysql.ini php-mysql"
  "/etc/php/8.2/mods-available/pdo_pgsql.ini php-pgsql"
  "/etc/php/8.2/mods-available/pdo_sqlite.ini php-sqlite3"
  "/etc/php/8.2/mods-available/curl.ini php-curl"
  "/etc/php/8.2/mods-available/redis.ini php-redis"
)

missing=()
for entry in "${needed[@]}"; do
  read -r bin pkg <<<"$entry"
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/bin/$bin" ]; then
    [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
  fi
done

for entry in "${needed_files[@]}"; do
  read -r file pkg <<<"$entry"
  if [ ! -e "$file" ]; then
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
# Test files may run this at once (jest workers): wait for apt's lock rather than fail on it.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# Debian's packages try to start their daemons; the tests start their own on ephemeral ports.
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
