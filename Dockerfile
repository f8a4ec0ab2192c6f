# The Pilothouse hub as a container image. Build: docker build -t pilothouse .
# Run with PostgreSQL: compose.yaml. Recipe and its test: docs/deploy.md.

# Build: the installable tarball (.pack/pilothouse-<version>.tgz) from this checkout.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && npm run pack

# Runtime: only the installed package, as a non-root user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    PILOTHOUSE_DATA=/data \
    PILOTHOUSE_HOST=0.0.0.0 \
    PILOTHOUSE_PORT=4860
COPY --from=build /src/.pack/ /tmp/pack/
RUN npm i -g --allow-scripts=better-sqlite3 /tmp/pack/pilothouse-*.tgz && rm -rf /tmp/pack /root/.npm \
 && mkdir -p /data && chown node:node /data
COPY deploy/docker/entrypoint.sh /usr/local/bin/pilothouse-entrypoint
USER node
VOLUME /data
EXPOSE 4860
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e 'fetch("http://127.0.0.1:" + (process.env.PILOTHOUSE_PORT || 4860) + "/healthz").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))'
ENTRYPOINT ["/usr/local/bin/pilothouse-entrypoint"]
