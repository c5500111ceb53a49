# Sourced by the Docker tests (bash): a private Docker engine that the test starts and stops.
#   dockerd_start DIR   dockerd with its socket, data root, exec root and log in DIR (data root:
#                       $BTFPACK_DOCKER_DATA_ROOT when set, to keep images and build cache across
#                       runs); no bridge and no iptables rules (nothing on the host's network
#                       changes; builds and containers use --network host / none). Sets
#                       DOCKER_HOST and DOCKER (the docker-cli package's /usr/bin/docker, not an
#                       other docker earlier on PATH). Returns 1 with the log's tail if the
#                       engine does not answer within 60 s.
#   dockerd_stop        stops it (TERM, then KILL after 30 s) and waits for it to exit.
dockerd_start() {
  local dir=$1 i
  DOCKERD_DIR=$dir
  mkdir -p "$dir"
  DOCKER=/usr/bin/docker
  export DOCKER_HOST=unix://$dir/docker.sock
  dockerd --host "$DOCKER_HOST" --data-root "${BTFPACK_DOCKER_DATA_ROOT:-$dir/data}" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --bridge none --iptables=false --ip6tables=false >"$dir/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  for ((i = 0; i < 120; i++)); do
    "$DOCKER" info >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd did not start (log: $dir/dockerd.log):" >&2
  tail -n 15 "$dir/dockerd.log" >&2
  dockerd_stop
  return 1
}

dockerd_stop() {
  [ -n "${DOCKERD_PID:-}" ] || return 0
  local i
  kill -TERM "$DOCKERD_PID" 2>/dev/null
  for ((i = 0; i < 60; i++)); do
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$DOCKERD_PID" 2>/dev/null
  wait "$DOCKERD_PID" 2>/dev/null
  DOCKERD_PID=
}
