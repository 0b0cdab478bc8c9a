# kernels: stock-6.12
# The resync rate: a resync_rate cap holds within 20% over 10 s on a plex
# behind dm-delay, and the adaptive default leaves foreground reads at least
# half their idle IOPS.  Also prints the resync throughput next to a plain
# dd copy between the same devices.
brd_load 4 64
len=131072 # 64 regions of 1 MiB
now_ms() { date +%s%3N; }

# A plain copy between the devices the resync will use, for comparison.
dd if=/dev/urandom of=/dev/ram0 bs=1M count=64 oflag=direct status=none
t=$(now_ms)
dd if=/dev/ram0 of=/dev/ram3 bs=1M count=64 iflag=direct oflag=direct status=none
dd_ms=$(($(now_ms) - t))
dd if=/dev/zero of=/dev/ram3 bs=1M count=64 oflag=direct status=none

dmsetup create v --table "0 $len vdsplex - 2048 1 /dev/ram0 0"
t=$(now_ms)
dmsetup message v 0 add_plex /dev/ram3
wait_idle v 600
rs_ms=$(($(now_ms) - t))
echo "64 MiB: dd copy ${dd_ms} ms, idle resync ${rs_ms} ms (resync/dd time ratio $((rs_ms * 100 / (dd_ms + 1)))%)"
plexes_equal $len /dev/ram0:0 /dev/ram3:0
dmsetup message v 0 remove_plex 1

# The cap, on a plex behind dm-delay (5 ms per I/O).
dmsetup create slow --table "0 $len delay /dev/ram2 0 5"
dmsetup message v 0 resync_rate 2048
dmsetup message v 0 add_plex /dev/mapper/slow
sleep 2
r0=$(status_field v 8) t0=$(now_ms)
sleep 10
r1=$(status_field v 8) t1=$(now_ms)
kibs=$(((r1 - r0) * 1024 * 1000 / (t1 - t0)))
echo "resync_rate 2048: measured $kibs KiB/s over $((t1 - t0)) ms"
[ "$kibs" -ge 1638 ] && [ "$kibs" -le 2458 ] || fail "rate $kibs KiB/s is not within 20% of 2048"
dmsetup message v 0 cancel

# Adaptive: foreground random reads keep at least half their idle IOPS.
# ram3 still holds the data from the first copy: scrambled, so the final
# comparison fails if this copy does nothing.
scramble /dev/ram3
dmsetup message v 0 resync_rate adaptive
rr=(--name=fg --filename=/dev/mapper/v --rw=randread --bs=4k --iodepth=8
	--ioengine=libaio --direct=1 --time_based --runtime=8 --output-format=terse
	--terse-version=3)
idle=$(fio "${rr[@]}" | cut -d';' -f8)
fio "${rr[@]}" >/tmp/busy.out &
fio_pid=$!
sleep 2
dmsetup message v 0 add_plex /dev/ram3
wait "$fio_pid"
busy=$(cut -d';' -f8 /tmp/busy.out)
state="$(health v) $(status_field v 3)"
echo "adaptive: foreground read IOPS idle $idle, during resync $busy; resync at $state when fio ended"
case "$state" in *a*) ;; *) fail "the resync did not yield to foreground I/O: done at $state" ;; esac
[ $((busy * 2)) -ge "$idle" ] || fail "foreground IOPS fell from $idle to $busy during the resync"
wait_idle v 600
plexes_equal $len /dev/ram0:0 /dev/ram3:0
