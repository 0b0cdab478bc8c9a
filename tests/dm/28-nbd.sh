# smoke: yes
# kernels: stock-6.12
# A remote plex over NBD (Documentation/disaster-recovery.rst):
# nbd-server in a second network namespace behind a veth pair, nbd-client
# with a 5 s timeout.  The remote plex is attached to a live volume by a
# reload with write_mostly and a resync_rate cap; the copy keeps to the cap
# (and to a new cap set by message), foreground I/O goes on while it runs;
# reads never reach the NBD device; a cut link fails only the remote plex
# and no writer sees an error; when the link returns, readd_plex copies only
# the regions written meanwhile.  Every command example of
# disaster-recovery.rst (the blocks marked ".. dr-example: NAME") is run
# here verbatim, the "remote" ones inside the namespace; the figures
# measured are printed as "figure: ..." lines.  On a link slower than
# 8 MiB/s the adaptive checks of step 3 cannot tell backing off from full
# speed: they are left out, and the scenario then runs everything else
# and exits 77 ("SKIP: adaptive checks left out ..."), so that TAP shows
# a skip instead of a pass.
DOC=$VDSPLEX_ROOT/Documentation/disaster-recovery.rst
for m in nbd veth; do
	vm_modprobe "$m" 2>/dev/null || { echo "SKIP: no $m module for $VDSPLEX_KREL"; exit 77; }
done
for c in nbd-server nbd-client; do
	command -v "$c" >/dev/null || fail "$c is not installed (scripts/deps)"
done
now_ms() { date +%s%3N; }

# doc_block NAME: the body of the "sh" code block marked ".. dr-example: NAME".
doc_block() {
	awk -v name="$1" '
		st == 0 && $0 == ".. dr-example: " name { st = 1; next }
		st == 1 { if ($0 != ".. code-block:: sh") exit 2; st = 2; next }
		st == 2 && ($0 == "" || $0 ~ /^   :/) { next }
		st == 2 { if ($0 !~ /^   /) exit 2; st = 3 }
		st == 3 { if ($0 != "" && $0 !~ /^   /) exit; print substr($0, 4); n++ }
		END { exit n ? 0 : 2 }' "$DOC"
}
# local_run NAME / remote_run NAME: print the block and run it here, or in
# the remote site's namespace.
ran=' '
local_run() {
	local code
	code=$(doc_block "$1") || fail "no '.. dr-example: $1' sh block in $DOC"
	ran="$ran$1 "
	echo "--- $1 (local)"
	echo "$code" | sed 's/^/  $ /'
	# the examples' modprobe loads from the booted kernel's module tree
	modprobe() { command modprobe -d "$VDSPLEX_MODROOT" -S "$VDSPLEX_KREL" "$@"; }
	eval "$code"
	unset -f modprobe
}
remote_run() {
	local code
	code=$(doc_block "$1") || fail "no '.. dr-example: $1' sh block in $DOC"
	ran="$ran$1 "
	echo "--- $1 (remote site)"
	echo "$code" | sed 's/^/  $ /'
	ip netns exec remote bash -ec "$code"
}

nbd_cleanup() {
	dmsetup remove vol >/dev/null 2>&1 || true
	dmsetup remove dr-link >/dev/null 2>&1 || true
	nbd-client -d /dev/nbd0 >/dev/null 2>&1 || true
	# the remote site's processes (nbd-server and its children), by pid
	for _p in $(ip netns pids remote 2>/dev/null); do kill "$_p" 2>/dev/null || true; done
	for _t in $(seq 50); do
		[ -n "$(ip netns pids remote 2>/dev/null)" ] || break
		sleep 0.1
	done
	ip netns del remote 2>/dev/null || true
	ip link del vdsp0 2>/dev/null || true
	umount /etc/nbd-server 2>/dev/null || true
}
trap nbd_cleanup EXIT

