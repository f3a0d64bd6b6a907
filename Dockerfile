# syntax=docker/dockerfile:1
# Same steps as .ci/run: npm ci (which runs `prisma generate` offline), then the TypeScript build.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    LOG_FORMAT=json \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Migrations are applied by the process itself at start-up (src/adapters/db/migrator.ts).
COPY --from=build /app/prisma ./prisma
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
# The same command as `npm start` (package.json; test/unit/memoryFlags.test.ts keeps them equal):
# V8's young generation kept at 2 MB instead of 16 (an idle bot would keep 32 MB of it), and
# WebAssembly (the embedded PostgreSQL, Prisma's query compiler) run by V8's baseline compiler only
# (its optimised copy of the 9 MB database engine costs 40 to 70 MB). README, "Memory".
CMD ["node", "--max-semi-space-size=2", "--liftoff-only", "dist/src/main.js"]
