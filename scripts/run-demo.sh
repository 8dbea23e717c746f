#!/usr/bin/env bash
# make run: start the worker on the embedded Temporal server (with in-memory Slack, GitHub and
# Jira), run the example releases through the CLI, and keep everything up until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

export TOLLGATE_DATA_DIR=${TOLLGATE_DATA_DIR:-.tollgate}
export TOLLGATE_HTTP_ADDR=${TOLLGATE_HTTP_ADDR:-127.0.0.1:8080}
export TOLLGATE_TEMPORAL_PORT=${TOLLGATE_TEMPORAL_PORT:-7233}
export TOLLGATE_UI_PORT=${TOLLGATE_UI_PORT:-8233}
export TEMPORAL_ADDRESS_FOR_CLI=127.0.0.1:${TOLLGATE_TEMPORAL_PORT}
# In-memory Slack, GitHub and Jira on loopback (the fakes the tests use), so the demo shows
# approval messages, deployments and change requests without any account.
export TOLLGATE_DEMO_INTEGRATIONS=${TOLLGATE_DEMO_INTEGRATIONS:-true}
unset TEMPORAL_ADDRESS # the worker starts its own server
mkdir -p "$TOLLGATE_DATA_DIR"
log="$TOLLGATE_DATA_DIR/worker.log"

tg() { TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS_FOR_CLI bin/tollgate "$@"; }

