# smoke: no
# kernels: stock-6.12
# vdsplex dump-metadata (issue "deployment"): what a metadata device holds,
# read through the module's own decoder: on a live volume, after a clean
# stop, with a dead plex, blank, and corrupt (refused with the reason).
brd_load 3 16
len=32768 # 16 MiB in 256 regions of 64 KiB
m=/dev/ram2
dump() { "$VX" dump-metadata "$m" --json; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

out=$(dump)
expect_eq "$(echo "$out" | field 'd["blank"]')" True "a blank device"
dmsetup create v --table "0 $len vdsplex $m 128 2 /dev/ram0 0 /dev/ram1 0 1 nosync"
"$VX" plexes v >/dev/null
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
# a plex that fails loses the regions written just before (they may have
# been in its lost cache): let the sweeps clear them first
wait_swept "$m"
dmsetup message v 0 fail_plex 1
for r in 3 9 40; do
	dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((r * 16)) count=1 oflag=direct conv=notrunc status=none
done
# a suspend commits the state
dmsetup suspend v
dmsetup resume v
out=$(dump)
echo "$out"
expect_eq "$(echo "$out" | field '[d["clean"], d["region_size"], d["nr_regions"], d["volume_sectors"]]')" \
	"[False, 128, 256, $len]" "superblock of a live volume"
expect_eq "$(echo "$out" | field '[(p["slot"], p["state"], p["major"], p["minor"]) for p in d["plexes"]]')" \
	"[(0, 'alive', 1, 0), (1, 'dead', 1, 1)]" "plex records with plex 1 dead"
# regions written while plex 1 was dead are not in sync on it
expect_eq "$(echo "$out" | field 'd["plexes"][1]["in_sync_regions"]')" 253 "regions in sync on the dead plex"
dmsetup message v 0 readd_plex 1
wait_idle v
dmsetup remove v
out=$(dump)
expect_eq "$(echo "$out" | field '[d["clean"], d["dirty_regions"], [p["state"] for p in d["plexes"]]]')" \
	"[True, 0, ['alive', 'alive']]" "after readd and a clean stop"
"$VX" dump-metadata "$m" | grep -q '^/dev/ram2: vdsplex metadata version 2, clean' ||
	fail "text output: $("$VX" dump-metadata "$m")"
# a torn plex table: refused with the decoder's reason, exit 1
printf '\377' | dd of=$m bs=1 seek=$((4096 + 100)) conv=notrunc status=none
rc=0
err=$("$VX" dump-metadata "$m" 2>&1 >/dev/null) || rc=$?
expect_eq "$rc" 1 "exit status on a corrupt plex table"
echo "$err" | grep -q 'metadata plex table: checksum mismatch' || fail "corrupt table: $err"
