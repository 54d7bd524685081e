# syntax=docker/dockerfile:1
#
# The gateway as a container: the check stage compiles src/ to dist/ (`npm run build`) and the image
# runs that JavaScript with plain node (tsx costs memory and start-up; bench/README.md, issue 16). The
# image holds production dependencies, dist/ and schema/ only.
#
#   docker build -t finance-gateway .
#   docker run --rm -p 4000:4000 finance-gateway            # embedded simulators, demo data
#   docker run --rm -p 4000:4000 -e IQM_BASE_URL=... -e IQM_TOKEN=... -e IQM_OW_ID=... finance-gateway
#
# Probes: GET /healthz (liveness) and GET /readyz (readiness); see README, "Operations".

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
COPY package.json package-lock.json ./
# Dependency patches, applied by `npm ci` (postinstall: patch-package; see .ci/patches/README.md).
COPY .ci/patches ./.ci/patches

# Check and build: every dependency, then the generated types must be current, the code must
# type-check, and it is compiled to dist/. Nothing installed here ships; the runtime stage copies dist/
# from this stage, so BuildKit, which skips stages the target does not use, cannot skip the check.
FROM base AS check
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.ts ./
COPY schema ./schema
COPY src ./src
# The gateway's own checks only (the example and bench/ are not in the build context; npm test covers them).
RUN npx graphql-codegen --config codegen.ts --check && npx tsc --noEmit -p tsconfig.json && npm run build

# Production dependencies only.
FROM base AS deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY schema ./schema
COPY --from=check /app/dist ./dist
# Files stay root-owned and read-only to the process; staged uploads go to UPLOAD_DIR or /tmp.
# The embedded audit trail (PGlite, without DATABASE_URL) needs a directory the process owns: mount a
# volume at /data to keep it across containers.
RUN mkdir -p /data/audit && chown node:node /data/audit
ENV AUDIT_DATA_DIR=/data/audit
USER node
EXPOSE 4000
# For plain Docker / Compose; Kubernetes ignores it and uses the probes in the README.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm, which does not pass signals on), so SIGTERM reaches the gateway's
# graceful shutdown; SHUTDOWN_GRACE_MS (default 10 s) should stay below the orchestrator's grace period.
STOPSIGNAL SIGTERM
# The V8 heap flags `npm start` uses (bench/README.md, issue 16): a 16 MB young generation, and an
# old generation that grows by half its live size between collections instead of up to 4x.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "dist/main.js"]
