# SPDX-License-Identifier: GPL-2.0-only
#
# dm-vdsplex: out-of-tree device-mapper target.
#
#   make                 build dm_vdsplex.ko for KDIR (default: the running kernel)
#   make install         install the module (and depmod)
#   make check           every test: builds, checkpatch, sparse, KUnit and dm
#                        scenarios in QEMU guests; ends "N passed, N failed"
#   make demo            boot a guest and show a mirrored volume at work
#   make kernel          build (once) the cached debug test kernel
#   make compare         the fault scenarios against vdsplex, dm mirror and dm
#                        raid1 on Debian's kernel: results/faults.md
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

.PHONY: all modules install modules_install clean check check-quick demo kernel \
	test-client compare

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

install modules_install:
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a

# The scenario tests' ioctl client (userspace, built on the host).
TEST_CLIENT := .build/tests/vdsplex-ioctl
test-client: $(TEST_CLIENT) .build/tests/log-replay
$(TEST_CLIENT): tests/vdsplex-ioctl.c include/uapi/linux/dm-vdsplex.h
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -Iinclude/uapi -o $@ $<
# dm-log-writes replay for the power-cut scenario.
.build/tests/log-replay: tests/log-replay.c
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	rm -rf .build

check:
	scripts/check

check-quick:
	scripts/check --quick

demo:
	scripts/demo

kernel:
	scripts/deps
	scripts/kernel

compare:
	scripts/deps
	scripts/vm --kernel stock-6.12 --quiet --timeout 3600 -- tests/faults/run
