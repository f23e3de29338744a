# syntax=docker/dockerfile:1
# The Claude Code worker image: the orka worker program (a single-file bundle) and the Claude Code CLI.
# Build from the repository root:
#   docker build -f images/worker-claude.Dockerfile -t orka/worker-claude:0.1.0 .
# Worker Pods run it as uid 1000 with a read-only root filesystem; only /tmp, /home/worker and
# /workspace (and /session, read-only) are mounted writable by the Job (seed 002).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The bundle needs only esbuild and the sources; no native module is built.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-worker.mjs scripts/
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
RUN npm run build:worker -- --outfile /out/orka-worker.mjs

FROM ${NODE_IMAGE}
# Pinned so an image rebuild never changes the agent silently; bump deliberately.
ARG CLAUDE_CODE_VERSION=2.1.330
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/*
RUN npm install --global --no-audit --no-fund @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} \
 && npm cache clean --force
# uid 1000 belongs to the base image's "node" user; the worker user takes it over.
RUN userdel --remove node \
 && groupadd --gid 1000 worker \
 && useradd --uid 1000 --gid 1000 --home-dir /home/worker --create-home --shell /bin/bash worker \
 && mkdir -p /workspace /session \
 && chown 1000:1000 /workspace /session /home/worker
COPY --from=build --chmod=0755 /out/orka-worker.mjs /opt/orka/orka-worker.mjs
RUN ln -s /opt/orka/orka-worker.mjs /usr/local/bin/orka
ENV HOME=/home/worker \
    TMPDIR=/tmp \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NODE_ENV=production
USER 1000:1000
WORKDIR /workspace
ENTRYPOINT ["orka"]
CMD ["worker", "--runtime", "claude"]
