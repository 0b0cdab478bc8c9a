# smoke: no
# kernels: stock-6.12
# vdsplex monitor (Documentation/deployment.rst, "Monitoring"; in the manner
# of mdadm --monitor): --oneshot's report and exit status; errors; then two
# monitors following dm events, one on named volumes running --program, one
# on every volume with --json, through fail_plex, a readd_plex to its end,
# an AddPlex to its end, a canceled AddPlex, a write failing on a dm-error
# plex, a check finding a mismatch, and a volume created and removed.  The
# events (and the program's arguments and environment) must come in order,
# each once.
# The --json monitor runs a --program that prints on stdout: that goes to
# the monitor's stderr, and every line of its stdout stays a JSON object.
# SIGTERM and SIGINT end a monitor with exit 0, also one started with
# SIGTERM blocked.
brd_load 8 16
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# wait_for FILE PATTERN [N]: until N lines (default 1) of FILE match PATTERN
# (grep BRE); fails after 60 s.
wait_for() {
	local f=$1 pat=$2 n=${3:-1} t=300 c
	while :; do
		c=$(grep -c -- "$pat" "$f" 2>/dev/null || true)
		[ "${c:-0}" -lt "$n" ] || return 0
		[ "$t" -gt 0 ] || fail "no '$pat' (x$n) in $f after 60 s; it has: $(cat "$f")"
		sleep 0.2
		t=$((t - 1))
	done
}

"$VX" create v --plex /dev/ram0 --plex /dev/ram1 --nosync
"$VX" create s --plex /dev/ram5 --plex /dev/ram6 --nosync

# --oneshot: healthy volumes: nothing to say, exit 0
out=$("$VX" monitor --oneshot) || fail "monitor --oneshot on healthy volumes failed"
expect_eq "$out" "" "monitor --oneshot on healthy volumes"
# a degraded volume: one line, exit 1
dmsetup message s 0 fail_plex 1
rc=0
out=$("$VX" monitor --oneshot) || rc=$?
echo "$out"
expect_eq "$rc" 1 "monitor --oneshot exit status with a degraded volume"
echo "$out" | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} s: DegradedVolume health AD' ||
	fail "monitor --oneshot: $out"
expect_eq "$(echo "$out" | wc -l)" 1 "monitor --oneshot lines"
"$VX" monitor v --oneshot || fail "monitor v --oneshot: v is healthy"
rc=0
out=$("$VX" monitor /dev/mapper/s v --oneshot --json) || rc=$?
expect_eq "$rc" 1 "monitor s v --oneshot --json exit status"
expect_eq "$(echo "$out" | json '(d["event"], d["volume"]["name"], d["plex"], d["status"]["health"])')" \
	"('DegradedVolume', 's', None, 'AD')" "monitor --oneshot --json"

# errors: exit 1 for a volume that is not there or not vdsplex, 2 for usage
rc=0
err=$("$VX" monitor nosuch --oneshot 2>&1) || rc=$?
expect_eq "$rc" 1 "monitor of a missing volume"
echo "$err" | grep -q "VOLUME 'nosuch': no such device" || fail "monitor nosuch: $err"
dmsetup create lin --table "0 8192 linear /dev/ram7 0"
vx_expect VDS_E_INVALID_OPERATION monitor lin
dmsetup remove lin
rc=0
"$VX" monitor v --program 2>/dev/null || rc=$?
expect_eq "$rc" 2 "monitor --program without PROG"
rc=0
err=$("$VX" monitor v --program /nonexistent/handler 2>&1) || rc=$?
expect_eq "$rc" 1 "monitor --program with a missing program"
echo "$err" | grep -q "/nonexistent/handler" || fail "monitor --program /nonexistent/handler: $err"

# The handler logs its arguments and environment, one line per call.
cat >/tmp/handler <<'EOF'
#!/bin/sh
echo "$*|$VDSPLEX_EVENT|$VDSPLEX_VOLUME|${VDSPLEX_PLEX-}|${VDSPLEX_DEVICE-}|${VDSPLEX_STATUS-}" >>/tmp/handler.log
EOF
chmod +x /tmp/handler
: >/tmp/handler.log
# ... and one that prints on stdout, for the --json monitor
cat >/tmp/loud <<'EOF'
#!/bin/sh
echo "loud: $*"
EOF
chmod +x /tmp/loud

# The resyncs run at 4 MiB/s, so that every start is seen.
dmsetup message v 0 resync_rate 4096
"$VX" monitor v s --program /tmp/handler >/tmp/mon.out 2>/tmp/mon.err &
mon=$!
# (a background job of a script ignores SIGINT: restore the default, as a
# terminal's foreground job has it)
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' "$VX" monitor --json --program /tmp/loud \
	>/tmp/all.out 2>/tmp/all.err &
