# smoke: no
# Races (issue "reliability and security"), each looped RACE_N times (once in
# make check, more in make check-long and make soak) under a fio verify load
# that runs the whole time, each race ending with cmp of the plexes:
# AddPlex vs suspend/resume, table reload, remove_plex, dmsetup remove and
# rmmod; two AddPlex calls at once on one volume and on two; cancel vs
# completion; closing the handle vs completion; read repair vs resync of the
# same region; readd_plex vs a new failure.  Random delays (RACE_SEED, printed)
# move the second event across the first.
N=${RACE_N:-1}
# (not $$: a guest boots the same way every time, and so gets the same pid)
seed=${RACE_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$seed
echo "race seed $seed, $N rounds each"
brd_load 6 16
len=32768 # 16 MiB, 128 regions of 64 KiB
dmsetup create e1 --table "0 $len linear /dev/ram1 0"
base="0 $len vdsplex - 128 2 /dev/ram0 0 /dev/mapper/e1 0"
dmsetup create v --table "$base 1 nosync"
vol=$(devno /dev/mapper/v)
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
declare -A rounds

# rate: a random cap (1-4 s for the 16 MiB) or adaptive.
rate() {
	case $((RANDOM % 3)) in
	0) dmsetup message v 0 resync_rate adaptive ;;
	*) dmsetup message v 0 resync_rate $((4096 * (1 + RANDOM % 4))) ;;
	esac
}

# v's plexes as DEV:OFFSET (ram disks and e1) for plexes_equal.
plex_devs() {
	set -- $(table_of v)
	local n=$3 i
	shift 3
	for ((i = 0; i < n; i++)); do
		case $1 in
		1:*) echo "/dev/ram${1#1:}:$2" ;;
		*) echo "/dev/mapper/e1:$2" ;;
		esac
		shift 2
	done
}
# settle NAME: the race's end: load stopped, resync done, all plexes alive
# and equal.
settle() {
	load_stop "'$1'"
	dmsetup message v 0 resync_rate adaptive
	wait_idle v 300
	case "$(health v)" in *D*) fail "a plex is dead after '$1': $(health v)" ;; esac
	plexes_equal $len $(plex_devs)
	rounds[$1]=$N
}
# back_to_two: remove the plexes past the first two.
back_to_two() {
	local n
	n=$(status_field v 1)
	while [ "$n" -gt 2 ]; do
		n=$((n - 1))
		dmsetup message v 0 remove_plex $n
	done
}
# add_outcome OUT: "ok" when the AddPlex of OUT succeeded, "canceled" or
# "deleted" when it ended so; anything else fails.
add_outcome() {
	case "$1" in
	*"state=succeeded hresult=0x00000000"*) echo ok ;;
	*"state=canceled hresult=0x8004240d"*) echo canceled ;;
	*"state=failed hresult=0x8004240b"*) echo deleted ;;
	*) fail "AddPlex ended unexpectedly: $1" ;;
	esac
}

# add_bg DEV: AddPlex of DEV to v in the background, waited for;
# add_result: waits for it and sets $got to its outcome (add_outcome).
add_bg() {
	"$IOCTL" add "$vol" "$1" --wait >/tmp/add.out 2>&1 &
	addpid=$!
	attached /tmp/add.out
}
# attached OUT: wait until the client writing OUT has its ADD_PLEX answer,
# so that the event raced against it comes after the attach.
attached() {
	local k
	for ((k = 0; k < 300; k++)); do
		grep -q '^add rc=' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the AddPlex client did not answer within 30 s: $(cat "$1")"
}
add_result() {
	wait $addpid || true
	got=$(add_outcome "$(cat /tmp/add.out)")
}

# 1. AddPlex vs suspend/resume
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	rate
	ioctl_expect VDS_S_OK add "$vol" /dev/ram2 --close >/dev/null
	nap
	dmsetup suspend v
	[ $((RANDOM % 2)) = 0 ] || nap
	dmsetup resume v
	out=$(ioctl_expect VDS_S_OK open "$vol" --wait)
	expect_eq "$(add_outcome "$out")" ok "AddPlex across suspend/resume"
	[ $i = $((N - 1)) ] || back_to_two
done
settle "addplex vs suspend/resume"
back_to_two

# 2. AddPlex vs table reload (the same table, or one without the new plex)
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	rate
	add_bg /dev/ram2
	nap
	if [ $((RANDOM % 2)) = 0 ]; then
		dmsetup load v --table "0 $len vdsplex $(table_of v)"
		want=ok
	else
		dmsetup load v --table "$base 2 resync_rate 0"
		want=gone
	fi
	dmsetup suspend v
	dmsetup resume v
	add_result
	if [ $want = ok ]; then
		expect_eq "$got" ok "AddPlex across a reload of the same table"
	else
		# ended by the reload, or finished just before it
		case $got in canceled | ok) ;; *) fail "AddPlex vs a reload without it: $got" ;; esac
		expect_eq "$(status_field v 1)" 2 "plexes after a reload without the new one"
	fi
	[ $i = $((N - 1)) ] || back_to_two
