# smoke: yes
# kernels: stock-6.12 stock-6.1
# 1, 2 and 3 plexes on ram disks, then 3 plexes on loop devices with plex
# offsets and a length that is not a multiple of the region size: fio writes
# and verifies through the volume, then every plex holds the same bytes.
brd_load 3 64
for n in 1 2 3; do
	devs='' want='' plexes=()
	for ((i = 0; i < n; i++)); do
		devs="$devs /dev/ram$i 0"
		want="${want}A"
		plexes+=("/dev/ram$i:0")
	done
	dmsetup create "v$n" --table "0 131072 vdsplex - 2048 $n$devs 1 nosync"
	expect_eq "$(health "v$n")" "$want" "health of a $n-plex volume"
	fio_verify "/dev/mapper/v$n" 12
	plexes_equal 131072 "${plexes[@]}"
	dmsetup remove "v$n"
done

l0=$(loop_file a 64)
l1=$(loop_file b 64)
l2=$(loop_file c 64)
len=100001 # 48 regions of 2048 sectors and a partial one of 1697
dmsetup create w --table "0 $len vdsplex - 2048 3 $l0 0 $l1 2048 $l2 7 1 nosync"
expect_eq "$(status_field w 3)" "49/49" "regions of a volume with a partial last region"
fio_verify /dev/mapper/w 24
# the partial last region
dd if=/dev/urandom of=/dev/mapper/w bs=512 seek=$((len - 33)) count=33 oflag=direct status=none
plexes_equal $len "$l0:0" "$l1:2048" "$l2:7"
# and nothing was written outside the plexes: before offset 2048 on l1
cmp -n $((2048 * 512)) /dev/zero "$l1" || fail "a write landed before plex 1's offset"
