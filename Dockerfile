# testrota: the weekly worker (and one-off CLI runs) as a container.
#
# The base is a build argument so the same file builds against Docker Hub's node:24-slim in
# production and against a local stand-in where Docker Hub is unreachable
# (scripts/container-test.sh: --build-arg BASE=localhost/node:24-slim).
#
# PID 1: the entry point is Node itself. The CLI handles SIGTERM/SIGINT (finish or abort the run
# in flight, then exit 0) and starts no child processes, so it needs no init to reap zombies; run
# it with `--init` (docker/podman) or `init: true` (compose) to get tini as PID 1 anyway.
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

# A larger young generation: a national run allocates millions of short-lived rows (see the
# benchmark in the README, which runs with the same setting).
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
 && chown 10001:10001 /data /out

COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY reference ./reference
COPY config ./config

USER 10001:10001
VOLUME ["/data", "/out"]
# /healthz, /readyz and /metrics (config `worker.port`; keep TESTROTA_HEALTH_PORT in step with it).
EXPOSE 9464
# No curl in slim images: Node's own fetch probes the liveness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TESTROTA_HEALTH_PORT || '9464') + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "src/cli.ts"]
CMD ["worker"]