done
settle "addplex vs reload"
back_to_two

# 3. AddPlex vs remove_plex (of the new plex, or of an old one)
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	rate
	add_bg /dev/ram2
	nap
	if [ $((RANDOM % 2)) = 0 ]; then
		dmsetup message v 0 remove_plex 2
		add_result
		case $got in canceled | ok) ;; *) fail "AddPlex vs remove_plex of it: $got" ;; esac
	else
		dmsetup message v 0 remove_plex 1
		add_result
		expect_eq "$got" ok "AddPlex vs remove_plex of another"
		# ram2 is plex 1 now: put e1 back and drop ram2
		ioctl_expect VDS_S_OK add "$vol" /dev/mapper/e1 --wait >/dev/null
		dmsetup message v 0 remove_plex 1
	fi
	[ $i = $((N - 1)) ] || back_to_two
done
[ "$(status_field v 1)" = 3 ] || ioctl_expect VDS_S_OK add "$vol" /dev/ram2 --wait >/dev/null
settle "addplex vs remove_plex"
back_to_two

# 4. AddPlex vs dmsetup remove (a second volume w; the load stays on v)
# 6b. and two AddPlex calls at once on two volumes
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	dmsetup create w --table "0 $len vdsplex - 128 1 /dev/ram4 0 1 nosync"
	dmsetup message w 0 resync_rate $((4096 * (1 + RANDOM % 4)))
	rate
	"$IOCTL" add "$(devno /dev/mapper/w)" /dev/ram5 --wait >/tmp/addw.out 2>&1 &
	addw=$!
	add_bg /dev/ram2
	attached /tmp/addw.out
	nap
	dmsetup remove w
	wait $addw || true
	case $(add_outcome "$(cat /tmp/addw.out)") in deleted | ok) ;; *) fail "AddPlex vs dmsetup remove" ;; esac
	add_result
	expect_eq "$got" ok "AddPlex on v while w's ran"
	[ $i = $((N - 1)) ] || back_to_two
done
settle "addplex vs dmsetup remove"
back_to_two

# 6a. two AddPlex calls at once on one volume: one runs, one is refused
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	dmsetup message v 0 resync_rate 4096
	d3=/dev/ram3
	[ $((RANDOM % 2)) = 0 ] || d3=/dev/ram2	# the same device twice
	"$IOCTL" add "$vol" /dev/ram2 --wait >/tmp/a1.out 2>&1 &
	p1=$!
	"$IOCTL" add "$vol" $d3 --wait >/tmp/a2.out 2>&1 &
	p2=$!
	wait $p1 || true
	wait $p2 || true
	ok=$(cat /tmp/a1.out /tmp/a2.out | grep -c '^add rc=0' || true)
	expect_eq "$ok" 1 "AddPlex calls that ran out of two at once ($(head -qn1 /tmp/a1.out /tmp/a2.out | tr '\n' ' '))"
	cat /tmp/a1.out /tmp/a2.out | grep '^add rc=-1' |
		grep -qE 'VDS_E_ANOTHER_CALL_IN_PROGRESS|VDS_E_DISK_IN_USE_BY_VOLUME' ||
		fail "the second AddPlex: $(cat /tmp/a1.out /tmp/a2.out)"
	[ $i = $((N - 1)) ] || back_to_two
done
settle "two addplex at once"
back_to_two

# 7. cancel vs completion; 8. closing the handle vs completion
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	dmsetup message v 0 resync_rate adaptive
	out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram2 --cancel-at $((90 + RANDOM % 10)) --wait)
	case "$out" in
	*"cancel rc=0 errno=0 hresult=0x8004240d"*)
		expect_eq "$(add_outcome "$out")" canceled "WAIT after a successful CANCEL"
		expect_eq "$(status_field v 1)" 2 "plexes after CANCEL" ;;
	*"cancel rc=-1 errno=ESRCH hresult=0x8004240c"* | *"final state=succeeded"*)
		expect_eq "$(add_outcome "$out")" ok "WAIT after a late CANCEL"
		expect_eq "$(health v)" AAA "health after a late CANCEL" ;;
	*) fail "cancel vs completion: $out" ;;
	esac
	back_to_two
	ioctl_expect VDS_S_OK add "$vol" /dev/ram2 --sleep "0.$((RANDOM % 10))" --close >/dev/null
	wait_idle v 300
	expect_eq "$(health v)" AAA "health after closing the handle near the end"
	[ $i = $((N - 1)) ] || back_to_two
