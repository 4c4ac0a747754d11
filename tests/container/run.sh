#!/usr/bin/env bash
# Container test (ctest label `container`): proves the Dockerfile builds an image that works.
#
#   1. builds the image with podman (daemonless) on the locally made bookworm-slim base;
#   2. runs it with a published loopback port, a named volume and an infrastructure API key;
#   3. creates a connected system and a run profile with curl (201 each);
#   4. stops it with SIGTERM (podman stop) and requires exit code 0;
#   5. starts a new container on the same volume and reads the run profile back.
#
# Exit 0 on success, 77 (ctest SKIP_RETURN_CODE) with "SKIPPED: <reason>" when podman cannot run
# containers on this machine, anything else on failure. Layers are cached in podman's storage, so a
# second run only rebuilds what changed. Containers and the volume are removed at the end.
#
# Env: JIM_CONTAINER_IMAGE   tag to build (default jim-edge:test)
#      JIM_CONTAINER_KEEP=1  keep containers and volume for inspection
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE_TAG=localhost/debian:bookworm-slim-local
IMAGE=${JIM_CONTAINER_IMAGE:-jim-edge:test}
RUN_ID="jim-edge-ctest-$$"
CTR_A="$RUN_ID-a"
CTR_B="$RUN_ID-b"
VOLUME="$RUN_ID-data"
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/jim-container-test.XXXXXX")

skip() { echo "SKIPPED: $*"; exit 77; }
step() { printf '\n== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  for c in "$CTR_A" "$CTR_B"; do
    if "${PODMAN[@]}" container exists "$c" 2>/dev/null; then
      echo "--- podman logs $c (last 40 lines)" >&2
      "${PODMAN[@]}" logs --tail 40 "$c" >&2 2>&1 || true
    fi
  done
  exit 1
}
now_ms() { date +%s%3N; }
secs_since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%03d s' $((ms / 1000)) $((ms % 1000)); }

# The podman invocation this machine needs (own store, overlay or vfs, runc, cgroupfs): one
# definition, in scripts/setup-container.sh.
PODMAN=(podman)
if [[ -x $REPO/scripts/setup-container.sh ]]; then
  mapfile -t PODMAN < <("$REPO/scripts/setup-container.sh" --print-podman)
fi

# runc refuses rlimits above the caller's hard limits (no CAP_SYS_RESOURCE here) and podman asks
# for the maximum by default, so pass explicit limits that fit under ours.
hard_nofile=$(ulimit -Hn); [[ $hard_nofile == unlimited ]] && hard_nofile=1048576
hard_nproc=$(ulimit -Hu);  [[ $hard_nproc == unlimited ]] && hard_nproc=1048576
nofile=$(( hard_nofile < 65536 ? hard_nofile : 65536 ))
nproc=$(( hard_nproc < 16384 ? hard_nproc : 16384 ))
ULIMITS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

