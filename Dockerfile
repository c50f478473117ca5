# syntax=docker/dockerfile:1
# yishi: the HTTP service on its embedded SQLite ledger. The data directory (ledger, log key,
# first admin key, service.db) is the volume /data; back it up, and hand admin.key to the
# higher-level organisation.

# ---- build: install everything, compile the workspaces, drop dev dependencies ----------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary; the toolchain is the fallback where there is none.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY schema/package.json schema/
COPY crypto/package.json crypto/
COPY procedure/package.json procedure/
COPY service/package.json service/
COPY sdk/package.json sdk/
# No lifecycle scripts yet (the root `prepare` compiles sources not copied so far); then build
# the one native module.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY schema schema
COPY crypto crypto
COPY procedure procedure
COPY service service
COPY sdk sdk
RUN npx tsc -b && npm prune --omit=dev --ignore-scripts

# ---- run: compiled output and production dependencies only, as an unprivileged user ---------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    YISHI_DATA=/data \
    YISHI_HOST=0.0.0.0 \
    YISHI_PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/schema/package.json schema/
COPY --from=build /app/schema/dist schema/dist
COPY --from=build /app/crypto/package.json crypto/
COPY --from=build /app/crypto/dist crypto/dist
COPY --from=build /app/procedure/package.json procedure/
COPY --from=build /app/procedure/dist procedure/dist
COPY --from=build /app/sdk/package.json sdk/
COPY --from=build /app/sdk/dist sdk/dist
COPY --from=build /app/service/package.json service/
COPY --from=build /app/service/dist service/dist
COPY --from=build /app/service/bin service/bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.YISHI_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "service/bin/yishi.js", "serve"]
