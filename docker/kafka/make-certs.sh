#!/bin/bash
# TLS material for the compose Kafka cluster (docs/decisions/006-trust-model.md), made once on the host with openssl:
#   docker/secrets/kafka-ca.pem             the CA every app and broker trusts (KAFKA_SSL_CA, ssl.truststore)
#   docker/secrets/kafka-ca.key             the CA's key: not mounted anywhere; keep it offline once the brokers' are made
#   docker/secrets/kafka-<n>-keystore.pem   broker n's key + certificate (DNS kafka-<n> and localhost) + CA, the PEM
#                                           keystore Kafka reads (ssl.keystore.type=PEM); key unencrypted PKCS#8
# Usage: docker/kafka/make-certs.sh [days, default 825]. Refuses to overwrite an existing CA: delete it to start over
# (the apps and brokers then need restarting, with the new files). Run it again with the CA kept to renew a broker's
# certificate (delete its keystore first).
set -euo pipefail
days="${1:-825}"
dir="$(cd "$(dirname "$0")/../secrets" && pwd)"
cd "$dir"
if [ ! -f kafka-ca.pem ]; then
  openssl req -x509 -newkey rsa:3072 -nodes -keyout kafka-ca.key -out kafka-ca.pem -days 3650 \
    -subj "/CN=Alert Exchange Hub Kafka CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  chmod 600 kafka-ca.key
  chmod 644 kafka-ca.pem
fi
for n in 1 2 3; do
  [ -f "kafka-$n-keystore.pem" ] && continue
  work="$(mktemp -d)"
  openssl req -newkey rsa:3072 -nodes -keyout "$work/key.pem" -out "$work/csr.pem" -subj "/CN=kafka-$n"
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:kafka-$n,DNS:localhost" > "$work/ext.cnf"
  openssl x509 -req -in "$work/csr.pem" -CA kafka-ca.pem -CAkey kafka-ca.key -set_serial "0x$(openssl rand -hex 16)" \
    -days "$days" -sha256 -extfile "$work/ext.cnf" -out "$work/cert.pem"
  cat "$work/key.pem" "$work/cert.pem" kafka-ca.pem > "kafka-$n-keystore.pem"
  chmod 600 "kafka-$n-keystore.pem"
  rm -rf "$work"
done
echo "Kafka TLS material in $dir. The keystores are bind-mounted as they are: give them to uid 1000 (the apache/kafka"
echo "image's appuser), e.g.  sudo chown 1000:1000 $dir/kafka-?-keystore.pem"
