# kernels: stock-6.12
# Reads: round_robin spreads them over the plexes, write_mostly and primary
# are honoured, and a stale plex is never read.
brd_load 3 32
c0=$(counted c0 /dev/ram0)
c1=$(counted c1 /dev/ram1)
c2=$(counted c2 /dev/ram2)
vol="0 65536 vdsplex - 8 3 $c0 0 $c1 0 $c2 0"

count_reads() { # run N 4k reads through v; print the reads each plex served
	local a b c
	a=$(reads_of "$c0") b=$(reads_of "$c1") c=$(reads_of "$c2")
	dd if=/dev/mapper/v of=/dev/null bs=4k count="$1" iflag=direct status=none
	echo "$(($(reads_of "$c0") - a)) $(($(reads_of "$c1") - b)) $(($(reads_of "$c2") - c))"
}

dmsetup create v --table "$vol 3 nosync read_policy round_robin"
set -- $(count_reads 3000)
echo "round_robin: reads per plex $*"
for r in "$@"; do
	[ "$r" -ge 900 ] && [ "$r" -le 1100 ] || fail "round_robin reads per plex: $*"
done

dmsetup load v --table "$vol 4 read_policy round_robin write_mostly 0"
dmsetup resume v
set -- $(count_reads 2000)
echo "round_robin, write_mostly 0: reads per plex $*"
expect_eq "$1" 0 "reads from the write_mostly plex"
[ "$2" -ge 900 ] && [ "$3" -ge 900 ] || fail "reads not spread over plexes 1 and 2: $*"

dmsetup message v 0 read_policy primary
set -- $(count_reads 1000)
echo "primary (source is plex 1): reads per plex $*"
expect_eq "$*" "0 1000 0" "reads under primary"
dmsetup remove v

# A region not yet resynchronised is never read from the plex being
# rebuilt: plex 1 holds other bytes than the source, the resync crawls at
# 4 KiB/s (one region a second), and the whole volume reads as the source.
dd if=/dev/urandom of="$c0" bs=1M count=32 oflag=direct status=none
dd if=/dev/urandom of="$c1" bs=1M count=32 oflag=direct status=none
dmsetup create v --table "0 65536 vdsplex - 8 2 $c0 0 $c1 0 4 read_policy round_robin resync_rate 4"
expect_eq "$(health v)" Aa "health without nosync"
b=$(reads_of "$c1")
cmp -n $((32 << 20)) /dev/mapper/v /dev/ram0 || fail "volume data differs from the source plex"
# each region is read once (page cache); plex 1 may serve only synced ones
[ "$(($(reads_of "$c1") - b))" -le "$(status_field v 8)" ] ||
	fail "plex 1 served $(($(reads_of "$c1") - b)) reads with $(status_field v 8) regions synced"
