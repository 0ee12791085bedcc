# testrota: the weekly worker (and one-off CLI runs) as a container.
#
#   docker build -t testrota .
#   podman build --format docker -t testrota .   (podman's default OCI format drops HEALTHCHECK)
#
# The default CMD runs the worker on the BUNDLED DEMO configuration (config/testrota.json: SSI's
# files of 2020, a synthetic roster) and says so in its log ("running the bundled demo
# configuration"). A real installation mounts its own config, sites file and roster folder
# read-only and sets TESTROTA_CONFIG: see deploy/compose.production.yaml and docs/operations.md.
# Host folders bind-mounted on /data and /out must belong to uid 10001 (chown 10001:10001 DIR).
#
# The base is a build argument so the same file builds against Docker Hub's node:24-slim in
# production and against a local stand-in where Docker Hub is unreachable
# (scripts/container-test.sh: --build-arg BASE=localhost/node:24-slim).
#
# PID 1: the entry point is the `testrota` bin (src/cli.ts through a symlink, as npm installs it),
# which is Node itself. The CLI handles SIGTERM/SIGINT from its first moment (the worker finishes
# or aborts the run in flight, then exits 0; a second signal exits 130 at once) and starts no child
# processes, so it needs no init to reap zombies; run it with `--init` (docker/podman) or
# `init: true` (compose) to get tini as PID 1 anyway.
ARG BASE=node:24-slim

# --- dependencies: production packages only (the `node` devDependency is dev-only) -------------
FROM ${BASE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
 && npm cache clean --force

# --- runtime -----------------------------------------------------------------------------------
FROM ${BASE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="testrota" \
      org.opencontainers.image.description="Weekly municipal COVID-19 incidence classification and care-staff test rotas (Danish national model, 2020)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${BASE}"

# A larger young generation: a national run allocates millions of short-lived rows. The
# benchmark runs with the same setting (bench/bench-child.ts, PRODUCTION_ENV).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=32 \
    TESTROTA_DATA_DIR=/data \
    TESTROTA_OUT_DIR=/out \
    TESTROTA_HEALTH_PORT=9464

WORKDIR /app
# A fixed, unprivileged uid/gid (written directly: slim and minimal bases may lack useradd).
RUN echo 'testrota:x:10001:10001:testrota:/app:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'testrota:x:10001:' >> /etc/group \
 && mkdir -p /data /out \
 && chown 10001:10001 /data /out \
 && ln -s /app/src/cli.ts /usr/local/bin/testrota

COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
# The bundled reference data lives outside /app/config, so mounting a config there never hides it.
COPY reference ./reference
COPY assets ./assets
COPY config ./config

USER 10001:10001
VOLUME ["/data", "/out"]
# /healthz, /readyz and /metrics. TESTROTA_HEALTH_PORT is the one place for the port: the worker
# listens on it (it wins over the config's worker.port) and the HEALTHCHECK probes it.
EXPOSE 9464
# No curl in slim images: Node's own fetch probes the liveness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TESTROTA_HEALTH_PORT || '9464') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# `testrota` is on PATH: `docker exec <container> testrota status` works too.
ENTRYPOINT ["testrota"]
# The bundled demo configuration (see the top of this file).
CMD ["worker"]
