# smoke: no
# kernels: stock-6.12
# long-kernels: debug
# A power cut at every flush of the metadata device while the plex set
# changes (Documentation/design.rst, "Crash at each point", step 5).  dm
# log-writes under the metadata logs each write once a flush made it
# stable, so the log up to each flush between two marks is a state a power
# cut during an AddPlex (and its resync) or a remove_plex can leave.  At
# every one: dump-metadata decodes it; the regions a plex not in sync lacks
# by its bitmap are overwritten with garbage (what they may hold after a
# real cut); the table of the plexes it records loads, the resync ends and
# the plexes agree.  The cut between a commit's plex table and its
# superblock is met in both changes: the table is taken and the kernel says
# so.
# dm log-writes is a module on Debian's kernels
case "$(dmsetup targets)" in *log-writes*) ;; *) vm_modprobe dm_log_writes ;; esac
brd_load 6 8
LR=$VDSPLEX_ROOT/.build/tests/log-replay
len=8192 # 4 MiB: 64 regions of 64 KiB
meta=/dev/ram5 # where each cut is replayed
dmsetup create lm --table "0 16384 log-writes /dev/ram2 /dev/ram3"
mark() { dmsetup message lm 0 mark "$1"; }
dmsetup create v --table "0 $len vdsplex /dev/mapper/lm 128 2 /dev/ram0 0 /dev/ram1 0 1 nosync"
# the data written, kept to check every resync's direction against
dd if=/dev/urandom of=/tmp/cdata bs=64k count=64 status=none
dd if=/tmp/cdata of=/dev/mapper/v bs=64k oflag=direct status=none
mark add
dmsetup message v 0 add_plex /dev/ram4
wait_idle v
expect_eq "$(health v)" AAA "health after the AddPlex"
mark remove
dmsetup message v 0 remove_plex 1
expect_eq "$(health v)" AA "health after remove_plex"
mark end
dmsetup remove v
dmsetup remove lm

# plexes_of JSON: "N dev off dev off..." of the plexes the metadata records,
# then whether the plex table was newer, then how many regions garbage went
# to: every region a plex not alive lacks by its in-sync bitmap (block
# 4 + slot here: one bitmap block, 64 regions) gets random bytes.
plexes_of() {
	python3 -c 'import json, os, sys
d = json.load(sys.stdin)
p = d["plexes"]
print(len(p), " ".join("%d:%d %d" % (x["major"], x["minor"], x["offset"]) for x in p))
print("newer" if d["table_newer"] else "same")
n = 0
for x in p:
    if x["state"] == "alive":
        continue
    with open(sys.argv[1], "rb") as f:
        f.seek((4 + x["slot"]) * 4096 + 16)
        bits = f.read(8)
    with open("/dev/ram%d" % x["minor"], "r+b") as dev:
        for r in range(64):
            if not bits[r // 8] >> (r % 8) & 1:
                dev.seek(x["offset"] * 512 + r * 65536)
                dev.write(os.urandom(65536))
                n += 1
        dev.flush()
        os.fsync(dev.fileno())
print(n)' "$meta"
}
summary=()
for m in add remove; do
	n=0 newer=0 garbage=0
	while :; do
		blkdiscard $meta
		rc=0
		"$LR" /dev/ram3 $meta $m $n >/dev/null 2>/tmp/lr.err || rc=$?
		[ $rc = 3 ] && break
		[ $rc = 0 ] || fail "log-replay $m $n: exit $rc: $(cat /tmp/lr.err)"
		out=$("$VX" dump-metadata $meta --json) ||
			fail "cut $n after '$m': dump-metadata refused it"
		info=$(echo "$out" | plexes_of) || fail "cut $n after '$m': $out"
		garbage=$((garbage + $(echo "$info" | sed -n 3p)))
		set -- $(echo "$info" | head -n 1)
		nr=$1
		shift
		said=$(dmesg | grep -c 'cut short after the plex table' || true)
		dmsetup create v --table "0 $len vdsplex $meta 128 $nr $*" ||
			fail "cut $n after '$m': the table of its plexes ($nr $*) was refused: $(dmesg | tail -n 2)"
		if [ "$(echo "$info" | sed -n 2p)" = newer ]; then
			newer=$((newer + 1))
			[ "$(dmesg | grep -c 'cut short after the plex table')" -gt "$said" ] ||
				fail "cut $n after '$m': no kernel line for the newer plex table"
		fi
		wait_idle v
		devs=()
		while [ $# -gt 0 ]; do
			devs+=("/dev/ram${1#*:}:$2")
			shift 2
		done
		plexes_equal $len "${devs[@]}"
		# and they agree on what was written, not on the garbage
		cmp -s -n $((len * 512)) -i 0:$((${devs[0]##*:} * 512)) /tmp/cdata "${devs[0]%:*}" ||
			fail "cut $n after '$m': the plexes agree, but not with the data written"
		dmsetup remove v
		n=$((n + 1))
	done
	[ $n -gt 1 ] || fail "no flush of the metadata after mark '$m'"
	[ $newer -gt 0 ] || fail "no cut after '$m' fell between a plex table and its superblock"
	summary+=("$m: $n cuts, $newer with the plex table newer, $garbage regions of garbage")
	# the AddPlex's cuts hold the new plex part-copied: its gaps are garbage
	[ $m = remove ] || [ $garbage -gt 0 ] || fail "no cut after '$m' had a plex part-copied"
done
echo "power cuts at every metadata flush: ${summary[*]}"
