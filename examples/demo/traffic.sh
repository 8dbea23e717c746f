# traffic.sh — the traffic operations of examples/demo/runbook.sh (sourced by it; see its header).
#
# State of a strategy service, in $DEMO_STATE/<environment>/<service>/:
#   router/        the weighted router process (pid, port, demosvc.log)
#   routes         the routes file the router follows (examples/demo/router)
#   weight colour  the traffic split last set
#   <track>-<I>/   instance I of a track, like a deploy's directory; current is
#                  "<version> <behaviour> <error rate>"

# tsetup: check the variables of a traffic operation and compute SDIR and PORT.
tsetup() {
	need ENVIRONMENT SERVICE PORT_BASE PORT_SUFFIX INSTANCE_PORT_BASE
	case $INSTANCE_PORT_BASE in
	[0-9][0-9][0-9]) ;;
	*) die "INSTANCE_PORT_BASE must be three digits (instance I of a track listens on \${INSTANCE_PORT_BASE}<track digit><I>), not '$INSTANCE_PORT_BASE'" ;;
	esac
	BEHAVIOUR=${BEHAVIOUR:-healthy}
	case $BEHAVIOUR in healthy | broken | slow) ;; *) die "BEHAVIOUR must be healthy, broken or slow, not '$BEHAVIOUR'" ;; esac
	PORT=${PORT_BASE}${PORT_SUFFIX}
	case $PORT in '' | *[!0-9]*) die "port '$PORT' (PORT_BASE PORT_SUFFIX) is not a number" ;; esac
	SDIR=$DEMO_STATE/$ENVIRONMENT/$SERVICE
	mkdir -p "$SDIR"
}

# check_track NAME: fails unless NAME is a track or colour.
check_track() {
	case $1 in stable | canary | blue | green) ;; *) die "TRACK must be stable, canary, blue or green, not '$1'" ;; esac
}

# count NAME VALUE MAX: fails unless VALUE is a whole number 0..MAX.
count() {
	case $2 in '' | *[!0-9]*) die "$1 must be a whole number, not '$2'" ;; esac
	[ "$2" -le "$3" ] || die "$1 must be at most $3, got $2"
}

instance_port() {
	case $1 in stable) _t=0 ;; canary) _t=1 ;; blue) _t=2 ;; green) _t=3 ;; esac
	echo "${INSTANCE_PORT_BASE}${_t}$2"
}

# error_rate_for VERSION: ERROR_RATE for instances of VERSION (all when ERROR_VERSION is unset).
error_rate_for() {
	if [ -n "${ERROR_RATE:-}" ] && { [ -z "${ERROR_VERSION:-}" ] || [ "$ERROR_VERSION" = "$1" ]; }; then
		echo "$ERROR_RATE"
	fi
}

# ensure_instance TRACK I VERSION: instance I of TRACK runs VERSION (restarted when it runs
# something else).
ensure_instance() {
	_idir=$SDIR/$1-$2
	mkdir -p "$_idir"
	_iport=$(instance_port "$1" "$2")
	_ierr=$(error_rate_for "$3")
	_iwant="$3 $BEHAVIOUR ${_ierr:-0}"
	if running_pid "$_idir" >/dev/null && [ "$(cat "$_idir/current" 2>/dev/null)" = "$_iwant" ]; then
		say "$1-$2 already runs $3 on port $_iport; nothing to do"
		return 0
	fi
	stop_dir "$_idir"
	printf '%s\n' "$_iwant" >"$_idir/current"
	ERR_RATE=$_ierr start_dir "$_idir" "$_iport" "$3" "$BEHAVIOUR"
}

# retire TRACK FROM: stops instances FROM.. of TRACK, after taking them out of the routes so
# that no request is sent to a stopping instance.
retire() {
	_gone=
	for _rdir in "$SDIR/$1"-*; do
		[ -d "$_rdir" ] || continue
		[ "${_rdir##*-}" -ge "$2" ] || continue
		mv "$_rdir" "$SDIR/retiring-${_rdir##*/}"
		_gone="$_gone $SDIR/retiring-${_rdir##*/}"
	done
	[ -n "$_gone" ] || return 0
	write_routes
	for _rdir in $_gone; do
		stop_dir "$_rdir"
		rm -rf "$_rdir"
		say "retired ${_rdir##*/retiring-}"
	done
}