cleanup() {
  local rc=$?
  if [[ ${JIM_CONTAINER_KEEP:-0} == 1 ]]; then
    echo "kept: containers $CTR_A $CTR_B, volume $VOLUME, logs $LOG_DIR"
  else
    "${PODMAN[@]}" rm -f -v -t 0 "$CTR_A" "$CTR_B" >/dev/null 2>&1 || true
    "${PODMAN[@]}" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
    ((rc == 0 || rc == 77)) && rm -rf "$LOG_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT

# --- can this machine run containers at all? ------------------------------------------------
command -v podman >/dev/null || skip "podman is not installed (run scripts/setup-container.sh as root)"
[[ ${PODMAN[0]:-} == podman && ${#PODMAN[@]} -gt 1 ]] || fail "scripts/setup-container.sh --print-podman gave no podman command"
info "podman: ${PODMAN[*]} (ulimits: ${ULIMITS[*]})"
"${PODMAN[@]}" info >"$LOG_DIR/podman-info.log" 2>&1 \
  || skip "podman does not work here: $(tail -n 1 "$LOG_DIR/podman-info.log")"
command -v curl >/dev/null || fail "curl is not installed"

if ! "${PODMAN[@]}" image exists "$BASE_TAG"; then
  command -v mmdebstrap >/dev/null \
    || skip "base image $BASE_TAG is missing and mmdebstrap is not installed (run scripts/setup-container.sh as root)"
  step "base image $BASE_TAG missing: making it"
  "$REPO/scripts/setup-container.sh" --base-only || fail "could not make the base image"
fi
if ! "${PODMAN[@]}" run --rm --network none "${ULIMITS[@]}" "$BASE_TAG" true >"$LOG_DIR/probe.log" 2>&1; then
  skip "podman cannot run a container here: $(grep -v '^time=' "$LOG_DIR/probe.log" | tail -n 1)"
fi

# --- 1. build ------------------------------------------------------------------------------
step "build $IMAGE from $REPO (base $BASE_TAG)"
t0=$(now_ms)
if ! "${PODMAN[@]}" build --format docker --layers "${ULIMITS[@]}" \
      --build-arg BASE_IMAGE="$BASE_TAG" -t "$IMAGE" -f "$REPO/Dockerfile" "$REPO" \
      >"$LOG_DIR/build.log" 2>&1; then
  tail -n 60 "$LOG_DIR/build.log" >&2
  fail "podman build failed (log above)"
fi
info "steps taken from the layer cache: $(grep -c -- '--> Using cache' "$LOG_DIR/build.log" || true)"
if grep -q '^ccache Misses:' "$LOG_DIR/build.log"; then
  count() { grep "^ccache $1:" "$LOG_DIR/build.log" | tail -n 1 | sed 's/^[^:]*: *\([0-9]*\) *\/ *\([0-9]*\).*/\1 of \2/'; }
  info "C++ translation units compiled: $(count Misses), taken from ccache: $(count Hits)"
else
  info "C++ compiled: nothing (build layer cached)"
fi
info "build time: $(secs_since "$t0")"
size_bytes=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
info "image size: $(( size_bytes / 1000000 )) MB ($size_bytes bytes, uncompressed)"
info "image config: $("${PODMAN[@]}" image inspect --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}} stopsignal={{.Config.StopSignal}} volumes={{.Config.Volumes}}' "$IMAGE")"
info "healthcheck: $("${PODMAN[@]}" image inspect --format '{{json .HealthCheck}}' "$IMAGE")"

# --- 2. run --------------------------------------------------------------------------------
API_KEY="jim_ak_$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
"${PODMAN[@]}" volume create "$VOLUME" >/dev/null

start_container() { # name -> sets PORT
  local name=$1
  # --health-interval disable: no systemd here to run the timer; `podman healthcheck run` below
  # runs the image's HEALTHCHECK command on demand instead.
  "${PODMAN[@]}" run -d --name "$name" "${ULIMITS[@]}" --health-interval disable \
      -p 127.0.0.1::8080 -v "$VOLUME:/data" -e JIM_INFRASTRUCTURE_API_KEY="$API_KEY" \
      "$IMAGE" >"$LOG_DIR/run-$name.log" 2>&1 \
    || { cat "$LOG_DIR/run-$name.log" >&2; fail "podman run $name failed"; }
  PORT=$("${PODMAN[@]}" port "$name" 8080/tcp | head -n 1 | sed 's/.*://')
  [[ $PORT =~ ^[0-9]+$ ]] || fail "no published port for $name"
}

wait_ready() { # name
  local i
  for ((i = 0; i < 300; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/health/ready") == 200 ]]; then
      return 0
    fi
    [[ $("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$1") == true ]] \
      || fail "container $1 exited before it was ready"
    sleep 0.1
  done
  fail "container $1 not ready after 30 s"
}

# api METHOD PATH [BODY] -> STATUS and BODY set
api() {
  local args=(-s -o "$LOG_DIR/body" -w '%{http_code}' -X "$1" -H "X-Api-Key: $API_KEY")
  [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  STATUS=$(curl "${args[@]}" "http://127.0.0.1:$PORT$2") || STATUS="curl-error"
  BODY=$(cat "$LOG_DIR/body" 2>/dev/null || true)
}
json_id() { grep -o '"id"[[:space:]]*:[[:space:]]*[0-9]*' <<<"$1" | head -n 1 | grep -o '[0-9]*$'; }

stop_container() { # name -> requires exit code 0
  local t
  t=$(now_ms)
  "${PODMAN[@]}" stop -t 15 "$1" >"$LOG_DIR/stop-$1.log" 2>&1 || { cat "$LOG_DIR/stop-$1.log" >&2; fail "podman stop $1 failed"; }
  local code
  code=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$1")
  info "podman stop -t 15 $1 (SIGTERM): exit code $code after $(secs_since "$t")"
  [[ $code == 0 ]] || fail "$1 exited with $code on SIGTERM, expected 0 (137 = killed after the 15 s grace period)"
}

step "run container $CTR_A (volume $VOLUME)"
t0=$(now_ms)
start_container "$CTR_A"
info "published on 127.0.0.1:$PORT"
wait_ready "$CTR_A"
info "ready after $(secs_since "$t0")"

step "create a connected system and a run profile"
api POST /api/v1/synchronisation/connected-systems '{"name":"LDAP","connectorDefinitionId":1}'
[[ $STATUS == 201 ]] || fail "POST connected-systems: expected 201, got $STATUS: $BODY"
info "cold start to first 201: $(secs_since "$t0")"
info "POST connected-systems -> $STATUS $BODY"
CS_ID=$(json_id "$BODY"); [[ -n $CS_ID ]] || fail "no id in $BODY"

api POST "/api/v1/synchronisation/connected-systems/$CS_ID/run-profiles" '{"name":"Delta Import","runType":"DeltaImport"}'
[[ $STATUS == 201 ]] || fail "POST run-profiles: expected 201, got $STATUS: $BODY"
info "POST run-profiles -> $STATUS $BODY"
RP_ID=$(json_id "$BODY"); [[ -n $RP_ID ]] || fail "no id in $BODY"
CREATED=$BODY

step "image HEALTHCHECK and user in $CTR_A"
"${PODMAN[@]}" healthcheck run "$CTR_A" >"$LOG_DIR/health.log" 2>&1 \
  || { cat "$LOG_DIR/health.log" >&2; fail "podman healthcheck run (jim-edge healthcheck) failed"; }
info "podman healthcheck run (jim-edge healthcheck inside the container): healthy"
uid=$("${PODMAN[@]}" exec "$CTR_A" id -u 2>/dev/null) || fail "podman exec id -u failed"
info "server runs as uid $uid"
[[ $uid != 0 ]] || fail "server runs as root"

step "stop $CTR_A with SIGTERM"
stop_container "$CTR_A"

step "run a new container $CTR_B on the same volume"
t0=$(now_ms)
start_container "$CTR_B"
wait_ready "$CTR_B"
info "ready after $(secs_since "$t0")"
api GET "/api/v1/synchronisation/connected-systems/$CS_ID/run-profiles/$RP_ID"
[[ $STATUS == 200 ]] || fail "GET run profile $RP_ID after restart: expected 200, got $STATUS: $BODY"
info "persisted profile: $BODY"
grep -q '"name"[[:space:]]*:[[:space:]]*"Delta Import"' <<<"$BODY" || fail "profile name not persisted"
grep -q '"runType"[[:space:]]*:[[:space:]]*"DeltaImport"' <<<"$BODY" || fail "profile runType not persisted"
[[ $BODY == "$CREATED" ]] || info "(note: body differs from the create response: $CREATED)"

stop_container "$CTR_B"

printf '\nPASSED: image %s (%d MB) builds, serves, survives SIGTERM and keeps its data on the volume\n' \
  "$IMAGE" $(( size_bytes / 1000000 ))
