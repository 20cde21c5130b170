#!/usr/bin/env bash
# Makes the secret files docker-compose.yml mounts through `secrets:`, once, in deploy/secrets/
# (git-ignored). Existing files are kept, so re-running never changes a key.
#   checkpoint-hmac.key        the trainer's and scorers' shared checkpoint key (32 random bytes, hex)
#   kafka-client.properties    Kafka client settings with credentials (--kafka-config); empty
#                              means PLAINTEXT without authentication, as the compose broker runs
#   grafana-admin-password     Grafana's admin password (anonymous access is off)
# The directory is private to you (0700); the files are readable (0644) because the containers
# run as other users (the services as uid 10001, Grafana as 472) and compose outside Swarm
# mounts secret files with their host permissions.
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
chmod 700 secrets
new() {
  local file="secrets/$1"
  if [[ -e "$file" ]]; then
    echo "kept    $file"
  else
    "${@:2}" > "$file"
    chmod 644 "$file"
    echo "created $file"
  fi
}
random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
new checkpoint-hmac.key random_hex
new grafana-admin-password random_hex
new kafka-client.properties printf '%s\n' \
  '# Kafka client settings for every service (--kafka-config). For SASL, e.g.:' \
  '# security.protocol=SASL_SSL' \
  '# sasl.mechanism=SCRAM-SHA-512' \
  '# sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="vae-stream" password="...";'
echo "Grafana: user admin, password in deploy/secrets/grafana-admin-password"
