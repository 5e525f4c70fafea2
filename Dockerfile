# syntax=docker/dockerfile:1.7
# One image for every service; docker compose picks the service with `command`.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm install (not ci): see ensureInstalled in tools/scripts/lib.mjs.
RUN npm install --no-audit --no-fund

FROM deps AS build
COPY . .
RUN node -e "import('./tools/scripts/lib.mjs').then((m) => m.ensurePrismaClient())" \
 && NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --outputStyle=static

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
# Migrations and the migrate entry point (run by the one-shot `migrate` service).
COPY --from=build /app/tsconfig.base.json ./
COPY --from=build /app/libs/db ./libs/db
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/prediction/models ./apps/prediction/models
# The console's server (run with tsx, like migrate) serves the vite build in dist/apps/ivr-dashboard.
COPY --from=build /app/apps/ivr-dashboard/server ./apps/ivr-dashboard/server
COPY --from=build /app/apps/ivr-dashboard/src/config.ts ./apps/ivr-dashboard/src/config.ts
USER node
# docker compose gives each service its own command; this default runs the gateway.
CMD ["node", "--enable-source-maps", "dist/apps/collections-api/main.js"]
