# shellcheck shell=bash
# Common definitions for vdsplex's scripts.  Source it; it defines nothing
# that runs on its own.

VDSPLEX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Kernel builds, unpacked stock kernels and initramfs images live outside the
# tree so a fresh clone reuses them; only the first run pays for a build.
VDSPLEX_CACHE=${VDSPLEX_CACHE:-/var/cache/vdsplex}
VDSPLEX_FRAGMENT=$VDSPLEX_ROOT/scripts/kconfig/debug.config
# Guests see the host root, but with tmpfs over /tmp, /var/tmp and /run: a
# cache there would be invisible to them (modprobe would find no module).
case "$VDSPLEX_CACHE/" in
/tmp/* | /var/tmp/* | /run/*)
	echo "${0##*/}: VDSPLEX_CACHE=$VDSPLEX_CACHE is under /tmp, /var/tmp or /run, which guests cover with tmpfs; choose another folder" >&2
	exit 2
	;;
esac

# "error:" lets scripts/check show the line of a failed step
die() { echo "${0##*/}: error: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

# debug_kernel_key: what the cached debug kernel depends on: the fragment, the
# source package and the compiler.
debug_kernel_key() {
	{
		cat "$VDSPLEX_FRAGMENT"
		pkg_version linux-source-6.12
		gcc --version | head -1
	} | sha256sum | cut -c1-16
}

debug_kernel_dir() { echo "$VDSPLEX_CACHE/kernel/debug-$(debug_kernel_key)"; }

# stock_kernel_release NAME: uname -r of Debian's kernel for stock-6.12/stock-6.1,
# from the installed headers package (the image is unpacked from the same version).
stock_kernel_release() {
	case "$1" in
	stock-6.12) basename "$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V | tail -1)" | sed 's/^linux-headers-//' ;;
	stock-6.1) basename "$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -1)" | sed 's/^linux-headers-//' ;;
	*) return 1 ;;
	esac
}