worker_pid=""
watchers=()
cleanup() {
	trap - EXIT INT TERM
	echo
	echo "Stopping: watchers, worker (steps in flight finish), demo services."
	for p in "${watchers[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -n "$worker_pid" ]; then
		kill -TERM "$worker_pid" 2>/dev/null || true
		wait "$worker_pid" 2>/dev/null || true
	fi
	sh examples/demo/runbook.sh stop-all >/dev/null 2>&1 || true
	if [ -n "$prom_pid" ]; then kill "$prom_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

sh examples/demo/runbook.sh stop-all >/dev/null 2>&1 || true

# The canary example needs metrics: with Prometheus installed (make test-deps installs it), the
# demo runs its own on loopback, scraping the canary's instances, and the worker judges on it.
prom_pid=""
if command -v prometheus >/dev/null 2>&1; then
	prom_dir="$TOLLGATE_DATA_DIR/prometheus"
	prom_addr="127.0.0.1:${TOLLGATE_DEMO_PROMETHEUS_PORT:-9095}"
	mkdir -p "$prom_dir/data"
	cat >"$prom_dir/prometheus.yml" <<PROM
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: demo
    static_configs:
      - targets: ['127.0.0.1:18600', '127.0.0.1:18601', '127.0.0.1:18610']
PROM
	prometheus --config.file="$prom_dir/prometheus.yml" --storage.tsdb.path="$prom_dir/data" \
		--web.listen-address="$prom_addr" --storage.tsdb.retention.time=2h >>"$prom_dir/prometheus.log" 2>&1 &
	prom_pid=$!
	export TOLLGATE_PROMETHEUS_URL="http://$prom_addr"
	echo "Prometheus for the canary example: $TOLLGATE_PROMETHEUS_URL"
else
	echo "Prometheus is not installed (apt-get install prometheus, or make test-deps): the canary example is skipped."
fi

echo "Starting the worker (embedded Temporal in $TOLLGATE_DATA_DIR/temporal.db); log: $log"
bin/tollgate-worker >>"$log" 2>&1 &
worker_pid=$!

for _ in $(seq 1 120); do
	if curl -fsS "http://$TOLLGATE_HTTP_ADDR/healthz" >/dev/null 2>&1; then break; fi
	if ! kill -0 "$worker_pid" 2>/dev/null; then
		echo "The worker exited during start-up. Last lines of $log:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
	sleep 0.5
done
curl -fsS "http://$TOLLGATE_HTTP_ADDR/healthz" >/dev/null || { echo "worker not healthy after 60s; see $log" >&2; exit 1; }
demo_env="$TOLLGATE_DATA_DIR/demo-integrations.env"
if [ "$TOLLGATE_DEMO_INTEGRATIONS" = true ]; then
	# shellcheck disable=SC1090 # written by the worker at start-up: where the fakes listen
	. "$demo_env"
fi

# Each run is a new pair of releases: a release ID is never started twice.
run=$(date +%Y%m%d-%H%M%S)
storefront="storefront-2026.11.1-$run"
payments="payments-2026.11.2-$run"

echo
echo "== Starting the example releases"
tg release start -f examples/releases/storefront.yaml --id "$storefront" --as alice
tg release start -f examples/releases/payments.yaml --id "$payments" --as erin
canary=""
if [ -n "$prom_pid" ]; then
	# The stable track runs the previous version before the release, as it would in production.
	ENVIRONMENT=staging SERVICE=search PORT_BASE=185 PORT_SUFFIX=31 INSTANCE_PORT_BASE=186 \
		TRACK=stable REPLICAS=2 VERSION=1.0.0 LOAD_RPS=20 sh examples/demo/runbook.sh scale
	canary="canary-2026.11.3-$run"
	tg release start -f examples/releases/canary.yaml --id "$canary" --as alice
fi
changed=""
if [ "$TOLLGATE_DEMO_INTEGRATIONS" = true ]; then
	changed="catalog-2026.11.4-$run"
	tg release start -f examples/releases/change-controlled.yaml --id "$changed" --as alice
fi

echo
echo "== Waiting for readiness, integrity and risk, then approving as the demo approvers"
tg release wait "$storefront" --phase approval --timeout 5m
tg release wait "$payments" --phase approval --timeout 5m
# alice owns storefront: segregation of duties refuses her approval.
tg approve "$storefront" --as alice --reason "my own release" || true
tg approve "$storefront" --as bob --reason "change reviewed"
tg approve "$storefront" --as carol --reason "rollback plan checked"
tg approve "$payments" --as bob --reason "change reviewed"
tg approve "$payments" --as dave --reason "tests green"
if [ -n "$canary" ]; then
	tg release wait "$canary" --phase approval --timeout 5m
	tg approve "$canary" --as bob --reason "canary plan reviewed"
	tg approve "$canary" --as carol --reason "analysis thresholds agreed"
fi
if [ -n "$changed" ]; then
	tg release wait "$changed" --phase approval --timeout 5m
	tg approve "$changed" --as bob --reason "change reviewed"
	tg approve "$changed" --as carol --reason "lab is free"
	tg release wait "$changed" --phase change-control --timeout 2m
	sleep 3 # a few polls: the release holds until the change board decides
	key=$(tg release status "$changed" | awk '/^Change/ {print $2}')
	echo
	echo "== $changed holds for its Jira change request: $(tg release status "$changed" | grep '^Change' | sed 's/^Change *//')"
	echo "== Playing the change board: moving $key to Scheduled through Jira's REST API"
	curl -fsS -u "$TOLLGATE_DEMO_JIRA_USER:$TOLLGATE_DEMO_JIRA_TOKEN" -H 'Content-Type: application/json' \
		-d '{"transition":{"id":"51"}}' "${TOLLGATE_DEMO_JIRA_URL}rest/api/2/issue/$key/transitions"
fi

cat <<INFO

== Where to look
  JSON API         http://$TOLLGATE_HTTP_ADDR/api/releases
  Temporal Web UI  http://127.0.0.1:$TOLLGATE_UI_PORT/namespaces/default/workflows
  Worker log       $log
  Demo services    sh examples/demo/runbook.sh status
  Demo Slack/GitHub/Jira (in memory; URLs and credentials in $demo_env), e.g. change request CHG-1:
    . $demo_env; curl -u "\$TOLLGATE_DEMO_JIRA_USER:\$TOLLGATE_DEMO_JIRA_TOKEN" "\${TOLLGATE_DEMO_JIRA_URL}rest/api/2/issue/CHG-1"

== Try (in another terminal)
  export TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS_FOR_CLI
  bin/tollgate release list
  bin/tollgate release status $storefront
  bin/tollgate release watch $storefront
  bin/tollgate pause $storefront --as oncall --reason "looking at a graph"
  bin/tollgate resume $storefront --as oncall
  bin/tollgate rollback $storefront --as oncall --reason "error budget"

== Progress
INFO

(tg release watch "$payments" 2>&1 | sed -u "s/^/[payments]   /") &
watchers+=($!)
(tg release watch "$storefront" 2>&1 | sed -u "s/^/[storefront] /") &
watchers+=($!)
if [ -n "$canary" ]; then
	(tg release watch "$canary" 2>&1 | sed -u "s/^/[canary]     /") &
	watchers+=($!)
fi
if [ -n "$changed" ]; then
	(tg release watch "$changed" 2>&1 | sed -u "s/^/[catalog]    /") &
	watchers+=($!)
fi
wait "${watchers[@]}" 2>/dev/null || true
watchers=()

echo
echo "== The example releases have ended: storefront completed, payments rolled back by itself"
if [ -n "$canary" ]; then echo "   and the canary of search 2.0.0 was judged on Prometheus metrics (see [canary] above)."; fi
if [ -n "$changed" ]; then echo "   catalog went to the lab once its Jira change request was scheduled: $(tg release status "$changed" | grep '^Change' | sed 's/^Change *//')"; fi
echo "   The worker keeps running for your own releases. Ctrl-C to stop."
wait "$worker_pid"
