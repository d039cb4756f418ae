#!/usr/bin/env bash
# The tools that validate the deployment files (test/deploy/manifests.spec.ts), for CI and developers:
# - helm, built from its Go module into .brokers/bin/helm (gitignored): this machine can fetch Go modules
#   but no release binaries;
# - docker-compose, the Debian package, for `docker-compose config`, and PyYAML, with which the test reads
#   YAML (apt-get: needs root or sudo).
# No Docker engine is needed: neither `helm template` nor `docker-compose config` talks to one.
#
#   tools/infra/deploy-tools.sh install   install whatever is missing (idempotent), print versions
#   tools/infra/deploy-tools.sh check     exit 0 when both are usable, print versions
#
# The test finds helm on PATH or in .brokers/bin, and docker-compose on PATH.
set -euo pipefail

HELM_MODULE=helm.sh/helm/v4
HELM_VERSION=v4.3.1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN_DIR="$ROOT/.brokers/bin"
HELM="$BIN_DIR/helm"
HELM_VERSION_FILE="$BIN_DIR/helm.version"

log() { echo "deploy-tools.sh: $*" >&2; }

helm_built() {
  [[ -x "$HELM" && -f "$HELM_VERSION_FILE" && "$(cat "$HELM_VERSION_FILE")" == "$HELM_VERSION" ]]
}

install_helm() {
  if helm_built; then
    log "helm $HELM_VERSION already built at $HELM"
    return 0
  fi
  if command -v helm >/dev/null; then
    log "using the helm on PATH ($(command -v helm)); not building one"
    return 0
  fi
  command -v go >/dev/null || { log "go is not installed (needed to build helm)"; exit 1; }
  local started=$SECONDS
  mkdir -p "$BIN_DIR"
  log "building $HELM_MODULE/cmd/helm@$HELM_VERSION (a cold module cache makes this take a few minutes)"
  # The same version stamp and stripping as helm's own Makefile; CGO off, as in its release builds.
  # GOTOOLCHAIN=local: never download another Go toolchain; GOFLAGS cleared: -mod settings of the
  # caller do not apply to `go install pkg@version`.
  GOTOOLCHAIN=local GOWORK=off GOFLAGS= CGO_ENABLED=0 GOBIN="$BIN_DIR" \
    go install -trimpath -ldflags "-s -w -X $HELM_MODULE/internal/version.version=$HELM_VERSION" \
    "$HELM_MODULE/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" >"$HELM_VERSION_FILE"
  log "built helm $HELM_VERSION in $((SECONDS - started)) s"
}

has_pyyaml() { command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; }

# docker-compose, and PyYAML with which the test reads rendered YAML (the Debian docker-compose package
# depends on it; a docker-compose installed another way may not bring it).
install_debian_packages() {
  local packages=()
  if command -v docker-compose >/dev/null; then
    log "docker-compose already installed ($(command -v docker-compose))"
  else
    packages+=(docker-compose)
  fi
  has_pyyaml || packages+=(python3-yaml)
  [[ ${#packages[@]} -gt 0 ]] || return 0

  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || {
      log "installing ${packages[*]} needs root: run as root, or: sudo apt-get install ${packages[*]}"
      exit 1
    }
    sudo=(sudo -n)
  fi
  local started=$SECONDS
  log "installing the Debian packages ${packages[*]}"
  # --no-install-recommends: docker-compose recommends docker.io, a whole engine that validation does not need.
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  log "installed ${packages[*]} in $((SECONDS - started)) s"
}

print_versions() {
  local helm_bin
  if helm_built; then helm_bin="$HELM"; else helm_bin="$(command -v helm || true)"; fi
  [[ -n "$helm_bin" ]] || { log "helm: missing (tools/infra/deploy-tools.sh install)"; return 1; }
  command -v docker-compose >/dev/null || { log "docker-compose: missing (tools/infra/deploy-tools.sh install)"; return 1; }
  has_pyyaml || { log "python3 with PyYAML: missing (tools/infra/deploy-tools.sh install)"; return 1; }
  log "helm: $helm_bin $("$helm_bin" version --short)"
  log "docker-compose: $(command -v docker-compose) $(docker-compose version --short)"
}

case "${1:-}" in
  install)
    install_helm
    install_debian_packages
    print_versions
    ;;
  check) print_versions ;;
  *)
    echo "usage: $0 install|check" >&2
    exit 2
    ;;
esac