# The two sites: the remote one is the namespace "remote" at 10.99.0.2; its
# disk is /dev/ram1.  Locally, /dev/ram0 under a dm-linear "local" (which
# counts its reads) is the local plex, /dev/ram2 the metadata device.  The
# guest's /etc is the host's, read-only: nbd-server's gets a tmpfs.
brd_load 3 32
len=65536 # 32 MiB, 128 regions of 256 KiB
regions=128
ip netns add remote
ip link add vdsp0 type veth peer name vdsp1 netns remote
ip addr add 10.99.0.1/24 dev vdsp0
ip link set vdsp0 up
ip -n remote addr add 10.99.0.2/24 dev vdsp1
ip -n remote link set vdsp1 up
ip -n remote link set lo up
mount -t tmpfs nbdconf /etc/nbd-server
counted local /dev/ram0 >/dev/null

# 1. The live volume, then the remote plex: export, connect, attach.
local_run dr-volume
dd if=/dev/urandom of=/dev/mapper/vol bs=1M count=32 oflag=direct status=none
remote_run dr-export
local_run dr-connect
expect_eq "$(blockdev --getsz /dev/nbd0)" $len "size of /dev/nbd0"
# the link's raw speed, for the record (what is written is resynced over)
t=$(now_ms)
dd if=/dev/ram0 of=/dev/nbd0 bs=1M count=8 iflag=direct oflag=direct status=none
link_ms=$(($(now_ms) - t))
echo "figure: link: 8 MiB written to /dev/nbd0 in $link_ms ms ($((8 * 1024 * 1000 / link_ms)) KiB/s)"

t_attach=$(now_ms)
local_run dr-attach
expect_eq "$(health vol) $(status_field vol 4) $(status_field vol 7)" "Aa recover 512" \
	"status after attaching the remote plex with resync_rate 512"

# 2. The resync keeps to the cap from the table, then to one set by message.
rate_of() { # rate_of SECONDS: KiB/s of regions_resynced over SECONDS
	local r0 r1 t0 t1
	r0=$(status_field vol 8) t0=$(now_ms)
	sleep "$1"
	r1=$(status_field vol 8) t1=$(now_ms)
	echo $(((r1 - r0) * 256 * 1000 / (t1 - t0)))
}
within() { # within GOT CAP WHAT: GOT in 70%..130% of CAP
	[ "$1" -ge $(($2 * 7 / 10)) ] && [ "$1" -le $(($2 * 13 / 10)) ] ||
		fail "$3: $1 KiB/s is not within 30% of the cap $2 KiB/s"
}
sleep 1
kibs=$(rate_of 6)
echo "figure: resync_rate 512 (table): measured $kibs KiB/s over 6 s"
within "$kibs" 512 "resync rate under the table's cap"
local_run dr-rate
expect_eq "$(status_field vol 7)" 1024 "resync_rate after the message"
sleep 1
kibs=$(rate_of 6)
echo "figure: resync_rate 1024 (message): measured $kibs KiB/s over 6 s"
within "$kibs" 1024 "resync rate under the message's cap"

