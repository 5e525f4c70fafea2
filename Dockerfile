# syntax=docker/dockerfile:1.7
# One image for every service; docker compose, Kubernetes and Render pick the service with the command.
FROM node:20.20.2-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci: exactly the committed lockfile (CI fails when a fresh `npm install` would rewrite it: tools/scripts/lib.mjs).
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN node -e "import('./tools/scripts/lib.mjs').then((m) => m.ensurePrismaClient())" \
 && NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build --outputStyle=static

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Migrations and the migrate entry point (run by the one-shot `migrate` service / Job / preDeployCommand).
COPY --from=build /app/tsconfig.base.json ./
COPY --from=build /app/libs/db ./libs/db
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/prediction/models ./apps/prediction/models
# The console's server (run with tsx, like migrate) serves the vite build in dist/apps/ivr-dashboard.
COPY --from=build /app/apps/ivr-dashboard/server ./apps/ivr-dashboard/server
COPY --from=build /app/apps/ivr-dashboard/src/config.ts ./apps/ivr-dashboard/src/config.ts
# docker compose's one-shot secrets service (deploy/compose/init-secrets.mjs).
COPY --from=build /app/deploy/compose/init-secrets.mjs ./deploy/compose/init-secrets.mjs
# The model directory and compose's secrets volume belong to the unprivileged user: a named volume mounted there
# starts with this ownership, so the services (never root) can write a trained model and the generated secrets.
RUN mkdir -p /secrets && chown node:node /secrets apps/prediction/models && chown -R node:node apps/prediction/models
USER node
# Liveness of whichever service the container runs (PORT, or DASHBOARD_PORT for the console); no dependency is
# checked here, so an outage of PostgreSQL does not mark every container unhealthy (compose overrides per service).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || process.env.DASHBOARD_PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# docker compose gives each service its own command; this default runs the gateway.
CMD ["node", "--enable-source-maps", "dist/apps/collections-api/main.js"]
