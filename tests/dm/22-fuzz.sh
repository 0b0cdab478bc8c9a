# smoke: no
# The in-guest fuzzers (tests/vdsplex-fuzz.c) on the debug kernel: table
# lines, messages to a live volume, mutated metadata images activated, and
# control/async ioctls.  The runner
# fails the scenario on any BUG/WARNING/lockdep report or kmemleak finding;
# here: no userspace-visible finding, nothing left behind, and the volumes
# still serve verified I/O.  FUZZ_N scales the executions (make check-long
# and make soak raise it); FUZZ_SEED picks the sequence (printed).
FUZZ=$VDSPLEX_ROOT/.build/tests/vdsplex-fuzz
N=${FUZZ_N:-200}
SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "fuzz seed $SEED, N $N"
total=0
run_fuzz() {
	local out
	out=$("$FUZZ" "$@" 2>/tmp/fuzz.err) || {
		cat /tmp/fuzz.err
		fail "vdsplex-fuzz $* found a problem (seed $SEED): $out"
	}
	echo "$out"
	total=$((total + $(echo "$out" | sed -n 's/.*: \([0-9]*\) executions.*/\1/p')))
}

# sound VOL WHAT: whatever the fuzzer left, the volume's data is whole: once
# the resync settled and its dead plexes are back (readd_plex, or removed if
# that is refused), and a second plex is added if it has one, the plexes
# are equal.
sound() {
	local vol=$1 what=$2 h k p devs=() s t0=$SECONDS
	wait_idle "$vol" 300
	h=$(health "$vol")
	for ((k = ${#h} - 1; k >= 0; k--)); do
		[ "${h:k:1}" = D ] || continue
		dmsetup message "$vol" 0 readd_plex $k 2>/dev/null ||
			{ echo "$what: readd_plex $k refused, removing it"; dmsetup message "$vol" 0 remove_plex $k; }
	done
	wait_idle "$vol" 300
	h=$(health "$vol")
	if [ ${#h} = 1 ]; then
		for p in "${l[@]}"; do
			[ ! -e "/sys/class/block/${p#/dev/}/holders/$(basename "$(readlink -f "/dev/mapper/$vol")")" ] || continue
			scramble "$p"
			dmsetup message "$vol" 0 add_plex "$p" && break
		done
		wait_idle "$vol" 300
		h=$(health "$vol")
	fi
	case "$h" in *[!A]*) fail "$what: health $h after readd_plex" ;; esac
	[ ${#h} -ge 2 ] || fail "$what: no second plex could be added"
	# the plexes as DEV:OFFSET, from major:minor in the table
	set -- $(table_of "$vol")
	s=$3
	shift 3
	for ((k = 0; k < s; k++)); do
		p=$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$1/uevent")
		devs+=("/dev/$p:$2")
		shift 2
	done
	plexes_equal $len "${devs[@]}"
	echo "$what: $h, $(table_of "$vol"), equal (settled and compared in $((SECONDS - t0)) s)"
}

l=()
for i in 0 1 2 3; do l+=("$(loop_file p$i 16)"); done
meta=$(loop_file meta 4)

# table lines: loaded into a scratch device, some resumed and removed
run_fuzz table "$SEED" "$N" "$meta" "${l[@]}"
dmsetup info vdsplex-fuzz >/dev/null 2>&1 && fail "the table fuzzer left its device behind"
[ -z "$(dmsetup ls --target vdsplex | grep -v 'No devices')" ] || fail "a vdsplex volume was left behind: $(dmsetup ls)"
for d in "${l[@]}" "$meta"; do
	[ -z "$(ls /sys/class/block/"${d#/dev/}"/holders)" ] || fail "$d still held after the table fuzzer"
done

# messages: to a live volume under writes, in rounds with a fresh volume
len=32768
for round in 1 2 3; do
	dd if=/dev/zero of="$meta" bs=1M count=4 oflag=direct status=none
	dmsetup create v --table "0 $len vdsplex $meta 64 2 ${l[0]} 0 ${l[1]} 0 1 nosync"
	dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
	rm -f /tmp/writer.stop /tmp/writer.err
	# stops on the stop file, or when v is gone (never writes a file
	# there).  No write may fail: no message can fail or remove the last
	# in-sync plex, nor remove v.
	(while [ ! -e /tmp/writer.stop ] && [ -b /dev/mapper/v ]; do
		dd if=/dev/urandom of=/dev/mapper/v bs=64k count=8 seek=$((RANDOM % 248)) \
			oflag=direct conv=notrunc status=none 2>>/tmp/writer.err ||
			echo "a write failed, health $(health v)" >>/tmp/writer.err
	done) &
	writer=$!
	run_fuzz message "$((SEED + round))" "$((N / 3))" v "${l[2]}" "${l[3]}" "$meta" /dev/mapper/v
	touch /tmp/writer.stop
	wait $writer
	[ ! -s /tmp/writer.err ] || fail "round $round: the writer saw errors: $(head -n 4 /tmp/writer.err)"
	# the fuzzer may have paused the resync or capped it at a crawl
	dmsetup message v 0 resync_rate adaptive
	dmsetup message v 0 resume_resync 2>/dev/null || true # refused unless paused
	dmsetup status v >/dev/null || fail "status after the message fuzzer"
	sound v "messages round $round"
	dmsetup remove v || fail "remove after the message fuzzer"
done

# metadata: a valid image mutated (checksums mostly recomputed) and activated
run_fuzz metadata "$SEED" "$((N / 3))" "$meta" "${l[0]}" "${l[1]}"
dmsetup info vdsplex-fuzz >/dev/null 2>&1 && fail "the metadata fuzzer left its device behind"

# ioctls: on a live volume with spare devices to attach
dmsetup create v --table "0 $len vdsplex - 64 2 ${l[0]} 0 ${l[1]} 0 1 nosync"
run_fuzz ioctl "$SEED" "$((N * 2))" /dev/mapper/v "${l[2]}" "${l[3]}" "$meta" /dev/mapper/v
wait_idle v 300
# whatever the fuzzer attached: the volume still keeps data
fio_verify /dev/mapper/v 16
sound v ioctls
dmsetup remove v
echo "fuzz total: $total executions"