done
settle "cancel or close vs completion"
back_to_two

# 10. readd_plex vs a new failure (e1 turns into an error target)
swap_e1() {
	dmsetup suspend e1
	dmsetup load e1 --table "0 $len $1"
	dmsetup resume e1
}
load_start /dev/mapper/v
for ((i = 0; i < N; i++)); do
	dmsetup message v 0 fail_plex 1
	nap
	rate
	dmsetup message v 0 readd_plex 1
	nap
	swap_e1 error
	sleep 0.5	# the load writes: a write error fails plex 1 again
	swap_e1 "linear /dev/ram1 0"
	case "$(health v)" in
	AD) dmsetup message v 0 readd_plex 1 ;;
	Aa | AA) ;;	# the readd's copy and the writes missed the error window
	*) fail "health after a failure during readd: $(health v)" ;;
	esac
	wait_idle v 300
	expect_eq "$(health v)" AA "health after readd vs failure"
done
settle "readd vs new failure"

# 9. read repair vs resync of the same region: plex 1 is dust with bad
# blocks in region 10, read there while an AddPlex copies it.
dmsetup remove v
dmsetup create dust1 --table "0 $len dust /dev/ram1 0 512"
for ((i = 0; i < N; i++)); do
	# ram2 held v's data (and this race's, from the round before):
	# scrambled, so a copy that does nothing fails the comparison
	scramble /dev/ram2
	# round robin: half the reads go to the dust plex
	dmsetup create r --table "0 $len vdsplex - 128 2 /dev/ram0 0 /dev/mapper/dust1 0 3 nosync read_policy round_robin"
	# dust blocks are sectors here (block size 512): four in region 10
	for b in 0 24 56 96; do dmsetup message dust1 0 addbadblock $((10 * 128 + b)) >/dev/null; done
	dmsetup message dust1 0 enable
	dmsetup message r 0 resync_rate $((2048 * (1 + RANDOM % 4)))
	"$IOCTL" add "$(devno /dev/mapper/r)" /dev/ram2 --wait >/tmp/add.out 2>&1 &
	addpid=$!
	for ((k = 0; k < 40; k++)); do
		dd if=/dev/mapper/r of=/dev/null bs=4k skip=$((10 * 16)) count=16 iflag=direct status=none ||
			fail "a read of region 10 failed"
	done
	wait $addpid || true
	expect_eq "$(add_outcome "$(cat /tmp/add.out)")" ok "AddPlex vs read repair"
	errs=$("$IOCTL" plexes "$(devno /dev/mapper/r)" | grep '^plex index=1 ' | grep -o 'read_errors=[0-9]*')
	[ "${errs#read_errors=}" -gt 0 ] || fail "no read of region 10 met a bad block ($errs)"
	dmsetup message dust1 0 disable
	dmsetup message dust1 0 clearbadblocks >/dev/null 2>&1 || true
	wait_idle r 300
	expect_eq "$(status_field r 2)" AAA "health after read repair vs resync"
	plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0
	dmsetup remove r
done
rounds["read repair vs resync"]=$N
dmsetup remove dust1

# 5. rmmod vs a handle still open after its volume is gone
for ((i = 0; i < N; i++)); do
	dmsetup create x --table "0 $len vdsplex - 128 1 /dev/ram4 0 1 nosync"
	dmsetup message x 0 resync_rate 4096
	# the client holds the handle open until it is killed
	"$IOCTL" add "$(devno /dev/mapper/x)" /dev/ram5 --wait --sleep 600 >/tmp/addx.out 2>&1 &
	addpid=$!
	# until the AddPlex runs (the client may take a while to start)
	for ((k = 0; k < 60; k++)); do
		case "$(health x)" in *a*) break ;; esac
		sleep 0.2
	done
	nap
	dmsetup remove x
	for ((k = 0; k < 300; k++)); do
		grep -q '^wait rc=' /tmp/addx.out && break
		sleep 0.1
	done
	if rmmod dm_vdsplex 2>/dev/null; then
		fail "rmmod succeeded while an async handle was open"
	fi
	kill $addpid
	wait $addpid || true
	expect_eq "$(add_outcome "$(cat /tmp/addx.out)")" deleted "AddPlex vs dmsetup remove, handle open"
	for ((k = 0; k < 50; k++)); do
		rmmod dm_vdsplex 2>/dev/null && break
		sleep 0.1
	done
	lsmod | grep -q '^dm_vdsplex ' && fail "rmmod refused after the last handle closed"
	vm_modprobe dm_vdsplex
done
rounds["rmmod vs open handle"]=$N
for r in "${!rounds[@]}"; do echo "race '$r': ${rounds[$r]} rounds"; done