# 3. Adaptive: foreground writes go on during the resync at at least half
# the rate they have once the volume is in sync, and the resync goes on
# beside them (backing off: it has not finished when they stop).  Rates are
# taken over a window while fio runs (fio starts slowly on the debug kernel).
writes_of() { # writes_of DEV: completed writes of a block device
	local s
	s=$(cat /sys/dev/block/"$(devno "$1")"/stat)
	set -- $s
	echo "$5"
}
fg_start() { # fg_start: 4k random writes on the volume until fg_stop
	local w0 i
	w0=$(writes_of /dev/mapper/vol)
	fio --name=fg --filename=/dev/mapper/vol --offset=24M --size=4M --rw=randwrite \
		--bs=4k --iodepth=8 --ioengine=libaio --direct=1 --time_based --runtime=120 \
		--output=/tmp/fg.out &
	fg_pid=$!
	for i in $(seq 600); do
		[ "$(writes_of /dev/mapper/vol)" -lt $((w0 + 100)) ] && sleep 0.1 || return 0
	done
	fail "fio wrote nothing in 60 s"
}
fg_iops() { # fg_iops SECONDS: the volume's write IOPS over SECONDS
	local w0 w1 t0 t1
	w0=$(writes_of /dev/mapper/vol) t0=$(now_ms)
	sleep "$1"
	w1=$(writes_of /dev/mapper/vol) t1=$(now_ms)
	kill -0 "$fg_pid" || fail "fio ended early: $(cat /tmp/fg.out)"
	echo $(((w1 - w0) * 1000 / (t1 - t0)))
}
fg_stop() { # fio exits non-zero on SIGINT: its report says whether I/O failed
	kill -INT "$fg_pid"
	wait "$fg_pid" || true
	grep -q 'err= 0' /tmp/fg.out || { cat /tmp/fg.out; fail "foreground fio"; }
}
# On a link not much faster than the adaptive floor (the debug kernel's,
# about 2 MiB/s) backing off cannot be told from full speed: only the
# stock kernels check it.
link_kibs=$((8 * 1024 * 1000 / link_ms))
if [ $link_kibs -ge 8192 ]; then
	dmsetup message vol 0 pause_resync
	expect_eq "$(status_field vol 4)" frozen "sync_action after pause_resync"
	fg_start
	local_run dr-adaptive
	dmsetup message vol 0 resume_resync
	r0=$(status_field vol 8) t0=$(now_ms)
	busy=$(fg_iops 4)
	r1=$(status_field vol 8) t1=$(now_ms)
	fg_stop
	kibs=$(((r1 - r0) * 256 * 1000 / (t1 - t0)))
	echo "figure: adaptive with foreground writes: resync $kibs KiB/s (regions $r0 -> $r1 in $((t1 - t0)) ms)"
	[ "$r1" -gt "$r0" ] || fail "the resync stopped beside foreground writes"
	[ "$r1" -lt $regions ] || fail "the resync did not back off: it finished beside foreground writes"
else
	adaptive_skipped="adaptive checks left out: the link's $link_kibs KiB/s is under 8192 KiB/s, too close to the adaptive floor"
	echo "# SKIP $adaptive_skipped (the scenario exits 77 at its end)"
	local_run dr-adaptive
fi
wait_idle vol 300
attach_ms=$(($(now_ms) - t_attach))
expect_eq "$(health vol) $(status_field vol 8)" "AA $regions" "after the initial resync"
echo "figure: initial resync of $regions regions (32 MiB) to the remote plex: $attach_ms ms in all"
plexes_equal $len /dev/ram0:0 /dev/ram1:0
if [ $link_kibs -ge 8192 ]; then
	fg_start
	idle=$(fg_iops 4)
	fg_stop
	echo "figure: foreground 4k random write IOPS (both plexes): $busy during the resync, $idle in sync"
	[ $((busy * 2)) -ge "$idle" ] || fail "foreground write IOPS fell from $idle to $busy during the resync"
fi

# 4. write_mostly: reads stay local.
n0=$(reads_of /dev/nbd0) l0=$(reads_of /dev/mapper/local)
fio --name=reads --filename=/dev/mapper/vol --rw=randread --bs=4k --iodepth=8 \
	--ioengine=libaio --direct=1 --number_ios=2000 --output=/tmp/reads.out ||
	{ cat /tmp/reads.out; fail "fio randread"; }
n1=$(reads_of /dev/nbd0) l1=$(reads_of /dev/mapper/local)
echo "figure: write_mostly: 2000 random reads: local plex reads +$((l1 - l0)), /dev/nbd0 reads +$((n1 - n0))"
expect_eq $((n1 - n0)) 0 "reads that reached /dev/nbd0 (write_mostly)"
[ $((l1 - l0)) -ge 2000 ] || fail "the local plex served $((l1 - l0)) of 2000 reads"

