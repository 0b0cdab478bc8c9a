# smoke: no
# kernels: stock-6.12
# long-kernels: debug
# A power cut with volatile write caches (Documentation/design.rst, "Crash
# at each point").  dm log-writes under both
# plexes and the metadata logs each write only once a flush (or FUA) made it
# stable, so replaying every log up to a common mark rebuilds the disks a
# power cut at that moment could leave -- unflushed writes lost, some of
# them on one plex only.  At every mark: reassemble, let the resync run, and
# check that the plexes agree, that every write flushed before the mark is
# there, and that every block holds either its flushed or its newer data.
# dm log-writes is a module on Debian's kernels
case "$(dmsetup targets)" in *log-writes*) ;; *) vm_modprobe dm_log_writes ;; esac
brd_load 9 32
LR=$VDSPLEX_ROOT/.build/tests/log-replay
len=32768 # 16 MiB: 256 regions of 64 KiB, 4096 blocks of 4 KiB
dmj=$(awk '$2 == "device-mapper" { print $1 }' /proc/devices)
# fixed minors: the metadata's device hints must match after the replay
mkdev() { dmsetup create "$1" -j "$dmj" -m "$2" --table "0 65536 $3"; }
mkdev la 20 "log-writes /dev/ram0 /dev/ram3"
mkdev lb 21 "log-writes /dev/ram1 /dev/ram4"
mkdev lm 22 "log-writes /dev/ram2 /dev/ram5"
T="0 $len vdsplex /dev/mapper/lm 128 2 /dev/mapper/la 0 /dev/mapper/lb 0"
dmsetup create v --table "$T 1 nosync"
mark() { for d in la lb lm; do dmsetup message $d 0 mark "$1"; done; }
# blk STEP BLOCK: the 4 KiB that step STEP writes to block BLOCK
blk() {
	local s="step $1 block $2 " t=''
	while [ ${#t} -lt 4096 ]; do t+=$s; done
	printf '%s' "${t:0:4096}"
}

declare -A stable newer # block -> step of its last flushed / unflushed write
marks=()
RANDOM=7
for k in 1 2 3 4; do
	for j in $(seq 12); do
		b=$(((RANDOM * 32768 + RANDOM) % 4096))
		blk $k $b >"/tmp/blk-$k-$b"
		dd if="/tmp/blk-$k-$b" of=/dev/mapper/v bs=4k seek=$b count=1 oflag=direct conv=notrunc status=none
		newer[$b]=$k
	done
	# acknowledged, not flushed: a power cut here may lose any of them
	mark "u$k"
	declare -p stable newer >"/tmp/expect-u$k"
	sync /dev/mapper/v # FLUSH: now they are stable
	for b in "${!newer[@]}"; do stable[$b]=${newer[$b]}; done
	newer=()
	mark "s$k"
	declare -p stable newer >"/tmp/expect-s$k"
	marks+=("u$k" "s$k")
done
dmsetup remove v
dmsetup remove la lb lm

# replay MA MB MM EXPECT: plex a's log to mark MA, plex b's to MB, the
# metadata's to MM; reassemble, resync, and check the blocks against
# /tmp/expect-EXPECT.  Sets $dirty and $resynced.
replay() {
	local ma=$1 mb=$2 mm=$3 m=$4 b ok d i
	for i in 6 7 8; do blkdiscard /dev/ram$i; done
	"$LR" /dev/ram3 /dev/ram6 "$ma" >/dev/null
	"$LR" /dev/ram4 /dev/ram7 "$mb" >/dev/null
	"$LR" /dev/ram5 /dev/ram8 "$mm" >/dev/null
	mkdev la 20 "linear /dev/ram6 0"
	mkdev lb 21 "linear /dev/ram7 0"
	mkdev lm 22 "linear /dev/ram8 0"
	dirty=$(dd if=/dev/mapper/lm bs=4k skip=2 count=1 iflag=direct status=none |
		od -An -v -tu1 -j 16 -N 32 | tr -s ' ' '\n' | grep -v '^$' |
		while read -r x; do n=0; while [ "$x" -gt 0 ]; do n=$((n + (x & 1))); x=$((x >> 1)); done; echo $n; done |
		paste -sd+ | bc)
	dmsetup create v --table "$T"
	wait_idle v
	resynced=$(status_field v 8)
	# (declare -p prints an empty array without "=()": start empty)
	unset stable newer
	declare -gA stable=() newer=()
	# (sourced in a function: declared global)
	sed 's/^declare -A /declare -gA /' "/tmp/expect-$m" >/tmp/expect-g
	. /tmp/expect-g
	for b in "${!stable[@]}" "${!newer[@]}"; do
		dd if=/dev/mapper/v of=/tmp/got bs=4k skip=$b count=1 iflag=direct status=none
		ok=0
		if [ -n "${stable[$b]:-}" ]; then
			cmp -s "/tmp/blk-${stable[$b]}-$b" /tmp/got && ok=1
		else
			cmp -s -n 4096 /dev/zero /tmp/got && ok=1
		fi
		if [ -n "${newer[$b]:-}" ]; then
			cmp -s "/tmp/blk-${newer[$b]}-$b" /tmp/got && ok=1
		fi
		if [ $ok = 0 ]; then
			echo "block $b: stable=${stable[$b]:-} newer=${newer[$b]:-}; read:"
			head -c 64 /tmp/got | od -c | head -n 4
			for d in la lb; do
				echo "$d:"
				dd if=/dev/mapper/$d bs=4k skip=$b count=1 iflag=direct status=none | head -c 64 | od -c | head -n 4
			done
			dmsetup status v
			fail "marks $ma/$mb/$mm: block $b holds neither its flushed nor its newer data"
		fi
	done
	blockdev --flushbufs /dev/mapper/la /dev/mapper/lb
	plexes_equal $len /dev/mapper/la:0 /dev/mapper/lb:0
	[ "$resynced" -le "$dirty" ] || fail "marks $ma/$mb/$mm: $resynced regions resynced, $dirty were dirty"
	dmsetup remove v
	dmsetup remove la lb lm
}

# Every log to the same mark: what a power cut leaves when both plexes
# lost the same unflushed writes.
results=()
for m in "${marks[@]}"; do
	replay "$m" "$m" "$m" "$m"
	results+=("$m:dirty=$dirty,resynced=$resynced")
done
echo "power cut at ${#marks[@]} marks: ${results[*]}"

# The plexes apart: one plex's flush of step k completed, the other's not
# (its log to s<k>, the other's and the metadata's to u<k>), so they differ
# in the regions step k wrote, which the metadata has dirty: the resync must
# copy them (something is resynced) and the plexes end equal, every block
# with its flushed or its newer data.
results=()
for k in 1 2 3 4; do
	if [ $((k % 2)) = 0 ]; then
		replay "s$k" "u$k" "u$k" "u$k"
	else
		replay "u$k" "s$k" "u$k" "u$k"
	fi
	results+=("k$k:dirty=$dirty,resynced=$resynced")
	[ "$resynced" -gt 0 ] || fail "step $k: the plexes differed, yet nothing was resynced ($dirty dirty)"
done
echo "power cut between the plexes' flushes: ${results[*]}"
