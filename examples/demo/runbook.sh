#!/bin/sh
# runbook.sh — the runbook of Tollgate's demo services (see examples/README.md).
#
#   sh examples/demo/runbook.sh deploy|verify|rollback   one service in one environment
#   sh examples/demo/runbook.sh stop-all|status          every demo process under $DEMO_STATE
#   sh examples/demo/runbook.sh scale|weight|switch|observe   traffic operations of strategies
#
# Traffic operations (a service with a strategy: rolling, canary, blue-green) run several
# instances of a service behind the demo's weighted router (demosvc --router, see
# examples/demo/router). The router listens on 127.0.0.1:${PORT_BASE}${PORT_SUFFIX}, where a
# plain deploy would put the service; instance I of track T listens on
# ${INSTANCE_PORT_BASE}<t><I>, t = 0 stable, 1 canary, 2 blue, 3 green (INSTANCE_PORT_BASE: three
# digits). Tollgate passes TRACK, REPLICAS, VERSION, BATCH_FROM/BATCH_TO (scale), WEIGHT (weight),
# COLOUR (switch); every operation sets a state, so running it twice changes nothing:
#   scale     TRACK runs REPLICAS instances of VERSION (0 retires it), or instances
#             BATCH_FROM..BATCH_TO-1 run VERSION (a rolling batch)
#   weight    the canary track receives WEIGHT percent of the requests
#   switch    every request goes to COLOUR (refused when COLOUR runs no instance)
#   observe   prints version=, replicas=, weight=, colour= of the serving track
# ERROR_RATE (0–1) makes instances answer that share of GET / with 500 — only those running
# ERROR_VERSION when it is set — so a canary can be made bad on purpose. LOAD_RPS makes the
# router send itself that many GET / a second, so metrics have traffic to judge.
#
# Tollgate runs the step commands of examples/releases/*.yaml from the repository root with
# RELEASE_ID, SERVICE, VERSION, ENVIRONMENT, REGION, STEP and IDEMPOTENCY_KEY in the environment,
# plus the spec vars: PORT_BASE (per environment), PORT_SUFFIX (per service) and optionally
# BEHAVIOUR (healthy|broken|slow). The service listens on 127.0.0.1:${PORT_BASE}${PORT_SUFFIX}.
#
# Every step is idempotent, because Tollgate retries steps:
#   deploy    a second deploy of the same version and behaviour does nothing;
#   rollback  a second rollback does nothing (the rolled-back version is no longer current).
#
# State lives in $DEMO_STATE/<environment>/<service>/:
#   pid       process ID of the running demosvc (written by demosvc itself once listening)
#   current   "<version> <behaviour>" of the last deploy
#   previous  "<version> <behaviour>" that was running before it (what rollback restores)
#   port      the port of the last start
#   demosvc.log  stdout and stderr of every process started there
set -eu

DEMO_BIN=${DEMO_BIN:-bin/demosvc}
DEMO_STATE=${DEMO_STATE:-.tollgate/demo}
# Bounds, in tenths of a second.
START_WAIT=${DEMO_START_WAIT:-100} # until a new process answers /version
STOP_WAIT=${DEMO_STOP_WAIT:-100}   # until a stopped process is gone (then SIGKILL)

PREFIX="[${ENVIRONMENT:-?}/${SERVICE:-?}]"

say() { printf '%s %s\n' "$PREFIX" "$*"; }
die() {
	printf '%s ERROR: %s\n' "$PREFIX" "$*" >&2
	exit 1
}

usage() {
	echo "usage: sh $0 deploy|verify|rollback|stop-all|status|scale|weight|switch|observe" >&2
	exit 2
}

# need NAME... fails unless each named variable is set and not empty.
need() {
	for _v in "$@"; do
		eval "_val=\${$_v:-}"
		[ -n "$_val" ] || die "$_v is not set (Tollgate passes it; set it by hand when testing)"
	done
}

nap() { sleep 0.1 2>/dev/null || sleep 1; }

# http_get URL: print the body; non-zero on a transport error or a non-2xx status.
# demosvc --probe is preferred so that curl is not required.
http_get() {
	if [ -x "$DEMO_BIN" ]; then
		"$DEMO_BIN" --probe "$1" --probe-timeout 2s 2>/dev/null
	elif command -v curl >/dev/null 2>&1; then
		curl -fsS --max-time 2 "$1" 2>/dev/null
	else
		die "neither $DEMO_BIN nor curl is available to probe $1"
	fi
}

# alive PID: true when the process exists and is not a zombie.
alive() {
	case "${1:-}" in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || _st=
		[ "$_st" != Z ] || return 1
	fi
	return 0
}

# port_answers PORT: true when something answers HTTP on the port.
port_answers() { http_get "http://127.0.0.1:$1/version" >/dev/null 2>&1; }

