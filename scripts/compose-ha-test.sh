#!/usr/bin/env bash
# Starts the high-availability example, deploy/compose.ha.yaml (two workers, PostgreSQL, a shared
# out volume), with podman-compose and checks that it does what docs/postgres.md promises:
#   - PostgreSQL becomes healthy (the compose healthcheck, pg_isready);
#   - both workers answer /healthz and /readyz on their 127.0.0.1 ports, storeType "postgres";
#   - with TESTROTA_NOW=2020-09-30T12:00:00+02:00 (tests/fixtures/compose/compose.ha-test.yaml)
#     both start-up catch-ups want 2020-W40 at once, and it runs exactly once: one manifest in the
#     shared out volume, one succeeded 2020-W40 in the store's ledger (`testrota status --json`
#     through `podman exec` in each worker), one "run succeeded" between both logs, and the other
#     worker logs that the week is held or done;
#   - the workers' compose healthcheck passes and the database password is in no log;
#   - `podman kill` of the worker that ran the week leaves the other one ready.
#
# Docker Hub is unreachable here, so postgres:17 is replaced by a test-only stand-in built from
# Debian bookworm's PostgreSQL 15 (tests/fixtures/compose/postgres/), and testrota:latest by the
# image built from the production Dockerfile, both through the image variables of the compose
# file; nothing else of the example is changed. podman-compose 1.0.3 (Debian) starts services in
# depends_on order but does not wait for `condition: service_healthy`, so the script does that
# wait itself: `up -d postgres`, the healthcheck until healthy, then `up -d` for the rest.
#
# Needs root (rootful podman, apt-get). First run installs podman, runc, debootstrap and
# podman-compose and builds the base images (scripts/container-lib.sh, shared with
# scripts/container-test.sh); later runs reuse them. Every container, network and volume it
# creates carries the project label testrota-ha-<pid> and is removed on exit, pass or fail.
# Any failure exits non-zero with a one-line reason on stderr.
set -euo pipefail

# shellcheck source=scripts/container-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/container-lib.sh"
IMAGE=${TESTROTA_IMAGE:-localhost/testrota:compose-ha-test}
PG_IMAGE=localhost/testrota-test/postgres:15-bookworm
PG_CONTEXT="${ROOT}/tests/fixtures/compose/postgres"
COMPOSE_FILES=(-f "${ROOT}/deploy/compose.ha.yaml" -f "${ROOT}/tests/fixtures/compose/compose.ha-test.yaml")
WEEK=2020-W40
HEALTH_TIMEOUT=${TESTROTA_HEALTH_TIMEOUT:-90}
RUN_TIMEOUT=${TESTROTA_RUN_TIMEOUT:-300}
PROJECT="testrota-ha-$$"
WORK=""

# Containers of the project, or of one service of it.
project_containers() {
  pm ps -a --filter "label=io.podman.compose.project=${PROJECT}" --format '{{.Names}}' 2>/dev/null || true
}
service_container() {
  pm ps -a --filter "label=io.podman.compose.project=${PROJECT}" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' 2>/dev/null | head -1
}

