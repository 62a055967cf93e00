#!/bin/bash
# Stage 2 of the fhswitch test VM: PID 1 after switch_root into the overlay
# of the host root (see tests/vm/init). Runs /run/fhvm/cmd (written by
# run-vm.sh: env, cd, exec COMMAND...) between two marker lines the host
# filters the console on, stores its exit code in /run/fhvm/rc and powers off.

io=/run/fhvm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 FHVM=1 FHVM_IO=$io
read -r token <"$io/token"

hostname fhvm
ip link set lo up
# Keep kernel chatter (bridge port states, …) out of the command's output:
# errors and worse still show, the rest lands in the log after the run. The
# boot messages are in the log already (printed as they came), so clear them.
dmesg -n 4
dmesg -C

echo "FHVM-$token-BEGIN $(cut -d' ' -f1 /proc/uptime)"
bash "$io/cmd" </dev/null
rc=$?
echo "FHVM-$token-END $rc $(cut -d' ' -f1 /proc/uptime)"

echo "$rc" >"$io/rc.tmp" && mv "$io/rc.tmp" "$io/rc"
echo "--- guest kernel messages during the command ---"
dmesg
sync
echo o >/proc/sysrq-trigger
while :; do sleep 60; done
