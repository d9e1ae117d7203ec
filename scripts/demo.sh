#!/usr/bin/env bash
# The main job, locally: a fresh single-node Kafka, the worker, the sample wire, the events
# printed as they arrive, and the worker left running with /metrics served.
#   scripts/demo.sh          start (after stopping any earlier demo)
#   scripts/demo.sh --down   stop the worker and Kafka
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=.venv/bin
STATE=${MEETWIRE_DEMO_DIR:-.cache/demo}
PORT=${MEETWIRE_WEB_PORT:-6066}

down() {
  if [[ -f $STATE/worker.pid ]] && kill -0 "$(cat "$STATE/worker.pid")" 2>/dev/null; then
    kill -TERM -- "-$(cat "$STATE/worker.pid")" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$(cat "$STATE/worker.pid")" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$STATE/worker.pid"
  "$BIN/meetwire" kafka down --data-dir "$STATE/kafka" 2>/dev/null || true
}

if [[ ${1:-} == --down ]]; then down; exit 0; fi

down
rm -rf "$STATE" && mkdir -p "$STATE"
echo "== starting Kafka (first run fetches the broker jars with Maven)"
bootstrap=$("$BIN/meetwire" kafka up --data-dir "$STATE/kafka")
export MEETWIRE_BROKER="kafka://$bootstrap" MEETWIRE_WEB_PORT="$PORT"
echo "   broker at $bootstrap"

echo "== starting the worker (log: $STATE/worker.log)"
# In its own folder under $STATE: the worker keeps local state in its working directory (Faust's
# RocksDB tables, the crash guard's notes), and state left by an earlier demo's Kafka makes the
# table recovery refuse to start (ConsistencyError) against this fresh one.
mkdir -p "$STATE/worker"
(cd "$STATE/worker" && exec setsid "$ROOT/$BIN/meetwire" worker) >"$STATE/worker.log" 2>&1 &
echo $! >"$STATE/worker.pid"
metric() {  # sum of a metric's samples on the worker's /metrics (0 when absent)
  curl -fs "http://127.0.0.1:$PORT/metrics" 2>/dev/null \
    | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {print s + 0}'
}
for _ in $(seq 1 240); do  # ready = extractor loaded and the agent consuming
  [[ $(metric meetwire_worker_ready) == 1 ]] && break
  kill -0 "$(cat "$STATE/worker.pid")" 2>/dev/null || { tail -n 30 "$STATE/worker.log"; exit 1; }
  sleep 0.5
done

echo "== sending samples/wire.jsonl to ${MEETWIRE_TOPIC_RAW:-wire.raw}"
"$BIN/meetwire" produce samples/wire.jsonl
sent=$(grep -c . samples/wire.jsonl)
for _ in $(seq 1 240); do  # until the worker has consumed every line we sent
  (( $(metric meetwire_items_total | cut -d. -f1) >= sent )) && break
  sleep 0.5
done

echo "== meeting events on ${MEETWIRE_TOPIC_EVENTS:-meetings.events} (one JSON per line)"
"$BIN/meetwire" tail "${MEETWIRE_TOPIC_EVENTS:-meetings.events}" --idle-timeout 5
echo "== dead letters on ${MEETWIRE_TOPIC_DEADLETTER:-wire.deadletter}"
"$BIN/meetwire" tail "${MEETWIRE_TOPIC_DEADLETTER:-wire.deadletter}" --idle-timeout 5 \
  | "$BIN/python" -c 'import json,sys; [print(" ", d["reason"], "-", d["detail"]) for d in map(json.loads, sys.stdin)]'

echo
echo "The worker keeps running. Metrics: http://127.0.0.1:$PORT/metrics"
echo "Kafka is at $bootstrap: meetwire commands run from this folder find it on their own"
echo "(recorded in .cache/kafka-bootstrap), e.g. .venv/bin/meetwire tail ${MEETWIRE_TOPIC_EVENTS:-meetings.events}"
echo "From anywhere else:"
echo "  export MEETWIRE_BROKER=kafka://$bootstrap"
echo "Stop everything with: make down"
