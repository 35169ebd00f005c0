#!/bin/bash
# One node (broker + controller) of the compose KRaft cluster, every listener SASL_SSL: SASL/SCRAM-SHA-512 for clients
# and brokers, SASL/PLAIN (admin only) on the internal controller listener, TLS with this node's certificate
# (/run/secrets/kafka_keystore, made by docker/kafka/make-certs.sh) and the CA (/run/secrets/kafka_ca) that brokers
# dialling each other verify, and ACLs enforced by the StandardAuthorizer: the same settings as
# libs/testing/src/local-hub/kafka-broker.ts (securityProperties). The four SCRAM users are created when the storage is first
# formatted (--add-scram); a volume formatted earlier keeps its users (change a password with kafka-configs.sh).
# Why: docs/decisions/006-trust-model.md.
set -euo pipefail
: "${KAFKA_NODE_ID:?}" "${CLUSTER_ID:?}"
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}" "${GATEWAY_KAFKA_PASSWORD:?set GATEWAY_KAFKA_PASSWORD}"
: "${COORDINATION_KAFKA_PASSWORD:?set COORDINATION_KAFKA_PASSWORD}" "${AUDIT_KAFKA_PASSWORD:?set AUDIT_KAFKA_PASSWORD}"
for file in /run/secrets/kafka_keystore /run/secrets/kafka_ca; do
  [ -r "$file" ] || { echo "$file is missing or unreadable: run docker/kafka/make-certs.sh (see docker/README.md)" >&2; exit 1; }
done

props=/tmp/server.properties
cat > "$props" <<PROPERTIES
process.roles=broker,controller
node.id=${KAFKA_NODE_ID}
controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093
listeners=CLIENT://:9092,CONTROLLER://:9093
advertised.listeners=CLIENT://kafka-${KAFKA_NODE_ID}:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SASL_SSL
ssl.keystore.type=PEM
ssl.keystore.location=/run/secrets/kafka_keystore
ssl.truststore.type=PEM
ssl.truststore.location=/run/secrets/kafka_ca
ssl.endpoint.identification.algorithm=https
ssl.client.auth=none
ssl.enabled.protocols=TLSv1.3,TLSv1.2
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="hub-admin" password="${KAFKA_ADMIN_PASSWORD}";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="hub-admin" password="${KAFKA_ADMIN_PASSWORD}" user_hub-admin="${KAFKA_ADMIN_PASSWORD}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:hub-admin
allow.everyone.if.no.acl.found=false
log.dirs=/var/lib/kafka/data
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
auto.create.topics.enable=false
unclean.leader.election.enable=false
PROPERTIES

# For the health check (kafka-broker-api-versions.sh --command-config): the admin, on this node only.
cat > /tmp/admin.properties <<PROPERTIES
security.protocol=SASL_SSL
ssl.truststore.type=PEM
ssl.truststore.location=/run/secrets/kafka_ca
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="hub-admin" password="${KAFKA_ADMIN_PASSWORD}";
PROPERTIES

/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "$CLUSTER_ID" -c "$props" \
  --add-scram "SCRAM-SHA-512=[name=hub-admin,password=${KAFKA_ADMIN_PASSWORD}]" \
  --add-scram "SCRAM-SHA-512=[name=agency-gateway,password=${GATEWAY_KAFKA_PASSWORD}]" \
  --add-scram "SCRAM-SHA-512=[name=coordination-node,password=${COORDINATION_KAFKA_PASSWORD}]" \
  --add-scram "SCRAM-SHA-512=[name=audit-log,password=${AUDIT_KAFKA_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh "$props"
