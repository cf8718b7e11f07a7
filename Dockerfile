# syntax=docker/dockerfile:1
# The Perfwatch images, built from the repository root; docker-compose.yml builds both targets.
#   docker build --target exporter -t perfwatch/exporter .    (the service; the default target)
#   docker build --target demo-app -t perfwatch/demo-app .    (the demo shop and its load generator)
#   docker build --target notify-catcher -t perfwatch/notify-catcher .   (Slack/on-call webhook catcher)
# stack/test/images.test.ts replays this file on a machine without Docker and starts both images.
#
# Node 24 (LTS until April 2028). better-sqlite3 installs its prebuilt binary for this Node
# (published for linux x64/arm64/armv7, glibc and musl): no compiler in any stage.
ARG NODE_IMAGE=node:24.11.1-bookworm-slim

# One build stage for every image (Docker's cache shares it): dev dependencies and tsc.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# npm ci checks the lock file against every workspace's package.json; the plugin's is not installed.
COPY package.json package-lock.json ./
COPY exporter/package.json exporter/
COPY exporter/library/package.json exporter/library/
COPY grafana-app-plugin/package.json grafana-app-plugin/
COPY examples/demo-app/package.json examples/demo-app/
COPY stack/package.json stack/
RUN --mount=type=cache,target=/root/.npm \
  npm ci --workspace @perfwatch/exporter --workspace @perfwatch/demo-app --workspace @perfwatch/stack \
  --include-workspace-root=false --no-audit --no-fund
COPY exporter exporter
COPY examples/demo-app examples/demo-app
COPY stack stack
# The service's build builds the library (@perfwatch/node, exporter/library) first.
RUN npm run build -w @perfwatch/exporter && npm run build -w @perfwatch/demo-app && npm run build -w @perfwatch/stack

# Each runtime stage installs its own production dependencies with npm ci, so every package lands
# where the lock file puts it (exporter/node_modules/lru-cache, the library's, beside the root's)
# instead of node_modules trees copied out of the build stage by hand.
FROM ${NODE_IMAGE} AS demo-app
WORKDIR /app
ENV NODE_ENV=production PORT=8080 UPLOAD_DIR=/app/uploads
COPY package.json package-lock.json ./
COPY exporter/package.json exporter/
COPY exporter/library/package.json exporter/library/
COPY grafana-app-plugin/package.json grafana-app-plugin/
COPY examples/demo-app/package.json examples/demo-app/
COPY stack/package.json stack/
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace @perfwatch/exporter --workspace @perfwatch/demo-app --include-workspace-root=false --no-audit --no-fund
COPY --from=build /app/exporter/library/dist exporter/library/dist
COPY --from=build /app/exporter/dist exporter/dist
COPY --from=build /app/examples/demo-app/dist examples/demo-app/dist
RUN mkdir -p /app/uploads && chown node:node /app/uploads
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "examples/demo-app/dist/main.js"]

# The native stack's Slack / on-call webhook catcher (stack/src/sinks-cli.ts) for docker-compose.yml.
FROM ${NODE_IMAGE} AS notify-catcher
WORKDIR /app
ENV NODE_ENV=production CATCHER_HTTP_PORT=8026
COPY package.json package-lock.json ./
COPY exporter/package.json exporter/
COPY exporter/library/package.json exporter/library/
COPY grafana-app-plugin/package.json grafana-app-plugin/
COPY examples/demo-app/package.json examples/demo-app/
COPY stack/package.json stack/
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace @perfwatch/stack --include-workspace-root=false --no-audit --no-fund
COPY --from=build /app/stack/dist stack/dist
USER node
EXPOSE 8026
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.CATCHER_HTTP_PORT+'/api/messages').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "stack/dist/sinks-cli.js"]

# Last, so a plain `docker build .` builds the service.
FROM ${NODE_IMAGE} AS exporter
WORKDIR /app
ENV NODE_ENV=production PERFWATCH_PORT=9470
COPY package.json package-lock.json ./
COPY exporter/package.json exporter/
COPY exporter/library/package.json exporter/library/
COPY grafana-app-plugin/package.json grafana-app-plugin/
COPY examples/demo-app/package.json examples/demo-app/
COPY stack/package.json stack/
RUN --mount=type=cache,target=/root/.npm \
  npm ci --omit=dev --workspace @perfwatch/exporter --include-workspace-root=false --no-audit --no-fund
COPY --from=build /app/exporter/library/dist exporter/library/dist
COPY --from=build /app/exporter/dist exporter/dist
COPY exporter/openapi.yaml exporter/
# The default store is sqlite:./data/perfwatch.db (compose uses PostgreSQL instead).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 9470
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+process.env.PERFWATCH_PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "exporter/dist/cli.js", "serve"]