# running_pid DIR: print the PID of the live process recorded in DIR, if any.
running_pid() {
	[ -f "$1/pid" ] || return 1
	_pid=$(cat "$1/pid" 2>/dev/null) || return 1
	alive "$_pid" || return 1
	printf '%s\n' "$_pid"
}

# stop_dir DIR [WHAT]: stop the process recorded in DIR (SIGTERM, bounded wait, then SIGKILL)
# and wait, bounded, until its port is free. WHAT describes it (default: DIR/current).
stop_dir() {
	_dir=$1
	_what=${2:-$(cat "$_dir/current" 2>/dev/null || echo unknown)}
	if _pid=$(running_pid "$_dir"); then
		say "stopping pid $_pid ($_what)"
		kill -TERM "$_pid" 2>/dev/null || true
		_i=0
		while alive "$_pid"; do
			_i=$((_i + 1))
			if [ "$_i" -gt "$STOP_WAIT" ]; then
				say "pid $_pid ignored SIGTERM; sending SIGKILL"
				kill -KILL "$_pid" 2>/dev/null || true
				break
			fi
			nap
		done
	fi
	rm -f "$_dir/pid"
	if [ -f "$_dir/port" ]; then
		_port=$(cat "$_dir/port")
		_i=0
		while port_answers "$_port"; do
			_i=$((_i + 1))
			[ "$_i" -le "$STOP_WAIT" ] || die "port $_port is still in use after stopping"
			nap
		done
	fi
}

# start_dir DIR PORT VERSION BEHAVIOUR: start demosvc detached and wait, bounded, until /version
# answers VERSION.
start_dir() {
	_dir=$1 _port=$2 _ver=$3 _beh=$4
	[ -x "$DEMO_BIN" ] || die "$DEMO_BIN is not an executable (run 'make build' or set DEMO_BIN)"
	if port_answers "$_port"; then
		die "port $_port is already in use by a process this runbook did not start"
	fi
	rm -f "$_dir/pid"
	printf '%s\n' "$_port" >"$_dir/port"
	printf '%s start %s %s (release %s, key %s)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"$_ver" "$_beh" "${RELEASE_ID:-none}" "${IDEMPOTENCY_KEY:-none}" >>"$_dir/demosvc.log"
	# setsid (when present) puts the service in its own session, so that it survives the end of
	# this script and of the step's process group; nohup makes it ignore SIGHUP. No pipe of the
	# caller is inherited: stdin is /dev/null and stdout/stderr go to the log.
	_setsid=
	if command -v setsid >/dev/null 2>&1; then _setsid=setsid; fi
	# ERR_RATE (set by the traffic operations only) adds --error-rate.
	$_setsid nohup "$DEMO_BIN" --service "$SERVICE" --version "$_ver" \
		--addr "127.0.0.1:$_port" --behaviour "$_beh" --pidfile "$_dir/pid" ${ERR_RATE:+--error-rate "$ERR_RATE"} \
		</dev/null >>"$_dir/demosvc.log" 2>&1 &
	_launched=$!
	say "started $SERVICE $_ver ($_beh) on 127.0.0.1:$_port, waiting for /version"
	_i=0
	while :; do
		if [ -f "$_dir/pid" ] && _got=$(http_get "http://127.0.0.1:$_port/version") &&
			[ "$_got" = "$_ver" ]; then
			say "up: pid $(cat "$_dir/pid"), /version answers $_got"
			return 0
		fi
		if [ ! -f "$_dir/pid" ] && ! alive "$_launched"; then
			say "demosvc exited during start-up; last lines of $_dir/demosvc.log:" >&2
			tail -n 5 "$_dir/demosvc.log" >&2 || true
			die "$SERVICE $_ver did not start on port $_port"
		fi
		_i=$((_i + 1))
		if [ "$_i" -gt "$START_WAIT" ]; then
			if _pid=$(running_pid "$_dir"); then kill -KILL "$_pid" 2>/dev/null || true; fi
			alive "$_launched" && kill -KILL "$_launched" 2>/dev/null || true
			rm -f "$_dir/pid"
			die "$SERVICE $_ver did not answer /version on port $_port within $((START_WAIT / 10))s (see $_dir/demosvc.log)"
		fi
		nap
	done
}

# setup: check the variables of one service step and compute DIR, PORT, WANT.
setup() {
	need ENVIRONMENT SERVICE PORT_BASE PORT_SUFFIX
	BEHAVIOUR=${BEHAVIOUR:-healthy}
	case $BEHAVIOUR in healthy | broken | slow) ;; *) die "BEHAVIOUR must be healthy, broken or slow, not '$BEHAVIOUR'" ;; esac
	PORT=${PORT_BASE}${PORT_SUFFIX}
	case $PORT in '' | *[!0-9]*) die "port '$PORT' (PORT_BASE PORT_SUFFIX) is not a number" ;; esac
	DIR=$DEMO_STATE/$ENVIRONMENT/$SERVICE
	mkdir -p "$DIR"
	WANT="${VERSION:-} $BEHAVIOUR"
}

