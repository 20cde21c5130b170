#!/usr/bin/env bash
# Container healthcheck: exit 0 when GET http://127.0.0.1:PORT/health answers 200.
# Plain bash (/dev/tcp), so the runtime image needs no curl.
set -euo pipefail
port="${1:?usage: healthcheck PORT}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
IFS=' ' read -r _ status _ <&3
[[ "${status}" == "200" ]]
