#!/usr/bin/env bash
# Install every Debian 12 package fhswitch needs to build, test and demo.
# Idempotent and non-interactive: safe to run on every CI start.
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config clang llvm libclang-rt-14-dev
	clang-format
	libdpdk-dev dpdk dpdk-dev
	libnl-3-dev libnl-route-3-dev
	libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libprotobuf-dev
	libgrpc-dev grpc-proto
	libjansson-dev
	libcmocka-dev
	libpcap-dev
	tshark
	linuxptp
	libmicrohttpd-dev prometheus
	python3-grpcio python3-protobuf python3-grpc-tools tmux
	iproute2 python3 openssl
)

# Node.js runs the gRPC interop test with @grpc/grpc-js (npm); any node
# >= 18 will do, Debian's if none is installed
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup-deps: all ${#PKGS[@]} packages present"
else
	# tshark asks whether non-root users may capture; answer "no" up front.
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		$SUDO debconf-set-selections
	echo "setup-deps: installing ${missing[*]}"
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- VM test runner (tests/vm) ----------------------------------------------
# QEMU, a static busybox for the initramfs, kmod for depmod/modprobe -d, and
# Debian's stock bookworm kernel (linux-image-6.1.0-*-amd64) unpacked into
# $FHVM_KERNEL_CACHE: it has the flower/vlan/8021q bits the host kernel lacks.
# The host kernel and /boot are never touched.
VM_PKGS=(qemu-system-x86 busybox-static kmod)
vm_missing=()
for p in "${VM_PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		vm_missing+=("$p")
	fi
done
if [ ${#vm_missing[@]} -gt 0 ]; then
	echo "setup-deps: installing ${vm_missing[*]}"
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends "${vm_missing[@]}"
fi

FHVM_KERNEL_CACHE=${FHVM_KERNEL_CACHE:-/var/cache/fhswitch-vm}
# The kernel package linux-image-amd64 currently points at, e.g.
# linux-image-6.1.0-56-amd64 (empty when apt cannot tell).
vm_kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n1)
if [ -z "$vm_kpkg" ] && [ -e "$FHVM_KERNEL_CACHE/current" ]; then
	echo "setup-deps: cannot resolve linux-image-amd64; keeping $(readlink "$FHVM_KERNEL_CACHE/current")"
elif [ -z "$vm_kpkg" ]; then
	echo "setup-deps: cannot resolve linux-image-amd64 (apt-get update?)" >&2
	exit 1
elif [ -f "$FHVM_KERNEL_CACHE/$vm_kpkg/.unpacked" ]; then
	echo "setup-deps: VM kernel $vm_kpkg already unpacked"
	$SUDO ln -sfn "$vm_kpkg" "$FHVM_KERNEL_CACHE/current"
else
	echo "setup-deps: fetching VM kernel $vm_kpkg into $FHVM_KERNEL_CACHE"
	$SUDO mkdir -p "$FHVM_KERNEL_CACHE/debs"
	# apt-get download writes into the current directory; as root it warns
	# that the download is unsandboxed, which is harmless.
	if ! (cd "$FHVM_KERNEL_CACHE/debs" && $SUDO apt-get download -q "$vm_kpkg"); then
		$SUDO apt-get update -q
		(cd "$FHVM_KERNEL_CACHE/debs" && $SUDO apt-get download -q "$vm_kpkg")
	fi
	vm_deb=$(ls -t "$FHVM_KERNEL_CACHE/debs/${vm_kpkg}_"*_amd64.deb | head -n1)
	vm_tmp="$FHVM_KERNEL_CACHE/.unpack.$$"
	$SUDO rm -rf "$vm_tmp"
	$SUDO dpkg-deb -x "$vm_deb" "$vm_tmp"
	vm_kver=$(ls "$vm_tmp/lib/modules")
	$SUDO depmod -b "$vm_tmp" "$vm_kver"
	echo "$vm_kver" | $SUDO tee "$vm_tmp/.kernel-version" >/dev/null
	basename "$vm_deb" | $SUDO tee "$vm_tmp/.unpacked" >/dev/null
	$SUDO rm -rf "$FHVM_KERNEL_CACHE/$vm_kpkg"
	$SUDO mv "$vm_tmp" "$FHVM_KERNEL_CACHE/$vm_kpkg"
	$SUDO ln -sfn "$vm_kpkg" "$FHVM_KERNEL_CACHE/current"
	echo "setup-deps: VM kernel $vm_kver in $FHVM_KERNEL_CACHE/$vm_kpkg"
fi

# --- npm packages of the Node interop tests (tests/integration/node) ---------
# Installed from the committed package-lock.json; skipped while node_modules
# is newer than the lock (npm writes node_modules/.package-lock.json last).
node_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/integration/node"
if [ -f "$node_dir/package-lock.json" ]; then
	if [ "$node_dir/node_modules/.package-lock.json" -nt "$node_dir/package-lock.json" ]; then
		echo "setup-deps: npm packages of $node_dir present"
	else
		echo "setup-deps: npm ci in $node_dir"
		npm ci --prefix "$node_dir" --no-audit --no-fund
	fi
fi