all=$!
# s is degraded: its line says that each monitor has had its first look
wait_for /tmp/mon.out ' s: DegradedVolume health AD$'
wait_for /tmp/all.out '"event":"DegradedVolume"'

# fail_plex
dmsetup message v 0 fail_plex 1
wait_for /tmp/mon.out ' v: PlexFailed plex 1 (/dev/ram1)$'
# half the volume written while plex 1 is dead, then readd_plex to its end
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=8 oflag=direct status=none
dmsetup message v 0 readd_plex 1
wait_idle v 120
wait_for /tmp/mon.out ' v: RebuildFinished$'

# an AddPlex to its end
"$VX" add-plex v /dev/ram2 --wait >/dev/null 2>/tmp/add.err || { cat /tmp/add.err; fail "add-plex ram2"; }
wait_for /tmp/mon.out ' v: RebuildFinished$' 2

# an AddPlex canceled
dmsetup message v 0 resync_rate 256
"$VX" add-plex v /dev/ram3 >/dev/null
wait_for /tmp/mon.out ' v: RebuildStarted$' 3
"$VX" cancel v >/dev/null || fail "cancel"
wait_for /tmp/mon.out ' v: RebuildCanceled$'
dmsetup message v 0 resync_rate 4096

# a write that fails on a plex whose device turned into dm-error
sz=$(blockdev --getsz /dev/ram4)
dmsetup create leg --table "0 $sz linear /dev/ram4 0"
"$VX" add-plex v /dev/mapper/leg --stack --wait >/dev/null 2>/tmp/add.err ||
	{ cat /tmp/add.err; fail "add-plex leg"; }
wait_for /tmp/mon.out ' v: RebuildFinished$' 3
dmsetup suspend leg
dmsetup load leg --table "0 $sz error"
dmsetup resume leg
dd if=/dev/urandom of=/dev/mapper/v bs=4k count=1 oflag=direct status=none
expect_eq "$(health v)" AAAD "health after the write error"
wait_for /tmp/mon.out ' v: PlexFailed plex 3 (/dev/mapper/leg)$'

# a check that finds region 5 different on plex 1
dd if=/dev/urandom of=/dev/ram1 bs=1M seek=5 count=1 oflag=direct status=none
dmsetup message v 0 check
wait_for /tmp/mon.out ' v: Mismatches 1 region$'

# a volume created, then removed: the monitor of every volume follows
"$VX" create w --plex /dev/ram7 --nosync
wait_for /tmp/all.out '"event":"NewVolume"'
dmsetup remove w
wait_for /tmp/all.out '"event":"VolumeRemoved"'
# (its program is waited for before SIGINT: the monitor would not wait)
wait_for /tmp/all.err '^loud: VolumeRemoved w$'

kill -TERM "$mon"
rc=0
wait "$mon" || rc=$?
expect_eq "$rc" 0 "monitor exit status after SIGTERM"
kill -INT "$all"
rc=0
wait "$all" || rc=$?
expect_eq "$rc" 0 "monitor exit status after SIGINT"
cat /tmp/mon.out
[ ! -s /tmp/mon.err ] || fail "the monitor said on stderr: $(cat /tmp/mon.err)"

# Every line: "<time> <volume>: <event>..."; v's events, in order, each once.
grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} [sv]: [A-Z]' /tmp/mon.out &&
	fail "malformed lines: $(grep -Ev '^[0-9-]{10}T[0-9:]{8} [sv]: [A-Z]' /tmp/mon.out)"
want="PlexFailed plex 1 (/dev/ram1)
RebuildStarted
PlexInSync plex 1 (/dev/ram1)
RebuildFinished
PlexAdded plex 2 (/dev/ram2)
RebuildStarted
PlexInSync plex 2 (/dev/ram2)
RebuildFinished
PlexAdded plex 3 (/dev/ram3)
RebuildStarted
PlexRemoved plex 3 (/dev/ram3)
RebuildCanceled
PlexAdded plex 3 (/dev/mapper/leg)
RebuildStarted
PlexInSync plex 3 (/dev/mapper/leg)
RebuildFinished
PlexFailed plex 3 (/dev/mapper/leg)
CheckStarted
CheckFinished
Mismatches 1 region"
expect_eq "$(sed -n 's/^[0-9T:-]* v: //p' /tmp/mon.out)" "$want" "the monitor's events of v"
expect_eq "$(grep -c ' s: ' /tmp/mon.out)" 1 "the monitor's events of s"

