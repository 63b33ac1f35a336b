#!/usr/bin/env bash
# Installs what push-image's real build-and-push test needs on a Debian machine without a Docker daemon:
#   buildah        daemonless image builder (vfs storage, chroot isolation)
#   docker-registry a real Distribution v2 registry for the test to push to
#   apache2-utils  htpasswd, for the registry's bcrypt basic-auth file
# Idempotent: does nothing when every tool is already on PATH. Called by .ci/run.
set -euo pipefail

need=()
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)

if [ "${#need[@]}" -eq 0 ]; then
  echo "install-image-tools: buildah, docker-registry and htpasswd are already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-image-tools: need root (or sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-image-tools: installing ${need[*]}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run() {
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive "$@" >"$log" 2>&1; then
    echo "install-image-tools: failed: $*" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
}
run apt-get update -qq
# --no-install-recommends keeps it small; the test starts its own registry, never the packaged service.
run apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${need[@]}"

for tool in buildah docker-registry htpasswd; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-image-tools: $tool is still missing after install" >&2; exit 1; }
done
echo "install-image-tools: done ($(buildah --version 2>/dev/null | head -1))"
