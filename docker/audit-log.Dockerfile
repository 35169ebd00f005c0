# syntax=docker/dockerfile:1
# audit-log's own image: the shared hub image (docker/Dockerfile) with the app, its port and its health check set.
# The three per-app Dockerfiles differ only in these values. From the repo root:
#   docker build -f docker/Dockerfile -t alert-exchange-hub:local .
#   docker build -f docker/audit-log.Dockerfile -t alert-exchange-hub/audit-log:local .
# (--build-arg HUB_IMAGE=<registry>/alert-exchange-hub:<tag> to start from a pushed shared image.)
ARG HUB_IMAGE=alert-exchange-hub:local
FROM ${HUB_IMAGE}
ENV APP=audit-log
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.AUDIT_PORT || 3002) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
