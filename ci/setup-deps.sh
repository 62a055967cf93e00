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
	python3-grpcio python3-protobuf
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

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer "no" up front.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections
echo "setup-deps: installing ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