# --program: PROG EVENT VOLUME [PLEX-INDEX], one call per event, in order
cat /tmp/handler.log
expect_eq "$(cut -d'|' -f1 /tmp/handler.log)" \
	"DegradedVolume s
$(echo "$want" | sed -e 's/ (.*)$//' -e 's/ [0-9]* regions*$//' -e 's/^\([A-Za-z]*\)$/\1 v/' \
	-e 's/^\([A-Za-z]*\) plex \([0-9]*\)$/\1 v \2/')" "the program's arguments"
# ... and the environment: VDSPLEX_EVENT, _VOLUME, _PLEX, _DEVICE, _STATUS
grep -qx 'PlexFailed v 1|PlexFailed|v|1|/dev/ram1|2 AD [0-9/]* idle .*' /tmp/handler.log ||
	fail "environment of PlexFailed: $(grep '^PlexFailed v 1|' /tmp/handler.log)"
grep -qx 'RebuildCanceled v|RebuildCanceled|v|||3 AAA [0-9/]* idle .*' /tmp/handler.log ||
	fail "environment of RebuildCanceled: $(grep '^RebuildCanceled' /tmp/handler.log)"
grep -qx 'DegradedVolume s|DegradedVolume|s|||2 AD .*' /tmp/handler.log ||
	fail "environment of DegradedVolume: $(grep '^DegradedVolume' /tmp/handler.log)"

# --json: one object per line, though the program printed on stdout; the
# same events of v; w came and went
cat /tmp/all.out
cat /tmp/all.err
python3 - /tmp/all.out <<'EOF' || fail "monitor --json --program /tmp/loud: a stdout line is not a JSON object"
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    try:
        assert isinstance(json.loads(line), dict), "not an object"
    except Exception as e:
        sys.exit("line %d %r: %s" % (n, line, e))
EOF
! grep -q 'loud' /tmp/all.out || fail "the --json monitor's program printed on its stdout"
# its stdout went to the monitor's stderr: one line per event, in order
expect_eq "$(sed -n 's/^loud: //p' /tmp/all.err)" \
	"$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print(d["event"], d["volume"]["name"], *([] if d["plex"] is None else [d["plex"]]))' /tmp/all.out)" \
	"the --json monitor's program output (on its stderr)"
python3 - /tmp/all.out <<'EOF' >/tmp/all.events || fail "monitor --json output: $(cat /tmp/all.out)"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    plex = "" if d["plex"] is None else " plex %d" % d["plex"]
    print("%s: %s%s" % (d["volume"]["name"], d["event"], plex))
EOF
expect_eq "$(sed -n 's/^v: //p' /tmp/all.events)" "$(echo "$want" | sed -e 's/ (.*)$//' -e 's/ [0-9]* regions*$//')" \
	"the --json monitor's events of v"
expect_eq "$(grep -v '^v: ' /tmp/all.events)" "s: DegradedVolume
w: NewVolume
w: VolumeRemoved" "the --json monitor's other events"
expect_eq "$(grep '"event":"PlexFailed"' /tmp/all.out | head -n 1 | json '(d["plex"], d["device"], d["status"]["health"], d["status"]["sync_action"])')" \
	"(1, '/dev/ram1', 'AD', 'idle')" "PlexFailed as JSON"
expect_eq "$(grep '"event":"Mismatches"' /tmp/all.out | json 'd["mismatch_cnt"]')" 1 "Mismatches as JSON"

# SIGTERM blocked when the monitor starts: it waits with it unblocked
perl -MPOSIX -e 'sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGTERM)) or die; exec @ARGV or die' \
	"$VX" monitor v >/tmp/blk.out 2>&1 &
blk=$!
t=100
until [ "$(cat /proc/$blk/comm 2>/dev/null)" = vdsplex ]; do
	[ "$t" -gt 0 ] || fail "the monitor with SIGTERM blocked did not start"
	sleep 0.1
	t=$((t - 1))
done
kill -TERM "$blk"
t=100
while kill -0 "$blk" 2>/dev/null && [ "$(awk '$1 == "State:" { print $2 }' /proc/$blk/status 2>/dev/null)" != Z ]; do
	if [ "$t" -le 0 ]; then
		kill -KILL "$blk"
		wait "$blk" || true
		fail "SIGTERM did not end a monitor started with SIGTERM blocked: $(cat /tmp/blk.out)"
	fi
	sleep 0.1
	t=$((t - 1))
done
rc=0
wait "$blk" || rc=$?
expect_eq "$rc" 0 "exit status after SIGTERM of a monitor started with SIGTERM blocked"

dmsetup remove v
dmsetup remove s
dmsetup remove leg