cleanup() {
  local code=$? name
  if [[ -n "${WORK}" ]]; then
    if ((code != 0)); then
      for name in $(project_containers); do
        echo "${CT_NAME}: logs of ${name} (tail):" >&2
        pm logs --tail 8 "${name}" 2>&1 | sed 's/^/  | /' >&2 || true
      done
    fi
    for name in $(project_containers); do pm rm -f -v -t 0 "${name}" >/dev/null 2>&1 || true; done
    for name in $(pm volume ls -q --filter "label=io.podman.compose.project=${PROJECT}" 2>/dev/null || true); do
      pm volume rm -f "${name}" >/dev/null 2>&1 || true
    done
    pm network rm -f "${PROJECT}_default" >/dev/null 2>&1 || true
    pm pod rm -f "pod_${PROJECT}" >/dev/null 2>&1 || true
    rm -rf "${WORK}"
  fi
  exit "${code}"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

ct_init compose-ha-test
ct_need_tools podman runc debootstrap podman-compose
ct_host_node
ct_node_base_image
ct_debian_base_image
ct_build_app_image "${IMAGE}"

step "building ${PG_IMAGE} (stand-in for postgres:17 from Debian's postgresql-15)"
pm build --network host --format docker --build-arg "BASE=${DEBIAN_BASE_IMAGE}" \
  -t "${PG_IMAGE}" "${PG_CONTEXT}" >"${CACHE}/build-postgres.log" 2>&1 || {
  tail -n 20 "${CACHE}/build-postgres.log" >&2
  fail "podman build of the PostgreSQL stand-in failed (log: ${CACHE}/build-postgres.log)"
}

WORK=$(mktemp -d)
compose_version=$(podman-compose version 2>/dev/null | sed -n 's/^podman-composer* version *//p' | head -1)
step "using podman-compose ${compose_version:-(version unknown)}, $(pm --version)"
# The compose file's variables: the local images, free host ports, a password of this run only.
export TESTROTA_IMAGE="${IMAGE}" TESTROTA_POSTGRES_IMAGE="${PG_IMAGE}"
TESTROTA_PORT_A=$(ct_free_port)
TESTROTA_PORT_B=$(ct_free_port)
[[ "${TESTROTA_PORT_A}" != "${TESTROTA_PORT_B}" ]] || TESTROTA_PORT_B=$(ct_free_port)
TESTROTA_DB_PASSWORD="ha-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export TESTROTA_PORT_A TESTROTA_PORT_B TESTROTA_DB_PASSWORD
compose() {
  (cd "${WORK}" && podman-compose --no-ansi -p "${PROJECT}" "${COMPOSE_FILES[@]}" "$@") >>"${WORK}/compose.log" 2>&1 ||
    fail "podman-compose $* failed: $(tail -n 1 "${WORK}/compose.log")"
}
running() { [[ $(pm inspect --format '{{.State.Running}}' "$1" 2>/dev/null) == "true" ]]; }
# `podman healthcheck run` prints nothing and exits 0 when healthy.
healthy() { pm healthcheck run "$1" >/dev/null 2>&1; }

# --- PostgreSQL first, until healthy (what `condition: service_healthy` asks for) -----------------
step "podman-compose up -d postgres (project ${PROJECT})"
compose up -d postgres
PG=$(service_container postgres)
[[ -n "${PG}" ]] || fail "podman-compose created no postgres container (log: $(tail -n 1 "${WORK}/compose.log"))"
deadline=$(($(date +%s) + HEALTH_TIMEOUT))
until healthy "${PG}"; do
  running "${PG}" || fail "the postgres container exited before it was healthy"
  (($(date +%s) < deadline)) || fail "postgres not healthy (pg_isready) within ${HEALTH_TIMEOUT}s"
  sleep 1
done
step "postgres healthy (pg_isready)"

# --- both workers ---------------------------------------------------------------------------------
step "podman-compose up -d (workers on 127.0.0.1:${TESTROTA_PORT_A} and :${TESTROTA_PORT_B})"
compose up -d
A=$(service_container worker-a)
B=$(service_container worker-b)
[[ -n "${A}" && -n "${B}" ]] || fail "podman-compose did not create both workers (got '${A}' and '${B}')"
declare -A PORT_OF=(["${A}"]="${TESTROTA_PORT_A}" ["${B}"]="${TESTROTA_PORT_B}")

for name in "${A}" "${B}"; do
  deadline=$(($(date +%s) + HEALTH_TIMEOUT))
  until ct_probe "http://127.0.0.1:${PORT_OF[${name}]}/healthz" >/dev/null; do
    running "${name}" || fail "${name} exited before /healthz answered"
    (($(date +%s) < deadline)) || fail "${name}: /healthz did not answer within ${HEALTH_TIMEOUT}s"
    sleep 1
  done
done
step "/healthz ok on both workers"

OUT=$(pm volume inspect --format '{{.Mountpoint}}' "${PROJECT}_out") || fail "no volume ${PROJECT}_out"
manifest="${OUT}/${WEEK}/manifest.json"
deadline=$(($(date +%s) + RUN_TIMEOUT))
until [[ -s "${manifest}" ]]; do
  for name in "${A}" "${B}"; do
    running "${name}" || fail "${name} exited before ${WEEK} was published"
    failure=$(pm logs "${name}" 2>&1 | grep '"msg":"run failed"' | grep -o '"error":"[^"]*"' | head -1 || true)
    [[ -z "${failure}" ]] || fail "${name}: the catch-up run of ${WEEK} failed: ${failure}"
  done
  (($(date +%s) < deadline)) || fail "no ${WEEK}/manifest.json in the shared out volume within ${RUN_TIMEOUT}s"
  sleep 1
done
"${HOST_NODE}" -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "${manifest}" ||
  fail "${WEEK}/manifest.json is not valid JSON"
step "${WEEK} published in the shared out volume ($(find "${OUT}/${WEEK}" -type f | wc -l) files)"
# Named volumes start out root's: the image's /out (uid 10001) must carry over, or the workers
# could not have written; nothing else may own a published file.
foreign=$(find "${OUT}" ! -uid 10001 | head -3)
[[ -z "${foreign}" ]] || fail "files in the shared out volume not owned by uid 10001: ${foreign//$'\n'/ }"

# Both replicas are ready, on PostgreSQL.
for name in "${A}" "${B}"; do
  deadline=$(($(date +%s) + HEALTH_TIMEOUT))
  until ready=$(ct_probe "http://127.0.0.1:${PORT_OF[${name}]}/readyz"); do
    (($(date +%s) < deadline)) || fail "${name}: /readyz not 200 within ${HEALTH_TIMEOUT}s: ${ready}"
    sleep 1
  done
  "${HOST_NODE}" -e '
    const r = JSON.parse(process.argv[1]);
    process.exit(r.status === "ready" && r.storeType === "postgres" ? 0 : 1);
  ' "${ready}" || fail "${name}: /readyz is not ready on postgres: ${ready}"
done
step "/readyz ready with storeType postgres on both workers"

# Exactly one run of the week: one manifest, one succeeded attempt in the ledger, one success log.
manifests=$(find "${OUT}" -name manifest.json | wc -l)
[[ "${manifests}" == "1" ]] || fail "${manifests} manifest.json files in the shared out volume, expected 1"
for name in "${A}" "${B}"; do
  status=$(pm exec "${name}" testrota status --json 2>"${WORK}/status.err") ||
    fail "${name}: podman exec testrota status failed: $(tail -n 1 "${WORK}/status.err")"
  succeeded=$("${HOST_NODE}" -e '
    const s = JSON.parse(process.argv[1]);
    console.log(s.runs.filter((r) => r.week === process.argv[2] && r.status === "succeeded").length);
  ' "${status}" "${WEEK}") || fail "${name}: testrota status --json is not the expected JSON"
  [[ "${succeeded}" == "1" ]] || fail "${name}: the ledger lists ${WEEK} succeeded ${succeeded} times, expected 1"
done
step "the ledger (testrota status in each worker) lists ${WEEK} succeeded once"

LEADER=""
OTHER=""
for name in "${A}" "${B}"; do
  pm logs "${name}" >"${WORK}/${name}.log" 2>&1
  if grep -q '"component":"scheduler".*"msg":"run succeeded"' "${WORK}/${name}.log"; then
    [[ -z "${LEADER}" ]] || fail "both ${LEADER} and ${name} log a succeeded run of ${WEEK}"
    LEADER=${name}
  else
    OTHER=${name}
  fi
done
[[ -n "${LEADER}" && -n "${OTHER}" ]] || fail "no worker logs a succeeded run of ${WEEK}"
held=$(grep -o '"msg":"\(run skipped\|week already handled: not started again\|nothing to run: every due week is done\)"' \
  "${WORK}/${OTHER}.log" | head -1 || true)
[[ -n "${held}" ]] || fail "${OTHER} neither ran ${WEEK} nor logs that it is held or done"
step "${LEADER} ran ${WEEK}; ${OTHER} logged ${held#*:}"

for name in "${A}" "${B}"; do
  healthy "${name}" || fail "${name}: the compose healthcheck (/readyz) does not pass"
done
step "the workers' compose healthcheck passes"
for name in "${PG}" "${A}" "${B}"; do
  pm logs "${name}" >"${WORK}/${name}.log" 2>&1
  if grep -qF "${TESTROTA_DB_PASSWORD}" "${WORK}/${name}.log"; then fail "${name} logs the database password"; fi
done
step "the database password appears in no log"

# --- failover: the leader dies, the other stays ready ----------------------------------------------
step "podman kill ${LEADER}"
pm kill "${LEADER}" >/dev/null || fail "podman kill ${LEADER} failed"
deadline=$(($(date +%s) + 30))
while running "${LEADER}"; do
  (($(date +%s) < deadline)) || fail "${LEADER} still runs 30s after podman kill"
  sleep 1
done
for _ in 1 2 3 4 5; do
  sleep 1
  ready=$(ct_probe "http://127.0.0.1:${PORT_OF[${OTHER}]}/readyz") ||
    fail "${OTHER}: /readyz not 200 after ${LEADER} was killed: ${ready}"
done
pm exec "${OTHER}" testrota status >/dev/null 2>"${WORK}/status.err" ||
  fail "${OTHER}: testrota status fails after ${LEADER} was killed: $(tail -n 1 "${WORK}/status.err")"
if running "${LEADER}"; then fail "${LEADER} came back after podman kill"; fi
step "${OTHER} stays ready after ${LEADER} was killed"

step "PASS in $(($(date +%s) - STARTED))s"
