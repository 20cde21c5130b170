#!/bin/sh
# The image's entrypoint: runs `vae-stream "$@"` with $JAVA_OPTS. With
# VAE_INSTANCE_ID_FROM_CONTAINER_NAME=true (the compose scorer), it adds `--instance-id NAME`,
# NAME being this container's compose name (deploy-scorer-2): Docker's DNS answers it for the
# container's own address. That name is stable across restarts and re-creation, and unique per
# replica, so each replica keeps its transactional id and static group membership.
set -eu
if [ "${VAE_INSTANCE_ID_FROM_CONTAINER_NAME:-}" = "true" ]; then
  ip=$(hostname -i | cut -d' ' -f1)
  name=$(getent hosts "$ip" | awk '{print $2}' | cut -d. -f1)
  if [ -n "$name" ]; then
    set -- "$@" --instance-id "$name"
  else
    echo "entrypoint: no DNS name for $ip; the scorer uses its hostname as instance id" >&2
  fi
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java $JAVA_OPTS -cp '/app/vae-stream.jar:/app/lib/*' dev.vaestream.app.VaeStream "$@"
