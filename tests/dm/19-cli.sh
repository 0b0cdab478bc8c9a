# smoke: yes
# kernels: stock-6.12
# The vdsplex CLI (tools/vdsplex/vdsplex.8) on the control device: create
# with identities, add-plex --wait of a plain device under fio, plexes and
# status in columns and as JSON (parsed), wait and cancel (each VDS result),
# remove-plex, the progress line on a TTY and plain lines in a pipe, Ctrl-C
# during --wait, the control device's errors (Documentation/ioctl.rst, "VDS
# result codes") each with its VDS code and exit 1, usage errors with exit 2.
brd_load 8 64
len=131072 # 64 MiB, 64 regions of 1 MiB
[ -x "$VX" ] || fail "no CLI at $VX"
json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# create: the table line (Documentation/dm-vdsplex.rst, "Constructor"),
# identities recorded
"$VX" create v --plex /dev/ram0 --plex /dev/ram1 --region-size 1M --nosync
expect_eq "$(table_of v)" "- 2048 2 1:0 0 1:1 0" "table of the created volume"
expect_eq "$(health v)" AA "health after create --nosync"
out=$("$VX" plexes v --json)
expect_eq "$(echo "$out" | json 'd["volume"]["name"], len(d["plexes"])')" "('v', 2)" "plexes --json"
expect_eq "$(echo "$out" | json 'd["plexes"][1]["identity"]')" /dev/ram1 "identity recorded at create"
expect_eq "$(echo "$out" | json 'd["plexes"][0]["flags"]')" "['source']" "source flag"

# add-plex --wait under fio verify load: the final VDS result, plexes equal
fio_verify /dev/mapper/v 64 --number_ios=3000 &
fio_pid=$!
sleep 1
out=$("$VX" add-plex v /dev/ram2 --wait 2>/tmp/err) || { cat /tmp/err; fail "add-plex --wait"; }
echo "$out" | grep -q "^v: AddPlex succeeded: 1 of 1 new plex in sync (index 2)" || fail "add-plex --wait: $out"
wait "$fio_pid" || fail "fio verify during add-plex"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0
# in a pipe the progress is plain lines, never redrawn in place
grep -q "$(printf '\r')" /tmp/err && fail "progress redrawn in a pipe: $(cat -A /tmp/err)"

# columns: a header and one aligned line per plex
out=$("$VX" plexes v)
echo "$out"
expect_eq "$(echo "$out" | wc -l)" 4 "plexes lines"
echo "$out" | head -n 1 | grep -q '^INDEX  *ID  *HEALTH' || fail "plexes header: $out"
expect_eq "$(echo "$out" | awk 'NR > 1 { print $3 }' | tr -d '\n')" AAA "plexes health column"
# every line puts its columns at the header's positions
h=$(echo "$out" | head -n 1)
pos=$(($(echo "$h" | sed 's/STATE.*//' | wc -c) - 1))
echo "$out" | tail -n +2 | while IFS= read -r l; do
	[ "${l:$((pos - 1)):1}" = " " ] && [ "${l:$pos:1}" != " " ] || fail "unaligned: '$l'"
done
out=$("$VX" status --json)
expect_eq "$(echo "$out" | json '[(x["name"], x["health"], x["sync_action"]) for x in d["volumes"]]')" \
	"[('v', 'AAA', 'idle')]" "status --json"
"$VX" status v | grep -q "AAA" || fail "status v"

# the progress line on a TTY, redrawn in place; --rate caps the resync
script -qec "$VX add-plex v /dev/ram3 --rate 4M --wait" /tmp/tty.out >/dev/null ||
	{ cat /tmp/tty.out; fail "add-plex --wait on a TTY"; }
grep -q "$(printf '\r')" /tmp/tty.out || fail "no progress line redrawn on the TTY: $(cat -A /tmp/tty.out)"
grep -aq "%.*ETA" /tmp/tty.out || fail "progress line lacks percent and ETA: $(cat -A /tmp/tty.out | tail -n 3)"
expect_eq "$(status_field v 7)" 4096 "resync_rate set by --rate"
dmsetup message v 0 resync_rate adaptive

