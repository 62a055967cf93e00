#!/bin/bash
# The kernel has what the switchdev backend needs: run inside the test VM
# (tests/vm/run-vm.sh tests/vm/smoke.sh), as root.
#
# Namespace fhsw is the switch, fhhost holds the far ends of four veth pairs
# p1..p4 <-> h1..h4 (the "hosts"). p1, p2 are ports of a VLAN-filtering
# bridge; p3 has a clsact ingress flower rule that rewrites VLAN 10 -> 20 on
# eCPRI (0xAEFE) frames and redirects them out of p4. Frames are sent and
# captured with AF_PACKET (pkt.py) on the host ends. Every module involved
# (veth, bridge, 8021q, sch_ingress, cls_flower, act_vlan, act_mirred) is
# loaded on demand by the kernel's auto-loader.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/harness.sh"

# expect DESC WANT PKT-ARGS...: pkt.py (in fhhost) prints exactly WANT
expect() {
	local desc=$1 want=$2
	shift 2
	local got
	got=$(ip netns exec fhhost python3 "$here/pkt.py" "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		printf '       %s\n' "pkt.py $*" "want: ${want:-<nothing>}" "got:  ${got:-<nothing>}"
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	echo "smoke.sh: needs root (run it in the VM: tests/vm/run-vm.sh $0)" >&2
	exit 2
fi

cleanup() {
	ip netns del fhsw 2>/dev/null
	ip netns del fhhost 2>/dev/null
}
trap cleanup EXIT
cleanup

echo "# kernel $(uname -r)"
sw() { ip -n fhsw "$@"; }

# --- topology ---------------------------------------------------------------
check "netns fhsw, fhhost" sh -c 'ip netns add fhsw && ip netns add fhhost'
# No IPv6 on the host ends: router solicitations would only add noise.
ip netns exec fhhost sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6;
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null
for i in 1 2 3 4; do
	check "veth p$i (fhsw) <-> h$i (fhhost)" \
		ip link add "p$i" netns fhsw type veth peer name "h$i" netns fhhost
	ip -n fhsw link set "p$i" up
	ip -n fhhost link set "h$i" up
done

# --- bridge with VLAN filtering -----------------------------------------------
check "bridge br0 vlan_filtering 1" sw link add br0 type bridge vlan_filtering 1
contains "br0 reports vlan_filtering 1" "vlan_filtering 1" sw -d link show br0
check "p1, p2 enslaved to br0" sh -c \
	'ip -n fhsw link set p1 master br0 && ip -n fhsw link set p2 master br0 &&
	 ip -n fhsw link set br0 up'
check "bridge vlan add vid 10 on p1, p2" sh -c \
	'bridge -n fhsw vlan add dev p1 vid 10 && bridge -n fhsw vlan add dev p2 vid 10'
contains "bridge vlan show lists vid 10 on p2" "10" bridge -n fhsw vlan show dev p2

expect "bridge: VLAN 10 from h1 reaches h2 still tagged 10" \
	"h2 vid=10 type=0xaefe" --tx h1 --vid 10 --rx h2 --rx h3
expect "bridge: VLAN 30 (not a member) is dropped" \
	"" --tx h1 --vid 30 --rx h2
expect "bridge: untagged frame goes out untagged on the PVID" \
	"h2 untagged type=0xaefe" --tx h1 --rx h2

# --- tc: clsact + flower (eCPRI on VLAN 10) -> vlan modify 20 + redirect ------
check "clsact qdisc on p3" tc -n fhsw qdisc add dev p3 clsact
check "flower filter: 802.1Q/0xaefe vid 10 -> vlan modify 20, redirect to p4" \
	tc -n fhsw filter add dev p3 ingress protocol 802.1Q flower \
	vlan_ethtype 0xaefe vlan_id 10 \
	action vlan modify id 20 \
	action mirred egress redirect dev p4
contains "flower filter is software only (not_in_hw)" "not_in_hw" \
	tc -n fhsw filter show dev p3 ingress

expect "flower: eCPRI on VLAN 10 leaves p4 rewritten to VLAN 20" \
	"h4 vid=20 type=0xaefe" --tx h3 --vid 10 --type 0xaefe --rx h4 --rx h3
expect "flower: VLAN 11 does not match" \
	"" --tx h3 --vid 11 --type 0xaefe --rx h4
expect "flower: IPv4 on VLAN 10 does not match" \
	"" --tx h3 --vid 10 --type 0x0800 --rx h4
contains "flower: exactly one packet hit the rule" " 1 pkt " \
	tc -s -n fhsw filter show dev p3 ingress

summary
