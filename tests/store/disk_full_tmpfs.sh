#!/bin/bash
# A real full file system: the store on a 1 MiB tmpfs in a private mount namespace. The writer
# must keep what it cannot write, log once, and write all of it once the tmpfs is enlarged.
# Usage: disk_full_tmpfs.sh PATH/TO/disk_full_probe      (exit 77 = skipped: no mount namespace)
set -euo pipefail
probe=$1
if [[ ${AVMON_IN_NS:-} != 1 ]]; then
    if ! unshare -m true 2>/dev/null; then
        echo "SKIP: cannot create a mount namespace (needs root)"
        exit 77
    fi
    AVMON_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

dir=$(mktemp -d /tmp/avmon-diskfull-XXXXXX)
cleanup() {
    [[ -n ${probe_pid:-} ]] && kill "$probe_pid" 2>/dev/null || true
    umount "$dir" 2>/dev/null || true
    rmdir "$dir" 2>/dev/null || true
}
trap cleanup EXIT
if ! mount -t tmpfs -o size=1m tmpfs "$dir"; then
    echo "SKIP: cannot mount tmpfs"
    exit 77
fi

coproc PROBE { "$probe" "$dir/avmon.db"; }
probe_pid=$PROBE_PID
read -r -t 40 first <&"${PROBE[0]}" || { echo "no answer from the probe"; exit 1; }
echo "probe: $first"
[[ $first == FULL* ]] || exit 1
df -k "$dir" | tail -1
mount -o remount,size=64m "$dir"
echo GO >&"${PROBE[1]}"
read -r -t 40 second <&"${PROBE[0]}" || { echo "no answer after GO"; exit 1; }
echo "probe: $second"
wait "$probe_pid"
probe_pid=
[[ $second == OK* ]]
