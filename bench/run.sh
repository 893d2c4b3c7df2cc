#!/usr/bin/env bash
# The whole benchmark in one command, on one machine:
#   bench/run.sh                      # full run (about 12 minutes)
#   DURATION=5 WARMUP=1 bench/run.sh  # a quick look
#   PEER_DIR= bench/run.sh            # without the oidc-provider peer
#   POSTGRES=postgres://postgres@127.0.0.1:5432/test bench/run.sh   # also on PostgreSQL
# Builds the release binaries, then runs target/release/portcullis-bench, which
# measures the signing limit in-process, starts Portcullis (SQLite) and the peer
# (../shared/peer/start.sh, oidc-provider from the npm registry) on 127.0.0.1,
# and writes bench/results.json and bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "Node.js is needed for the peer (or set PEER_DIR=)" >&2; }
cargo build --release -p portcullis -p portcullis-bench
exec target/release/portcullis-bench \
  --duration "${DURATION:-20}" --warmup "${WARMUP:-5}" --conns "${CONNS:-32}" --threads "${THREADS:-2}" \
  --peer-dir "${PEER_DIR-../shared/peer}" --out "${OUT:-bench/results.json}" ${CASES:+--cases "$CASES"} \
  ${POSTGRES:+--postgres "$POSTGRES"}
