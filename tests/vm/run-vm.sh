#!/usr/bin/env bash
# run-vm.sh COMMAND [ARG]...
#
# Run COMMAND inside Debian's stock 6.1 kernel (unpacked by ci/setup-deps.sh)
# under QEMU TCG, over a read-only 9p view of this machine's root with a tmpfs
# overlay on top, in the current working directory. Exits with COMMAND's exit
# code. See tests/vm/README.md.
#
# Environment:
#   FHVM_TIMEOUT      seconds for the whole VM run (default 300); 124 if hit
#   FHVM_KERNEL_DIR   unpacked kernel package (default /var/cache/fhswitch-vm/current)
#   FHVM_CACHE        where built initramfs images are kept
#   FHVM_LOG          keep the console log here (default: a temp file, kept
#                     and shown only on failure)
#   FHVM_ENV          names of host variables to pass to COMMAND
#   FHVM_MEM          guest memory in MiB (default 1024)
#   FHVM_APPEND       extra kernel command line arguments
#   FHVM_QUIET=1      do not print timings
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=fhvm

if [ $# -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG]..." >&2
	exit 2
fi

timeout_s=${FHVM_TIMEOUT:-300}
kdir=${FHVM_KERNEL_DIR:-/var/cache/fhswitch-vm/current}
mem=${FHVM_MEM:-1024}

say() { [ "${FHVM_QUIET:-0}" = 1 ] || echo "$prog: $*" >&2; }
die() {
	echo "$prog: $*" >&2
	exit 125
}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run ci/setup-deps.sh"
[ -x /bin/busybox ] || die "/bin/busybox missing: run ci/setup-deps.sh (busybox-static)"
command -v modprobe >/dev/null || die "modprobe missing: run ci/setup-deps.sh (kmod)"
[ -f "$kdir/.kernel-version" ] || die "no unpacked kernel in $kdir: run ci/setup-deps.sh"
kver=$(cat "$kdir/.kernel-version")
vmlinuz="$kdir/boot/vmlinuz-$kver"
kmods="$kdir/lib/modules/$kver"
if [ ! -f "$vmlinuz" ] || [ ! -f "$kmods/modules.dep" ]; then
	die "incomplete kernel tree in $kdir"
fi
# busybox must be static: it runs before any library is reachable.
if ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is dynamically linked: install busybox-static"
fi

case "$PWD/" in
/run/*) say "warning: $PWD is under /run, which is a fresh tmpfs in the guest" ;;
esac

# One VM at a time on this machine (ctest's RUN_SERIAL only covers one ctest).
if [ -z "${FHVM_NO_LOCK:-}" ] && command -v flock >/dev/null; then
	exec 9>"${TMPDIR:-/tmp}/fhswitch-vm.lock"
	if ! flock -n 9; then
		say "waiting for another VM run to finish"
		flock -w "$timeout_s" 9 || die "another VM run held the lock for ${timeout_s}s"
	fi
fi

# --- initramfs: busybox, init, the modules to reach 9p + overlay -------------
# Cached by content: rebuilt when init, busybox, the kernel package or the
# module list change. Bump "recipe N" below when changing how it is built.
if [ -n "${FHVM_CACHE:-}" ]; then
	cache=$FHVM_CACHE
elif [ -w /var/cache/fhswitch-vm ]; then
	cache=/var/cache/fhswitch-vm/initramfs
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/fhswitch-vm
fi
mkdir -p "$cache"

boot_mods=(virtio_pci 9pnet_virtio 9p overlay)
modpaths=$(for m in "${boot_mods[@]}"; do
	modprobe -d "$kdir" -S "$kver" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
[ -n "$modpaths" ] || die "modprobe -d $kdir found none of ${boot_mods[*]}"

key=$({
	echo "recipe 1"
	cat "$kdir/.unpacked"
	echo "$modpaths"
	sha256sum "$here/init" /bin/busybox
} | sha256sum | cut -c1-16)
initrd="$cache/initramfs-$key.cpio"

if [ ! -f "$initrd" ]; then
	say "building $initrd"
	stage=$(mktemp -d)
	mkdir -p "$stage/bin" "$stage/modules"
	cp /bin/busybox "$stage/bin/busybox"
	cp "$here/init" "$stage/init"
	chmod 0755 "$stage/init" "$stage/bin/busybox"
	while read -r p; do
		cp "$p" "$stage/modules/"
		basename "$p" >>"$stage/modules/order"
	done <<<"$modpaths"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		/bin/busybox cpio -o -H newc -R 0:0 2>/dev/null) >"$initrd.tmp.$$"
	mv "$initrd.tmp.$$" "$initrd"
	rm -rf "$stage"
	find "$cache" -maxdepth 1 -name 'initramfs-*.cpio' ! -name "initramfs-$key.cpio" -delete
fi

# --- the run's directories ---------------------------------------------------
# $work (host only): console fifo, QEMU stderr, the log.
# $work/io (9p tag fhvmio, read-write, /run/fhvm in the guest): stage2.sh,
# the command, the token for the console markers, the exit code.
work=$(mktemp -d "${TMPDIR:-/tmp}/fhvm.XXXXXX")
io=$work/io
mkdir "$io"
log=${FHVM_LOG:-$work/console.log}
: >"$log"

qpid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	if [ "${keep_work:-0}" = 1 ]; then
		return
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cp "$here/stage2.sh" "$io/stage2.sh"
token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$token" >"$io/token"
{
	echo "# written by run-vm.sh"
	for name in ${FHVM_ENV:-}; do
		if [ -n "${!name+set}" ]; then
			printf 'export %s=%q\n' "$name" "${!name}"
		fi
	done
	printf 'cd -- %q || exit 125\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$io/cmd"

append="console=ttyS0 panic=-1 mitigations=off ${FHVM_APPEND:-}"
mkfifo "$work/console"

t_start=$EPOCHREALTIME
timeout -k 5 "$timeout_s" qemu-system-x86_64 \
	-accel tcg -cpu max -m "$mem" -smp 1 \
	-nodefaults -nographic -serial stdio -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$initrd" -append "$append" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$kmods,mount_tag=modules,security_model=none,readonly=on" \
	-virtfs "local,path=$io,mount_tag=fhvmio,security_model=none" \
	</dev/null >"$work/console" 2>"$work/qemu.err" &
qpid=$!

# Everything from the console goes to the log; what the command prints
# (between the marker lines stage2.sh writes) also goes to stdout, live.
t_begin='' t_end=''
inside=0
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	printf '%s\n' "$line" >>"$log"
	case "$line" in
	*"FHVM-$token-BEGIN"*)
		t_begin=$EPOCHREALTIME
		inside=1
		;;
	*"FHVM-$token-END"*)
		t_end=$EPOCHREALTIME
		# a last line the command left without its newline
		before=${line%%"FHVM-$token-END"*}
		[ $inside = 0 ] || [ -z "$before" ] || printf '%s\n' "$before"
		inside=0
		;;
	*) [ $inside = 0 ] || printf '%s\n' "$line" ;;
	esac
done <"$work/console"

qrc=0
wait "$qpid" || qrc=$?
qpid=
t_stop=$EPOCHREALTIME

if [ -s "$work/qemu.err" ]; then
	{
		echo "--- qemu stderr ---"
		cat "$work/qemu.err"
	} >>"$log"
fi

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
if [ -n "$t_begin" ] && [ -n "$t_end" ]; then
	say "boot $(secs "$t_start" "$t_begin")s, command $(secs "$t_begin" "$t_end")s, total $(secs "$t_start" "$t_stop")s (kernel $kver)"
fi

if [ -f "$io/rc" ]; then
	rc=$(cat "$io/rc")
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "$prog: timed out after ${timeout_s}s (FHVM_TIMEOUT)" >&2
	rc=124
else
	echo "$prog: the VM stopped without an exit code (qemu exit $qrc)" >&2
	rc=125
fi

if [ "$rc" != 0 ]; then
	if [ -z "${FHVM_LOG:-}" ]; then
		keep_work=1
	fi
	if [ -f "$io/rc" ]; then
		# The command's own output is on stdout already: add what the
		# kernel said meanwhile.
		echo "$prog: exit $rc; guest console in $log" >&2
		sed -n "/FHVM-$token-END/,\$p" "$log" | sed '1d; s/^/  | /' | tail -n 150 >&2
	else
		echo "$prog: exit $rc; guest console in $log (last 150 lines follow)" >&2
		tail -n 150 "$log" | sed 's/^/  | /' >&2
	fi
fi
exit "$rc"
