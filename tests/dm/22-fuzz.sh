# smoke: no
# The in-guest fuzzers (tests/vdsplex-fuzz.c) on the debug kernel: table
# lines, messages to a live volume, mutated metadata images activated, and
# control/async ioctls.  The runner
# fails the scenario on any BUG/WARNING/lockdep report or kmemleak finding;
# here: no userspace-visible finding, nothing left behind, and the volumes
# still serve verified I/O.  FUZZ_N scales the executions (make check-long
# and make soak raise it); FUZZ_SEED picks the sequence (printed).
FUZZ=$VDSPLEX_ROOT/.build/tests/vdsplex-fuzz
N=${FUZZ_N:-500}
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
for round in 1 2 3 4 5; do
	dd if=/dev/zero of="$meta" bs=1M count=4 oflag=direct status=none
	dmsetup create v --table "0 $len vdsplex $meta 64 2 ${l[0]} 0 ${l[1]} 0 1 nosync"
	dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
	rm -f /tmp/writer.stop
	# stops on the stop file, or when v is gone (never writes a file there)
	(while [ ! -e /tmp/writer.stop ] && [ -b /dev/mapper/v ]; do
		dd if=/dev/urandom of=/dev/mapper/v bs=64k count=8 seek=$((RANDOM % 248)) \
			oflag=direct conv=notrunc status=none 2>/dev/null || true
	done) &
	writer=$!
	run_fuzz message "$((SEED + round))" "$((N / 5))" v "${l[2]}" "${l[3]}" "$meta" /dev/mapper/v
	touch /tmp/writer.stop
	wait $writer 2>/dev/null || true
	dmsetup message v 0 resync_rate adaptive 2>/dev/null || true
	dmsetup message v 0 resume_resync 2>/dev/null || true
	dmsetup status v >/dev/null || fail "status after the message fuzzer"
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
dmsetup remove v
echo "fuzz total: $total executions"
