#!/usr/bin/env bash
# Builds the production image and runs it like production, with podman (no Docker engine here):
#   --read-only, non-root, host volumes for /data and /out, health server on 127.0.0.1.
# With TESTROTA_NOW=2020-09-30T12:00:00+02:00 the worker believes it is Wednesday 30 September
# 2020 at noon, so its start-up catch-up runs 2020-W40 from the bundled SSI files; the test waits
# for /out/2020-W40/manifest.json, checks the files belong to uid 10001, stops the container with
# SIGTERM and expects exit code 0. The health port comes from one place, TESTROTA_HEALTH_PORT:
# the config's worker.port is set to a port the app could not even bind, so the probes only
# answer when the app listens where the HEALTHCHECK looks. The `testrota` bin (the ENTRYPOINT)
# also runs through `podman exec`, and a one-off container on the bundled demo config says so.
#
# Needs root (rootful podman, apt-get). First run: installs podman/runc/debootstrap and builds a
# local stand-in for node:24-slim (Docker Hub is unreachable here); both are cached
# (apt, podman's image store, $TESTROTA_PODMAN_CACHE), so later runs only rebuild the app layers.
# Any failure exits non-zero with a one-line reason on stderr. The shared part (tools, base image,
# build) is scripts/container-lib.sh, also used by scripts/compose-ha-test.sh.
set -euo pipefail

# shellcheck source=scripts/container-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/container-lib.sh"
IMAGE=${TESTROTA_IMAGE:-localhost/testrota:container-test}
NOW=2020-09-30T12:00:00+02:00
WEEK=2020-W40
HEALTH_TIMEOUT=${TESTROTA_HEALTH_TIMEOUT:-60}
RUN_TIMEOUT=${TESTROTA_RUN_TIMEOUT:-300}
NAME="testrota-ct-$$"
WORK=""

