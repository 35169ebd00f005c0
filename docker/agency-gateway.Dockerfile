# syntax=docker/dockerfile:1
# agency-gateway's own image: the shared hub image (docker/Dockerfile) with the app, its port and its health check set.
# The three per-app Dockerfiles differ only in these values. From the repo root:
#   docker build -f docker/Dockerfile -t alert-exchange-hub:local .
#   docker build -f docker/agency-gateway.Dockerfile -t alert-exchange-hub/agency-gateway:local .
# (--build-arg HUB_IMAGE=<registry>/alert-exchange-hub:<tag> to start from a pushed shared image.)
ARG HUB_IMAGE=alert-exchange-hub:local
FROM ${HUB_IMAGE}
ENV APP=agency-gateway
EXPOSE 3000
# HTTPS when HTTPS_CERT_FILE is set (the port then speaks nothing else). This probe of the container's own loopback
# port sends no credential and only reads the status, so it does not check the certificate, whose names and CA it
# cannot know; docker-compose.yml's health checks do, against the mounted CA.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD node -e "const port = process.env.GATEWAY_PORT || 3000; const done = (ok) => process.exit(ok ? 0 : 1); \
    (process.env.HTTPS_CERT_FILE ? require('node:https') : require('node:http')) \
      .get({ host: '127.0.0.1', port, path: '/health', rejectUnauthorized: false }, (r) => done(r.statusCode === 200)) \
      .on('error', () => done(false))"