# write_routes: the routes file from the running instances, weight and colour, replaced
# atomically so the router never reads half a file.
write_routes() {
	{
		echo "weight=$(cat "$SDIR/weight" 2>/dev/null || echo 0)"
		echo "colour=$(cat "$SDIR/colour" 2>/dev/null || true)"
		for _t in stable canary blue green; do
			_addrs=
			for _wdir in "$SDIR/$_t"-*; do
				[ -d "$_wdir" ] && running_pid "$_wdir" >/dev/null || continue
				_addrs="$_addrs 127.0.0.1:$(cat "$_wdir/port")"
			done
			echo "track.$_t=${_addrs# }"
		done
	} >"$SDIR/routes.tmp"
	mv "$SDIR/routes.tmp" "$SDIR/routes"
}

# ensure_router: the router runs on PORT and follows SDIR/routes.
ensure_router() {
	[ -f "$SDIR/routes" ] || write_routes
	_rtdir=$SDIR/router
	mkdir -p "$_rtdir"
	if running_pid "$_rtdir" >/dev/null; then
		return 0
	fi
	[ -x "$DEMO_BIN" ] || die "$DEMO_BIN is not an executable (run 'make build' or set DEMO_BIN)"
	if port_answers "$PORT"; then
		die "port $PORT is already in use by a process this runbook did not start"
	fi
	printf '%s\n' "$PORT" >"$_rtdir/port"
	_setsid=
	if command -v setsid >/dev/null 2>&1; then _setsid=setsid; fi
	$_setsid nohup "$DEMO_BIN" --router "$SDIR/routes" --addr "127.0.0.1:$PORT" --load-rps "${LOAD_RPS:-0}" \
		--pidfile "$_rtdir/pid" </dev/null >>"$_rtdir/demosvc.log" 2>&1 &
	_i=0
	until [ -f "$_rtdir/pid" ] && http_get "http://127.0.0.1:$PORT/-/routes" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -le "$START_WAIT" ] || die "the router did not answer on port $PORT (see $_rtdir/demosvc.log)"
		nap
	done
	say "router up on 127.0.0.1:$PORT (load ${LOAD_RPS:-0} requests/s)"
}

cmd_scale() {
	tsetup
	need TRACK
	check_track "$TRACK"
	if [ -n "${BATCH_TO:-}" ]; then
		need VERSION BATCH_FROM
		count BATCH_FROM "$BATCH_FROM" 9
		count BATCH_TO "$BATCH_TO" 10
		_n=$BATCH_FROM
		while [ "$_n" -lt "$BATCH_TO" ]; do
			ensure_instance "$TRACK" "$_n" "$VERSION"
			_n=$((_n + 1))
		done
	else
		count REPLICAS "${REPLICAS:-}" 10
		if [ "$REPLICAS" -gt 0 ]; then need VERSION; fi
		_n=0
		while [ "$_n" -lt "$REPLICAS" ]; do
			ensure_instance "$TRACK" "$_n" "$VERSION"
			_n=$((_n + 1))
		done
		retire "$TRACK" "$REPLICAS"
	fi
	ensure_router
	write_routes
	say "$TRACK scaled (replicas ${REPLICAS:-?}${BATCH_TO:+, batch $BATCH_FROM..$((BATCH_TO - 1))})"
}

cmd_weight() {
	tsetup
	need WEIGHT
	count WEIGHT "$WEIGHT" 100
	printf '%s\n' "$WEIGHT" >"$SDIR/weight"
	ensure_router
	write_routes
	say "canary weight $WEIGHT%"
}

cmd_switch() {
	tsetup
	need COLOUR
	case $COLOUR in blue | green) ;; *) die "COLOUR must be blue or green, not '$COLOUR'" ;; esac
	_live=0
	for _sdir in "$SDIR/$COLOUR"-*; do
		[ -d "$_sdir" ] && running_pid "$_sdir" >/dev/null && _live=$((_live + 1))
	done
	[ "$_live" -gt 0 ] || die "refusing to switch to $COLOUR: it runs no instance"
	printf '%s\n' "$COLOUR" >"$SDIR/colour"
	ensure_router
	write_routes
	say "every request goes to $COLOUR ($_live instances)"
}

cmd_observe() {
	tsetup
	_colour=$(cat "$SDIR/colour" 2>/dev/null || true)
	_track=${_colour:-stable}
	_n=0
	_ver=
	for _odir in "$SDIR/$_track"-*; do
		[ -d "$_odir" ] && running_pid "$_odir" >/dev/null || continue
		_n=$((_n + 1))
		[ -n "$_ver" ] || _ver=$(cut -d' ' -f1 "$_odir/current")
	done
	echo "version=$_ver"
	echo "replicas=$_n"
	echo "weight=$(cat "$SDIR/weight" 2>/dev/null || echo 0)"
	echo "colour=$_colour"
}
