#!/bin/bash
# HTTPS material for the three compose services (docs/decisions/006-trust-model.md), made once on the host with
# openssl, the way docker/kafka/make-certs.sh makes Kafka's. Written to docker/secrets/ (git-ignored) unless --out:
#   https-ca.pem                 the CA the services' certificates chain to: what clients trust (curl --cacert,
#                                NODE_EXTRA_CA_CERTS, the compose health checks, Prometheus)
#   https-ca.key                 the CA's key: not mounted anywhere; keep it offline once the certificates are made
#   <service>-https.pem          the service's certificate (DNS <service> and localhost, IP 127.0.0.1, and every
#                                --dns name), then the CA: HTTPS_CERT_FILE
#   <service>-https.key          its unencrypted PKCS#8 key: HTTPS_KEY_FILE
# for agency-gateway, coordination-node and audit-log. A private CA suits a trial and a closed network; agencies
# reaching the gateway over the internet are better served by a certificate of a CA they already trust: put that
# certificate and key in the same files instead (any PEM certificate and its key will do).
#
# Usage: docker/https/make-certs.sh [--dns NAME]... [--days N (default 825)] [--out DIR]
# Refuses to overwrite an existing CA: delete it to start over (the services then need the new files). Run it again
# with the CA kept to renew a certificate (delete that service's .pem and .key first).
set -euo pipefail
days=825
out="$(cd "$(dirname "$0")/../secrets" && pwd)"
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dns) names+=("$2"); shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--dns NAME]... [--days N] [--out DIR]" >&2; exit 64 ;;
  esac
done
mkdir -p "$out"
cd "$out"
if [ ! -f https-ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout https-ca.key -out https-ca.pem \
    -days 3650 -subj "/CN=Alert Exchange Hub HTTPS CA" -set_serial "0x$(openssl rand -hex 16)" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 600 https-ca.key
  chmod 644 https-ca.pem
fi
for service in agency-gateway coordination-node audit-log; do
  [ -f "$service-https.pem" ] && [ -f "$service-https.key" ] && continue
  work="$(mktemp -d)"
  san="DNS:$service,DNS:localhost,IP:127.0.0.1"
  for name in "${names[@]+"${names[@]}"}"; do san="$san,DNS:$name"; done
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/csr.pem" \
    -subj "/CN=$service" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
    "subjectAltName=$san" > "$work/ext.cnf"
  openssl x509 -req -in "$work/csr.pem" -CA https-ca.pem -CAkey https-ca.key \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 -extfile "$work/ext.cnf" -out "$work/cert.pem" \
    2>/dev/null
  cat "$work/cert.pem" https-ca.pem > "$service-https.pem"
  cp "$work/key.pem" "$service-https.key"
  chmod 644 "$service-https.pem"
  chmod 600 "$service-https.key"
  rm -rf "$work"
done
echo "HTTPS material in $out. The keys are bind-mounted as they are: give them to uid 1000 (the image's node user),"
echo "e.g.  sudo chown 1000:1000 $out/*-https.key"
