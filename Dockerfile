# syntax=docker/dockerfile:1
# Tollgate's image: compiled JavaScript on Node LTS, production dependencies only, an external PostgreSQL (DSN).
# test/e2e/docker-image.test.ts rebuilds the runtime stage's file set from this file and runs it: keep every
# RUN line of the runtime stage an `npm ci …` or an `apt-get …` line, which that test knows how to replay.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json openapi.yaml ./
COPY scripts ./scripts
COPY server ./server
COPY cdktf ./cdktf
COPY sdk ./sdk
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim
# tini as PID 1 forwards signals and reaps children, so SIGTERM starts Tollgate's drain.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No dev tools, no embedded PostgreSQL (optional), no CDKTF (optional peers): a DSN is required here.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts --no-audit --no-fund
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY openapi.yaml LICENSE ./
USER node
EXPOSE 4444 4445
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/server/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/tollgate.js"]
CMD ["serve", "all"]
