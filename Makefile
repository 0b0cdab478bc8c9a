# SPDX-License-Identifier: GPL-2.0-only
#
# dm-vdsplex: out-of-tree device-mapper target.
#
#   make                 build dm_vdsplex.ko for KDIR (default: the running kernel)
#                        and the CLI, tools/vdsplex/vdsplex
#   make install         install the module (and depmod), the CLI, its man page
#                        and bash completion (DESTDIR, PREFIX=/usr/local)
#   make dkms-install    the module's source to /usr/src/vdsplex-VERSION and
#                        DKMS builds it for every installed kernel
#                        (make dkms-uninstall removes it)
#   make deb             Debian packages vdsplex-dkms and vdsplex-tools
#                        (dpkg-buildpackage): results/deb/
#   make check           every test: builds, checkpatch, sparse, KUnit and dm
#                        scenarios in QEMU guests; ends "N passed, N failed"
#   make check-long      the longer suites (fault scenarios, the in-guest fuzzers
#                        and the race loops at length); same summary line
#   make demo            boot a guest and show a mirrored volume at work
#   make kernel          build (once) the cached debug test kernel
#   make compare         the fault scenarios against vdsplex, dm mirror and dm
#                        raid1 on the debug kernel (it has dm-dust): results/faults.md
#   make fuzz            the host-side fuzzers of the CLI's parsers (libFuzzer,
#                        FUZZ_SECONDS each, default 60)
#   make soak            SOAK_SECONDS (default 1800) of fio verify load under
#                        AddPlex/cancel/remove/fail/readd cycles and injected
#                        faults on the debug kernel; a verdict and counts
#   make bench           vdsplex against dm linear, dm mirror and md raid1 on
#                        Debian's stock 6.12 kernel (about 20 minutes):
#                        results/bench/bench.md, bench.json, bench.png
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

.PHONY: all modules install modules_install clean check check-quick check-long demo kernel \
	test-client compare bench fuzz soak tools tools-check dkms-source dkms-install \
	dkms-uninstall deb

all: modules tools

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a

install: modules_install
	$(MAKE) -C tools/vdsplex install DESTDIR=$(DESTDIR) PREFIX=$(or $(PREFIX),/usr/local)

# DKMS (dkms.conf): the sources Kbuild needs, under /usr/src.
VDSPLEX_VERSION ?= $(shell sed -n 's/^\#define VDSPLEX_VERSION_\(MAJOR\|MINOR\|PATCH\)[[:space:]]*//p' \
	dm-vdsplex.h | paste -sd.)
DKMS_DIR = $(DESTDIR)/usr/src/vdsplex-$(VDSPLEX_VERSION)
DKMS_FILES := Kbuild $(wildcard *.c *.h) async/vdsplex-async.c async/vdsplex-async.h \
	include/uapi/linux/dm-vdsplex.h tests/vdsplex-kunit.c
dkms-source:
	for f in $(DKMS_FILES); do install -D -m 0644 $$f $(DKMS_DIR)/$$f; done
	sed 's/#MODULE_VERSION#/$(VDSPLEX_VERSION)/' dkms.conf >$(DKMS_DIR)/dkms.conf
dkms-install: dkms-source
	dkms add -m vdsplex -v $(VDSPLEX_VERSION)
	dkms build -m vdsplex -v $(VDSPLEX_VERSION)
	dkms install -m vdsplex -v $(VDSPLEX_VERSION)
dkms-uninstall:
	dkms remove -m vdsplex -v $(VDSPLEX_VERSION) --all
	rm -rf $(DKMS_DIR)
deb:
	scripts/deb $(if $(NO_GUEST),--no-guest)

# The administrator's CLI (vdsplex(8), tools/vdsplex/vdsplex.8, and
# Documentation/dm-vdsplex.rst, "Command-line tool") and its host-side unit
# tests (cmocka).
tools:
	$(MAKE) -C tools/vdsplex
tools-check:
	$(MAKE) -C tools/vdsplex check

# The scenario tests' ioctl client (userspace, built on the host).
TEST_CLIENT := .build/tests/vdsplex-ioctl
test-client: $(TEST_CLIENT) .build/tests/log-replay .build/tests/vdsplex-fuzz tools
$(TEST_CLIENT): tests/vdsplex-ioctl.c include/uapi/linux/dm-vdsplex.h
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -Iinclude/uapi -o $@ $<
# The in-guest fuzzers (tests/dm/22-fuzz.sh, make check-long, make soak).
.build/tests/vdsplex-fuzz: tests/vdsplex-fuzz.c include/uapi/linux/dm-vdsplex.h tools/kshim/crc32c.h
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -Iinclude/uapi -pthread -o $@ $<
# dm-log-writes replay for the power-cut scenario.
.build/tests/log-replay: tests/log-replay.c
	mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || true
	$(MAKE) -C tools/vdsplex clean
	rm -rf .build

check:
	scripts/check

check-quick:
	scripts/check --quick

# The suites too long for make check: the fault scenarios of
# tests/faults/faults.sh with vdsplex's outcomes asserted (18-faults).
check-long:
	scripts/check --long

demo:
	scripts/demo

kernel:
	scripts/deps
	scripts/kernel

bench:
	scripts/bench

soak:
	scripts/soak

fuzz:
	scripts/deps
	$(MAKE) -C tests/fuzz run

compare:
	scripts/deps
	scripts/vm --kernel debug --quiet --timeout 4800 -- tests/faults/run
