#!/usr/bin/env bash
# Makes the secret files docker-compose.yml mounts through `secrets:`, once, in deploy/secrets/
# (git-ignored). Existing files are kept, so re-running never changes a key.
#   checkpoint-hmac.key        the trainer's and scorers' shared checkpoint key (32 random bytes, hex)
#   kafka-client.properties    Kafka client settings with credentials (--kafka-config); empty
#                              means PLAINTEXT without authentication, as the compose broker runs
#   grafana-admin-password     Grafana's admin password (anonymous access is off)
# The directory is private to you (0700). Compose outside Swarm mounts secret files with their host
# owner and mode, and the containers run as other users (the services as uid 10001, Grafana as
# 472): run as root, this script gives each file to its reader with mode 0600; otherwise the files
# are 0644 (the services then log that the key file is readable by others).
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
chmod 700 secrets
new() {
  local owner="$1" file="secrets/$2"
  if [[ -e "$file" ]]; then
    echo "kept    $file"
  else
    "${@:3}" > "$file"
    if [[ "$(id -u)" == 0 ]]; then
      chown "$owner:$owner" "$file" && chmod 600 "$file"
    else
      chmod 644 "$file"
    fi
    echo "created $file"
  fi
}
random_hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
new 10001 checkpoint-hmac.key random_hex
new 472 grafana-admin-password random_hex
new 10001 kafka-client.properties printf '%s\n' \
  '# Kafka client settings for every service (--kafka-config). For SASL, e.g.:' \
  '# security.protocol=SASL_SSL' \
  '# sasl.mechanism=SCRAM-SHA-512' \
  '# sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="vae-stream" password="...";'
echo "Grafana: user admin, password in deploy/secrets/grafana-admin-password"