cmd_deploy() {
	need VERSION
	setup
	cur=$(cat "$DIR/current" 2>/dev/null) || cur=
	if pid=$(running_pid "$DIR"); then
		if [ "$cur" = "$WANT" ] && [ "$(cat "$DIR/port" 2>/dev/null)" = "$PORT" ] &&
			[ "$(http_get "http://127.0.0.1:$PORT/version" || true)" = "$VERSION" ]; then
			say "$SERVICE $VERSION ($BEHAVIOUR) is already running (pid $pid); nothing to do"
			return 0
		fi
		# What runs now is what a rollback restores.
		printf '%s\n' "$cur" >"$DIR/previous"
		say "recorded running version '$cur' as previous"
	elif [ "$cur" != "$WANT" ]; then
		# Nothing runs and this is not a retry of a failed deploy of the same version.
		rm -f "$DIR/previous"
	fi
	# Record the new deploy before touching the old process: should anything below fail, a
	# retried deploy or a rollback of this version still finds its way back to "previous".
	printf '%s\n' "$WANT" >"$DIR/current"
	stop_dir "$DIR" "${cur:-unknown}"
	start_dir "$DIR" "$PORT" "$VERSION" "$BEHAVIOUR"
	say "deployed $SERVICE $VERSION ($BEHAVIOUR) to $ENVIRONMENT${REGION:+ ($REGION)}"
}

cmd_verify() {
	need VERSION
	setup
	got=$(http_get "http://127.0.0.1:$PORT/version") || die "GET http://127.0.0.1:$PORT/version failed"
	[ "$got" = "$VERSION" ] || die "/version answers '$got', want '$VERSION'"
	say "verified: /version answers $VERSION"
}

cmd_rollback() {
	need VERSION
	setup
	cur=$(cat "$DIR/current" 2>/dev/null) || cur=
	if [ "$cur" != "$WANT" ]; then
		# Already rolled back, or this version never got deployed here: leave things as they are.
		say "$SERVICE $VERSION ($BEHAVIOUR) is not the current deploy (current: '${cur:-none}'); nothing to roll back"
		return 0
	fi
	prev=$(cat "$DIR/previous" 2>/dev/null) || prev=
	stop_dir "$DIR"
	if [ -z "$prev" ]; then
		rm -f "$DIR/current"
		say "rolled back: no previous version recorded, $SERVICE stays stopped"
		return 0
	fi
	pver=${prev% *}
	pbeh=${prev##* }
	start_dir "$DIR" "$PORT" "$pver" "$pbeh"
	printf '%s\n' "$prev" >"$DIR/current"
	rm -f "$DIR/previous"
	say "rolled back $SERVICE from $VERSION to $pver ($pbeh)"
}

# each_dir FUNC: call FUNC DIR ENV SVC for every service directory under $DEMO_STATE.
each_dir() {
	[ -d "$DEMO_STATE" ] || return 0
	for _e in "$DEMO_STATE"/*/; do
		[ -d "$_e" ] || continue
		for _s in "$_e"*/; do
			[ -d "$_s" ] || continue
			_s=${_s%/}
			_env=${_s%/*}
			"$1" "$_s" "${_env##*/}" "${_s##*/}"
		done
	done
}

stop_one() {
	PREFIX="[$2/$3]"
	if running_pid "$1" >/dev/null; then
		stop_dir "$1"
		say "stopped"
	fi
	# Instances and the router of a strategy service live one level down.
	for _sub in "$1"/*/; do
		[ -d "$_sub" ] || continue
		_sub=${_sub%/}
		if running_pid "$_sub" >/dev/null; then
			stop_dir "$_sub"
			say "stopped ${_sub##*/}"
		fi
		rm -f "$_sub/pid" "$_sub/current"
	done
	# Nothing is deployed any more: forget the records so the next run starts from scratch.
	rm -f "$1/pid" "$1/current" "$1/previous" "$1/routes" "$1/weight" "$1/colour"
}

status_one() {
	PREFIX="[$2/$3]"
	_what=$(cat "$1/current" 2>/dev/null) || _what=none
	_port=$(cat "$1/port" 2>/dev/null) || _port=?
	if _pid=$(running_pid "$1"); then
		say "running pid $_pid, version/behaviour '$_what', port $_port"
	else
		say "stopped (last deploy: '$_what')"
	fi
}

. "$(dirname "$0")/traffic.sh"

case ${1:-} in
scale) cmd_scale ;;
weight) cmd_weight ;;
switch) cmd_switch ;;
observe) cmd_observe ;;
deploy) cmd_deploy ;;
verify) cmd_verify ;;
rollback) cmd_rollback ;;
stop-all) each_dir stop_one ;;
status) each_dir status_one ;;
*) usage ;;
esac