# wait after the end: the final result; cancel after the end: too late;
# cancel mid-resync
out=$("$VX" wait v) || fail "wait after the end"
echo "$out" | grep -q "AddPlex succeeded" || fail "wait after the end: $out"
vx_expect VDS_E_CANCEL_TOO_LATE cancel v
"$VX" remove-plex v 3
dmsetup message v 0 resync_rate 1024
"$VX" add-plex v /dev/ram3 >/tmp/out
grep -q "^v: AddPlex started: new plex 3" /tmp/out || fail "add-plex output: $(cat /tmp/out)"
vx_expect VDS_E_ANOTHER_CALL_IN_PROGRESS add-plex v /dev/ram4
out=$("$VX" wait v --timeout 1 2>&1) && fail "wait --timeout 1 succeeded mid-resync"
echo "$out" | grep -q "still running" || fail "wait timeout message: $out"
out=$("$VX" cancel v) || fail "cancel mid-resync"
echo "$out" | grep -q "VDS_E_OPERATION_CANCELED (0x8004240D)" || fail "cancel: $out"
expect_eq "$(health v)" AAA "health after cancel"
dmsetup message v 0 resync_rate adaptive

# Ctrl-C during --wait leaves the operation running and says so
dmsetup message v 0 resync_rate 512
# (a background job of a script ignores SIGINT: restore the default, as a
# terminal's foreground job has it)
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' "$VX" add-plex v /dev/ram3 --wait 2>/tmp/err &
pid=$!
sleep 2
kill -INT $pid
rc=0
wait $pid || rc=$?
expect_eq "$rc" 1 "exit of an interrupted --wait"
grep -q "continues in the kernel" /tmp/err || fail "Ctrl-C message: $(cat /tmp/err)"
expect_eq "$(health v)" AAAa "the AddPlex goes on after Ctrl-C"
dmsetup message v 0 resync_rate adaptive
out=$("$VX" wait v) || fail "wait after Ctrl-C"
echo "$out" | grep -q "AddPlex succeeded" || fail "wait: $out"

# the control device's errors (Documentation/ioctl.rst, "VDS result codes"),
# each with its VDS code
vx_expect VDS_E_DISK_IN_USE_BY_VOLUME add-plex v /dev/ram1
vx_expect VDS_E_DISK_IN_USE_BY_VOLUME add-plex v /dev/mapper/v --stack
dmsetup create lin --table "0 $len linear /dev/ram5 0"
dmsetup create small --table "0 1024 linear /dev/ram6 0"
vx_expect VDS_E_INVALID_OPERATION add-plex lin /dev/ram4
vx_expect VDS_E_INVALID_OPERATION add-plex v /dev/mapper/small --stack
vx_expect VDS_E_DEVICE_IN_USE add-plex v /dev/ram5
dmsetup suspend v
vx_expect VDS_E_VOLUME_NOT_ONLINE add-plex v /dev/ram4
dmsetup resume v
"$VX" remove-plex v 3
"$VX" remove-plex v 2
"$VX" remove-plex v 1
vx_expect VDS_E_PLEX_LAST_ACTIVE remove-plex v 0
dmsetup remove lin small

# dmsetup remove while --wait waits: VDS_E_OBJECT_DELETED
dmsetup message v 0 resync_rate 256
"$VX" add-plex v /dev/ram4 --wait >/dev/null 2>/tmp/err &
pid=$!
sleep 2
dmsetup remove v
rc=0
wait $pid || rc=$?
expect_eq "$rc" 1 "exit of --wait when the volume is removed"
grep -q "VDS_E_OBJECT_DELETED (0x8004240B)" /tmp/err || fail "removed volume: $(cat /tmp/err)"

# usage errors: exit 2, the bad word named
for args in "" "frobnicate" "add-plex" "create x" "create x --plex /dev/ram0 --region-size 3K" \
	"remove-plex v notanumber" "wait v --timeout forever" "plexes v --bogus"; do
	rc=0
	out=$("$VX" $args 2>&1) || rc=$?
	[ "$rc" = 2 ] || fail "vdsplex $args: exit $rc, want 2: $out"
done
out=$("$VX" create x --plex /dev/ram0 --region-size 3K 2>&1) && fail "region size 3K accepted"
echo "$out" | grep -q "'3K'" || fail "bad region size not named: $out"
