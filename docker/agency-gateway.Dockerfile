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
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.GATEWAY_PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
