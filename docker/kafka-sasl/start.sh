#!/bin/sh
# The Kafka broker of docker-compose.sasl.yml: single-node KRaft, every listener other containers
# or the host can reach is SASL_SSL (SCRAM logins, TLS), ACLs on (StandardAuthorizer, nothing
# allowed without one). Plaintext only on the container's own loopback: the controller and the
# broker's link to itself, whose ANONYMOUS principal is therefore a super user (as in
# kafka-local/broker.ts). SCRAM users `admin` and the product's `spend` are made when the storage
# is first formatted; the TLS key and a self-signed certificate (for "kafka" and "localhost") on
# first start, the certificate copied to $TLS_SHARED_DIR/ca.pem for the clients.
# Runs in the apache/kafka image; with KAFKA_LIBS etc. set it runs anywhere Java 17+ is.
set -eu

: "${SPEND_KAFKA_ADMIN_PASSWORD:?set SPEND_KAFKA_ADMIN_PASSWORD (letters and digits)}"
: "${SPEND_KAFKA_INGEST_PASSWORD:?set SPEND_KAFKA_INGEST_PASSWORD (letters and digits)}"
KAFKA_LIBS=${KAFKA_LIBS:-/opt/kafka/libs}
STATE_DIR=${KAFKA_STATE_DIR:-/var/lib/kafka/data}
TLS_SHARED_DIR=${TLS_SHARED_DIR:-/tls}
INTERNAL_PORT=${INTERNAL_PORT:-9092}
HOST_PORT=${HOST_PORT:-29092}
LOOPBACK_PORT=${LOOPBACK_PORT:-9091}
CONTROLLER_PORT=${CONTROLLER_PORT:-9093}
ADVERTISED_HOST=${ADVERTISED_HOST:-kafka}
CLUSTER_ID=${CLUSTER_ID:-tKq3vYbgS3q3m8bqvZb2Qw}
bin() { if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/$1"; else echo "$1"; fi; }

for password in "$SPEND_KAFKA_ADMIN_PASSWORD" "$SPEND_KAFKA_INGEST_PASSWORD"; do
  case "$password" in *[!A-Za-z0-9]*) echo "Kafka passwords here must be letters and digits only" >&2; exit 2 ;; esac
done

umask 077
mkdir -p "$STATE_DIR/logs" "$STATE_DIR/tls" "$TLS_SHARED_DIR"
keystore="$STATE_DIR/tls/broker.p12"
if [ ! -f "$keystore" ]; then
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STATE_DIR/tls/keystore.password"
  "$(bin keytool)" -genkeypair -noprompt -alias broker -keyalg RSA -keysize 2048 -validity 3650 \
    -dname "CN=$ADVERTISED_HOST" -ext "SAN=dns:kafka,dns:localhost,ip:127.0.0.1" \
    -storetype PKCS12 -keystore "$keystore" -storepass "$(cat "$STATE_DIR/tls/keystore.password")"
fi
store_password=$(cat "$STATE_DIR/tls/keystore.password")
# The clients trust this certificate (KAFKA_TLS_CA_FILE); it is public, so readable by all.
"$(bin keytool)" -exportcert -rfc -alias broker -keystore "$keystore" -storepass "$store_password" \
  -file "$TLS_SHARED_DIR/ca.pem"
chmod 755 "$TLS_SHARED_DIR"
chmod 644 "$TLS_SHARED_DIR/ca.pem"

jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$SPEND_KAFKA_ADMIN_PASSWORD\";"
props="$STATE_DIR/server.properties"
cat > "$props" <<PROPERTIES
# Written by docker/kafka-sasl/start.sh at every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=INTERNAL://0.0.0.0:$INTERNAL_PORT,HOST://0.0.0.0:$HOST_PORT,LOOPBACK://127.0.0.1:$LOOPBACK_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=INTERNAL://$ADVERTISED_HOST:$INTERNAL_PORT,HOST://localhost:$HOST_PORT,LOOPBACK://127.0.0.1:$LOOPBACK_PORT
listener.security.protocol.map=INTERNAL:SASL_SSL,HOST:SASL_SSL,LOOPBACK:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=LOOPBACK
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
listener.name.internal.scram-sha-512.sasl.jaas.config=$jaas
listener.name.internal.scram-sha-256.sasl.jaas.config=$jaas
listener.name.host.scram-sha-512.sasl.jaas.config=$jaas
listener.name.host.scram-sha-256.sasl.jaas.config=$jaas
ssl.keystore.type=PKCS12
ssl.keystore.location=$keystore
ssl.keystore.password=$store_password
ssl.key.password=$store_password
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
log.dirs=$STATE_DIR/logs
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
PROPERTIES

# KRaft takes SCRAM users at format time only (later ones: kafka-configs.sh, docs/kafka.md).
if [ ! -f "$STATE_DIR/logs/meta.properties" ]; then
  scram() { echo "SCRAM-SHA-512=[name=$1,password=$2]"; }
  "$(bin java)" -Xmx256m -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$props" --ignore-formatted \
    --add-scram "$(scram admin "$SPEND_KAFKA_ADMIN_PASSWORD")" \
    --add-scram "$(scram spend "$SPEND_KAFKA_INGEST_PASSWORD")"
fi

if [ -x /opt/kafka/bin/kafka-server-start.sh ] && [ -z "${KAFKA_LIBS_OVERRIDDEN:-}" ]; then
  exec /opt/kafka/bin/kafka-server-start.sh "$props"
fi
exec "$(bin java)" -Xmx512m -cp "$KAFKA_LIBS/*" kafka.Kafka "$props"
