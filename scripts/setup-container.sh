#!/usr/bin/env bash
# Prepares this machine to build and run the jim-edge image without a Docker daemon or a registry.
# Idempotent: every step is skipped when its result is already there.
#
#   1. installs podman, buildah, runc, mmdebstrap (+ uidmap, slirp4netns) from Debian 12's apt
#      repositories, only the ones missing;
#   2. builds a debian:bookworm-slim equivalent rootfs with mmdebstrap, once, into a cache dir
#      outside the repository (default /var/cache/jim-edge, survives between runs);
#   3. imports it as localhost/debian:bookworm-slim-local, unless that image already exists.
#
# No global podman or containers configuration is written: everything this environment needs is
# passed on the command line (see --print-podman):
#   storage driver  the one podman's store (/var/lib/containers/storage) already uses; for a new
#                   store overlay when the kernel lets us mount one here (layers are shared: a
#                   rebuild takes seconds), else vfs (always works, but every layer is a full copy);
#                   JIM_PODMAN_STORAGE_DRIVER=vfs|overlay forces one
#   runtime runc, cgroup manager cgroupfs (no systemd here); `podman run` and `podman build` also
#   need explicit --ulimit nofile=N:N --ulimit nproc=N:N under the caller's hard limits
#   (tests/container/run.sh computes them).
#
# Usage: scripts/setup-container.sh [--base-only] [--rebuild-base] [--print-podman]
#   --base-only     do not install packages (fail if something is missing), only make the base image
#   --rebuild-base  rebuild the rootfs tarball and re-import the base image
#   --print-podman  print the podman command prefix to use here, one word per line, and exit
# Env:   JIM_CONTAINER_CACHE        cache dir for rootfs.tar (default /var/cache/jim-edge)
#        JIM_DEBIAN_MIRROR          Debian mirror (default http://deb.debian.org)
#        JIM_PODMAN_STORAGE_DRIVER  overlay or vfs (default: the store's, else overlay if it
#                                   mounts, else vfs)
set -euo pipefail

BASE_TAG=localhost/debian:bookworm-slim-local
CACHE_DIR=${JIM_CONTAINER_CACHE:-/var/cache/jim-edge}
MIRROR=${JIM_DEBIAN_MIRROR:-http://deb.debian.org}
PACKAGES=(podman buildah runc mmdebstrap uidmap slirp4netns)

STORE=/var/lib/containers/storage

base_only=0
rebuild=0
print_podman=0
for arg in "$@"; do
  case "$arg" in
    --base-only) base_only=1 ;;
    --rebuild-base) rebuild=1 ;;
    --print-podman) print_podman=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup-container.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[setup-container] %s\n' "$*"; }

# The store's driver if it has one, else overlay if an overlay filesystem mounts next to the
# store, else vfs.
storage_driver() {
  case "${JIM_PODMAN_STORAGE_DRIVER:-}" in
    overlay|vfs) echo "$JIM_PODMAN_STORAGE_DRIVER"; return ;;
    "") ;;
    *) echo "setup-container.sh: JIM_PODMAN_STORAGE_DRIVER must be overlay or vfs" >&2; exit 2 ;;
  esac
  local d driver
  for driver in overlay vfs; do
    [[ -d $STORE/$driver-images ]] && { echo "$driver"; return; }
  done
  driver=vfs
  if mkdir -p "${STORE%/*}" 2>/dev/null && d=$(mktemp -d "${STORE%/*}/.overlay-probe.XXXXXX" 2>/dev/null); then
    mkdir "$d/lower" "$d/upper" "$d/work" "$d/merged"
    if mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null; then
      umount "$d/merged"
      driver=overlay
    fi
    rm -rf "$d"
  fi
  echo "$driver"
}
driver=$(storage_driver)
# The podman invocation every jim-edge script uses on this machine (no daemon, no systemd).
podman_cmd=(podman --storage-driver "$driver" --cgroup-manager cgroupfs --runtime runc)
if ((print_podman)); then
  printf '%s\n' "${podman_cmd[@]}"
  exit 0
fi

# 1. packages
missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  if ((base_only)); then
    echo "setup-container.sh: missing packages: ${missing[*]} (run without --base-only, as root)" >&2
    exit 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-container.sh: missing packages ${missing[*]}; run as root to install them" >&2
    exit 1
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "packages present: ${PACKAGES[*]}"
fi
log "podman: ${podman_cmd[*]}"

# 2. the base rootfs, made once. minbase + merged /usr without the usrmerge package (so no perl),
#    man pages, docs (except copyright files) and translations excluded like the official slim
#    image; apt sources include updates and security, as in debian:bookworm-slim.
mkdir -p "$CACHE_DIR"
tarball="$CACHE_DIR/rootfs.tar"
if ((rebuild)) || [[ ! -s $tarball ]]; then
  log "building $tarball with mmdebstrap (about 20 s)"
  start=$(date +%s)
  rm -f "$tarball.tmp"
  mmdebstrap --quiet --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    bookworm "$tarball.tmp" \
    "deb $MIRROR/debian bookworm main" \
    "deb $MIRROR/debian bookworm-updates main" \
    "deb $MIRROR/debian-security bookworm-security main" \
    >"$CACHE_DIR/mmdebstrap.log" 2>&1 || {
      tail -n 30 "$CACHE_DIR/mmdebstrap.log" >&2
      echo "setup-container.sh: mmdebstrap failed (full log: $CACHE_DIR/mmdebstrap.log)" >&2
      exit 1
    }
  mv -f "$tarball.tmp" "$tarball"
  log "rootfs built in $(( $(date +%s) - start )) s: $(du -h "$tarball" | cut -f1)"
  rebuild=1
else
  log "cached rootfs: $tarball"
fi

# 3. the base image
if ((rebuild)) || ! "${podman_cmd[@]}" image exists "$BASE_TAG"; then
  log "importing $BASE_TAG"
  "${podman_cmd[@]}" import --quiet --change 'CMD ["bash"]' "$tarball" "$BASE_TAG" >/dev/null
else
  log "base image present: $BASE_TAG"
fi
"${podman_cmd[@]}" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$BASE_TAG" | sed 's/^/[setup-container] /'
