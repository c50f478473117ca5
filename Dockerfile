# syntax=docker/dockerfile:1
# yishi: the HTTP service on its embedded SQLite ledger. The data directory (ledger, service.db,
# and on first start the log key and the first admin's key) is the volume /data. In production
# the log's signing key lives apart from the ledger: mount it as a secret and set
# YISHI_LOG_KEY_FILE (see the README, "Docker").

# ---- build: install everything, compile the workspaces, drop dev dependencies ----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; the toolchain is the fallback where there is none.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.json LICENSE ./
COPY scripts scripts
COPY schema/package.json schema/
COPY crypto/package.json crypto/
COPY procedure/package.json procedure/
COPY verify/package.json verify/
COPY audit-page/package.json audit-page/
COPY service/package.json service/
COPY sdk/package.json sdk/
# No lifecycle scripts yet (the root `prepare` compiles sources not copied so far); then build
# the one native module that needs it.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY schema schema
COPY crypto crypto
COPY procedure procedure
COPY verify verify
COPY audit-page audit-page
COPY service service
COPY sdk sdk
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- run: compiled output and production dependencies only, as an unprivileged user ---------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    YISHI_DATA=/data \
    YISHI_HOST=0.0.0.0 \
    YISHI_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/LICENSE ./
COPY --from=build /app/schema/package.json schema/
COPY --from=build /app/schema/dist schema/dist
COPY --from=build /app/crypto/package.json crypto/
COPY --from=build /app/crypto/dist crypto/dist
COPY --from=build /app/procedure/package.json procedure/
COPY --from=build /app/procedure/dist procedure/dist
COPY --from=build /app/verify/package.json verify/
COPY --from=build /app/verify/dist verify/dist
COPY --from=build /app/audit-page/package.json audit-page/
COPY --from=build /app/audit-page/dist/audit.html audit-page/dist/
COPY --from=build /app/sdk/package.json sdk/
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/service/package.json service/
COPY --from=build /app/service/dist service/dist
COPY --from=build /app/service/bin service/bin
# `yishi` on the PATH: `docker exec <container> yishi backup --out /data/backup.db`, etc.
RUN ln -s /app/service/bin/yishi.js /usr/local/bin/yishi \
  && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /health answers once the service listens, which is after the first start has replayed the
# ledger (a 1,000,000-entry ledger took 74 s on 2 cores; a start from the snapshot, 2 s): the
# start period gives a first start with a large ledger 10 minutes before failures count.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10m --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.YISHI_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["yishi", "serve"]