cleanup() {
  local code=$?
  if [[ -n "${WORK}" ]]; then
    pm rm -f -t 0 "${NAME}" >/dev/null 2>&1 || true
    rm -rf "${WORK}"
  fi
  exit "${code}"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

ct_init container-test
ct_need_tools podman runc debootstrap
ct_host_node
ct_node_base_image
ct_build_app_image "${IMAGE}"

# --- run it like production ---------------------------------------------------------------------
WORK=$(mktemp -d)
mkdir -p "${WORK}/data" "${WORK}/out"
chown 10001:10001 "${WORK}/data" "${WORK}/out"
PORT=$(ct_free_port)
# The bundled demo config, listening on 127.0.0.1 only. Its worker.port (9, privileged: a uid
# 10001 process cannot bind it) must lose to TESTROTA_HEALTH_PORT, the free port below.
"${HOST_NODE}" -e '
  const fs = require("fs");
  const [src, dst] = process.argv.slice(1);
  const config = JSON.parse(fs.readFileSync(src, "utf8"));
  config.worker = { ...config.worker, host: "127.0.0.1", port: 9 };
  fs.writeFileSync(dst, JSON.stringify(config, null, 2));
' "${ROOT}/config/testrota.json" "${WORK}/container-test.json"
chmod 0644 "${WORK}/container-test.json"

step "starting ${NAME} on 127.0.0.1:${PORT} (TESTROTA_NOW=${NOW})"
pm run -d --name "${NAME}" --network host --read-only \
  -v "${WORK}/data:/data" -v "${WORK}/out:/out" \
  -v "${WORK}/container-test.json:/app/config/container-test.json:ro" \
  -e TESTROTA_CONFIG=config/container-test.json \
  -e "TESTROTA_HEALTH_PORT=${PORT}" \
  -e "TESTROTA_NOW=${NOW}" \
  "${IMAGE}" >/dev/null 2>"${WORK}/run.err" || fail "podman run failed: $(tail -n 1 "${WORK}/run.err")"
# (podman's complaint that it cannot register healthcheck timers without systemd is expected.)

running() { [[ $(pm inspect --format '{{.State.Running}}' "${NAME}" 2>/dev/null) == "true" ]]; }
logs_tail() { pm logs --tail "${1:-30}" "${NAME}" 2>&1 | sed 's/^/  | /'; }

deadline=$(($(date +%s) + HEALTH_TIMEOUT))
until ct_probe "http://127.0.0.1:${PORT}/healthz" >/dev/null; do
  running || { logs_tail; fail "container exited before /healthz answered"; }
  (($(date +%s) < deadline)) || { logs_tail; fail "/healthz did not answer within ${HEALTH_TIMEOUT}s"; }
  sleep 1
done
step "/healthz ok"

manifest="${WORK}/out/${WEEK}/manifest.json"
deadline=$(($(date +%s) + RUN_TIMEOUT))
until [[ -s "${manifest}" ]]; do
  running || { logs_tail; fail "container exited before publishing ${WEEK}"; }
  failure=$(pm logs "${NAME}" 2>&1 | grep '"msg":"run failed"' | grep -o '"error":"[^"]*"' | head -1 || true)
  [[ -z "${failure}" ]] || { logs_tail; fail "the catch-up run of ${WEEK} failed: ${failure}"; }
  (($(date +%s) < deadline)) || { logs_tail; fail "no ${WEEK}/manifest.json within ${RUN_TIMEOUT}s"; }
  sleep 1
done
"${HOST_NODE}" -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "${manifest}" ||
  fail "${WEEK}/manifest.json is not valid JSON"
step "catch-up published ${WEEK} ($(find "${WORK}/out/${WEEK}" -type f | wc -l) files)"

ct_probe "http://127.0.0.1:${PORT}/readyz" >/dev/null || { logs_tail; fail "/readyz is not 200 after the run"; }
metrics=$(ct_probe "http://127.0.0.1:${PORT}/metrics") || fail "/metrics is not 200"
grep -q '^testrota_runs_total{outcome="succeeded"} 1$' <<<"${metrics}" || fail "/metrics does not count the succeeded run"

foreign=$(find "${WORK}/out" "${WORK}/data" -mindepth 1 ! -uid 10001 | head -5)
[[ -z "${foreign}" ]] || fail "files not owned by uid 10001: ${foreign//$'\n'/ }"
[[ -z $(find "${WORK}/out" -mindepth 1 -perm -o+w | head -1) ]] || fail "world-writable files in /out"

if pm healthcheck run "${NAME}" >/dev/null 2>&1; then
  step "image HEALTHCHECK passes"
else
  fail "the image's HEALTHCHECK command failed"
fi

status=$(pm exec "${NAME}" testrota status 2>&1) || fail "podman exec testrota status failed: ${status}"
grep -q "^  ${WEEK}  succeeded" <<<"${status}" || fail "testrota status (exec) does not list ${WEEK} as succeeded: ${status}"
step "podman exec testrota status lists ${WEEK}"

demo=$(pm run --rm --network none --read-only -e LOG_LEVEL=info "${IMAGE}" status 2>&1) ||
  fail "a one-off status on the bundled config failed: $(tail -n 3 <<<"${demo}")"
grep -q "running the bundled demo configuration" <<<"${demo}" ||
  fail "the bundled demo config does not say so at start-up: $(tail -n 3 <<<"${demo}")"
step "the default config announces itself as the bundled demo"

step "podman stop (SIGTERM)"
pm stop -t 60 "${NAME}" >/dev/null 2>"${WORK}/stop.err" || fail "podman stop failed: $(tail -n 1 "${WORK}/stop.err")"
code=$(pm inspect --format '{{.State.ExitCode}}' "${NAME}")
echo "container-test: logs (tail):"
logs_tail 15
[[ "${code}" == "0" ]] || fail "exit code ${code} after SIGTERM, expected 0"
step "PASS in $(($(date +%s) - STARTED))s"
