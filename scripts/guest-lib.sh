# shellcheck shell=bash
# Helpers for code running inside a scripts/vm guest.  Source it.

# vm_modprobe MODULE [PARAMS...]: load a module (and its dependencies) from the
# module tree of the booted kernel, which lives on the host, not in /lib/modules.
vm_modprobe() {
	modprobe -d "$VDSPLEX_MODROOT" -S "$VDSPLEX_KREL" "$@"
}

# guest_hygiene: force a kmemleak scan and check that lockdep is still on.
# Prints what is wrong, nothing when all is well; returns 1 on a finding.
# kmemleak only reports objects older than about 5 s, hence the sleep.
guest_hygiene() {
	local bad=0 kml=/sys/kernel/debug/kmemleak report
	if [ -w "$kml" ]; then
		sleep 6
		echo scan >"$kml"
		echo scan >"$kml"
		# debugfs files have size 0: read the report, do not stat it.
		report=$(cat "$kml")
		if [ -n "$report" ]; then
			echo "kmemleak reported leaks:"
			echo "$report" | head -40
			echo clear >"$kml"
			bad=1
		fi
	fi
	if [ -r /proc/lockdep_stats ] && ! grep -qE 'debug_locks: +1' /proc/lockdep_stats; then
		echo "lockdep turned itself off (it found a problem earlier in the log)"
		bad=1
	fi
	return $bad
}