# 5. The link is cut: the first write waits for the NBD timeout, then the
# remote plex is dead and the writes go on locally; no writer sees an error.
# the remote plex fails with the regions dirty on disk (its lost cache):
# the foreground writes above must be swept first
wait_swept /dev/ram2
r_before=$(status_field vol 8)
ip -n remote link set vdsp1 down
t=$(now_ms)
dd if=/dev/urandom of=/dev/mapper/vol bs=4k seek=$((8 * 256)) count=1 oflag=direct conv=notrunc status=none ||
	fail "a write failed when the link was cut"
stall_ms=$(($(now_ms) - t))
echo "figure: cut link: the first write took $stall_ms ms (nbd-client -timeout 5), then health $(health vol)"
expect_eq "$(health vol)" AD "health after the link was cut"
# regions 32..39 (8..10 MiB), the dd's block rewritten with them
t=$(now_ms)
fio --name=dead --filename=/dev/mapper/vol --offset=8M --size=2M --rw=randwrite \
	--bs=4k --iodepth=8 --ioengine=libaio --direct=1 --verify=crc32c --do_verify=1 \
	--output=/tmp/dead.out || { cat /tmp/dead.out; fail "fio verify with the link cut"; }
echo "figure: cut link: 2 MiB of 4k random writes + verify in $(($(now_ms) - t)) ms, health $(health vol)"
expect_eq "$(health vol)" AD "health after writing with the link cut"
echo "status with the link cut: $(dmsetup status vol)"

# 6. The link returns: the server is restarted (no process of the dead
# connection left), nbd0 reconnected under the link device, readd_plex.
ip -n remote link set vdsp1 up
t=$(now_ms)
remote_run dr-restart
local_run dr-reconnect
local_run dr-readd
wait_idle vol 300
back_ms=$(($(now_ms) - t))
resynced=$(($(status_field vol 8) - r_before))
echo "figure: readd_plex: $resynced of $regions regions resynced; restart, reconnect and resync took $back_ms ms"
expect_eq "$(health vol)" AA "health after readd_plex"
echo "status after readd_plex: $(dmsetup status vol)"
expect_eq "$resynced" 8 "regions resynced by readd_plex (8 written while the link was cut)"
plexes_equal $len /dev/ram0:0 /dev/ram1:0

# 7. Control: without write_mostly the same reads do reach /dev/nbd0 (so the
# counter above could have moved).
tbl=$(table_of vol)
case "$tbl" in *" 2 write_mostly 1") ;; *) fail "unexpected table: $tbl" ;; esac
dmsetup reload vol --table "0 $len vdsplex ${tbl% 2 write_mostly 1}"
dmsetup resume vol
n0=$(reads_of /dev/nbd0)
fio --name=reads --filename=/dev/mapper/vol --rw=randread --bs=4k --iodepth=8 \
	--ioengine=libaio --direct=1 --number_ios=2000 --output=/tmp/reads.out ||
	{ cat /tmp/reads.out; fail "fio randread"; }
n1=$(reads_of /dev/nbd0)
echo "figure: without write_mostly: 2000 random reads, /dev/nbd0 reads +$((n1 - n0))"
[ $((n1 - n0)) -gt 0 ] || fail "no read reached /dev/nbd0 even without write_mostly"

# Every shell block of the document is marked, and every marked one ran.
[ "$(grep -c '^\.\. code-block:: sh$' "$DOC")" = "$(grep -c '^\.\. dr-example: ' "$DOC")" ] ||
	fail "$DOC has sh code blocks not marked '.. dr-example: NAME'"
for b in $(sed -n 's/^\.\. dr-example: //p' "$DOC"); do
	case "$ran" in *" $b "*) ;; *) fail "example $b of $DOC was not run" ;; esac
done
# Everything else passed; the skipped adaptive checks make it a skip.
if [ -n "${adaptive_skipped:-}" ]; then
	echo "SKIP: $adaptive_skipped"
	exit 77
fi
