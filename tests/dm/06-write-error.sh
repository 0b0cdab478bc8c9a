# A write error fails the plex (D), the write succeeds on the other plex, an
# event is raised, D survives a reload; losing the last plex fails writes.
brd_load 2 16
dmsetup create p0 --table "0 32768 linear /dev/ram0 0"
dmsetup create p1 --table "0 32768 linear /dev/ram1 0"
dmsetup create v --table "0 32768 vdsplex - 8 2 /dev/mapper/p0 0 /dev/mapper/p1 0 1 nosync"
ev=$(dmsetup info -c --noheadings -o events v)
dmsetup suspend p1
dmsetup load p1 --table "0 32768 error"
dmsetup resume p1
dd if=/dev/urandom of=/tmp/data bs=4k count=16 status=none
dd if=/tmp/data of=/dev/mapper/v bs=4k count=16 oflag=direct status=none ||
	fail "a write failed although plex 0 took it"
expect_eq "$(health v)" AD "health after a write error"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(dmsetup info -c --noheadings -o events v)" -gt "$ev" ] && break
	sleep 0.5
done
[ "$(dmsetup info -c --noheadings -o events v)" -gt "$ev" ] || fail "no dm event after the plex failed"
cmp -n $((64 << 10)) /tmp/data /dev/mapper/v || fail "data read back differs"
dmsetup table v | dmsetup load v
dmsetup resume v
expect_eq "$(health v)" AD "a dead plex after a reload"

dmsetup suspend p0
dmsetup load p0 --table "0 32768 error"
dmsetup resume p0
if dd if=/tmp/data of=/dev/mapper/v bs=4k count=1 oflag=direct status=none 2>/dev/null; then
	fail "a write succeeded with no plex able to take it"
fi
