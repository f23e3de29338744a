# syntax=docker/dockerfile:1
# The orka program for the controller and the webhook Deployments (one image, two commands).
# Build from the repository root:
#   docker build -f images/controller.Dockerfile -t orka/controller:0.1.0 .
# Runs as uid 65532 with a read-only root filesystem: the chart mounts /data (the SQLite store)
# and /tmp (tsx's compile cache) writable (seed 002).
# Node 24.18: from 24.19 better-sqlite3 12 (the store's driver, the newest that still supports
# Node 20) aborts when the garbage collector finalizes a statement; see .ci/run.
ARG NODE_IMAGE=node:24.18-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 builds from source against the image's own Node headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/orka
COPY package.json package-lock.json ./
RUN npm_config_nodedir=/usr/local npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY bin/ bin/
COPY cli/ cli/
COPY api/ api/
COPY certs/ certs/
COPY metrics/ metrics/
COPY policy/ policy/
COPY reconcilers/ reconcilers/
COPY resources/ resources/
COPY store/ store/
COPY webhooks/ webhooks/
COPY worker/ worker/
COPY charts/orka/crds/ charts/orka/crds/

FROM ${NODE_IMAGE}
RUN userdel --remove node \
 && groupadd --gid 65532 orka \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin orka \
 && mkdir -p /data \
 && chown 65532:65532 /data
COPY --from=build /opt/orka /opt/orka
RUN ln -s /opt/orka/bin/orka /usr/local/bin/orka
ENV NODE_ENV=production \
    TMPDIR=/tmp
USER 65532:65532
WORKDIR /opt/orka
EXPOSE 8080 9443
ENTRYPOINT ["orka"]
CMD ["controller"]
