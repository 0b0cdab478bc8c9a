# smoke: yes
# Bad table lines are refused with a message naming the bad argument; the
# table round-trips through dmsetup load; a reload keeps the volume's state.
brd_load 3 32
expect_create_fails bad "0 65536 vdsplex - 12 1 /dev/ram0 0" "Invalid region_size '12'"
expect_create_fails bad "0 65536 vdsplex - 8 40 /dev/ram0 0" "Invalid #plexes '40'"
# the fuzzer's first finding: bitmaps for 2^60 regions ran the guest out of memory
expect_create_fails bad "0 2147483656 vdsplex - 8 1 /dev/ram0 0" \
	"region_size 8: too small, over 268435456 regions"
expect_create_fails bad "0 16384 vdsplex - 8 2 /dev/ram0 0 /dev/ram0 100" \
	"plex 1 ('/dev/ram0' at 100) overlaps plex 0 ('/dev/ram0' at 0)"
expect_create_fails bad "0 65536 vdsplex - 8 1 /dev/ram0 8" \
	"plex 0: '/dev/ram0' has 65536 sectors, needs 65544"
expect_create_fails bad "0 65536 vdsplex - 8 1 /dev/nonexistent 0" \
	"plex 0: cannot open device '/dev/nonexistent'"
expect_create_fails bad "0 65536 vdsplex /dev/ram0 8 1 /dev/ram0 0" \
	"plex 0 ('/dev/ram0' at 0) overlaps the metadata"
expect_create_fails bad "0 65536 vdsplex /dev/nometa 8 1 /dev/ram0 0" \
	"metadata_dev: cannot open device '/dev/nometa'"
expect_create_fails bad "0 65536 vdsplex - 8 2 /dev/ram0 0 /dev/ram1 0 2 rebuild 5" \
	"rebuild: plex index '5' is not between 0 and 1"
expect_create_fails bad "0 65536 vdsplex - 8 1 /dev/ram0 0 1 turbo" \
	"Unknown optional argument 'turbo'"
expect_create_fails bad "0 65536 vdsplex - 8 1 /dev/ram0 0 3 nosync" \
	"Invalid #opt_args '3'"

# Without nosync every plex but the source is resynchronised (slowly here:
# 1 KiB/s), and the table says so.
dmsetup create v --table "0 65536 vdsplex - 8 3 /dev/ram0 0 /dev/ram1 0 /dev/ram2 0 6 write_mostly 2 read_policy primary resync_rate 1"
expect_eq "$(health v)" Aaa "health without nosync"
t=$(table_of v)
expect_eq "$t" "- 8 3 1:0 0 1:1 0 1:2 0 10 rebuild 1 rebuild 2 write_mostly 2 read_policy primary resync_rate 1" "table"
set -- $(dmsetup status v)
expect_eq "$4 $5 $7 $8 $9 ${10}" "3 Aaa recover 0 core 1" "status"
case "$6" in */8192) ;; *) fail "synced/total regions: $6" ;; esac

# Round trip: load what dmsetup table prints; same table, same state.
dmsetup table v | dmsetup load v
dmsetup resume v
expect_eq "$(table_of v)" "$t" "table after a reload"
expect_eq "$(health v)" Aaa "health after a reload"

# nosync counts only at first activation: a reload does not trust stale plexes.
dmsetup load v --table "0 65536 vdsplex - 8 3 /dev/ram0 0 /dev/ram1 0 /dev/ram2 0 3 nosync resync_rate 1"
dmsetup resume v
expect_eq "$(health v)" Aaa "health after a reload with nosync"

# The volume object keeps its geometry.
if dmsetup load v --table "0 65536 vdsplex - 16 1 /dev/ram0 0" 2>/dev/null; then
	fail "a reload changing the region size was accepted"
fi
dmesg | tail -n 5 | grep -qF "region_size 16 differs from the live volume's 8" ||
	fail "no message for a region size change"

# A reload that drops plex 2: plex 1 keeps its state.
dmsetup load v --table "0 65536 vdsplex - 8 2 /dev/ram0 0 /dev/ram1 0 2 resync_rate 1"
dmsetup resume v
expect_eq "$(health v)" Aa "health after dropping a plex"
expect_eq "$(table_of v)" "- 8 2 1:0 0 1:1 0 4 rebuild 1 resync_rate 1" "table after dropping a plex"
dmsetup remove v

# A new volume is a first activation again.
dmsetup create v --table "0 65536 vdsplex - 8 3 /dev/ram0 0 /dev/ram1 0 /dev/ram2 0 1 nosync"
expect_eq "$(health v)" AAA "health of a new volume with nosync"
expect_eq "$(table_of v)" "- 8 3 1:0 0 1:1 0 1:2 0" "nosync is never printed"
