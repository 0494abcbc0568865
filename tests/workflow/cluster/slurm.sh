#!/usr/bin/env bash
# A real one-node SLURM cluster for the tests: Debian's slurm-wlm and munge, started by
# hand (no systemd), with one count-only GPU declared as a generic resource.
#
#   tests/cluster/slurm.sh start STATE_DIR   # writes configs, starts munged, slurmctld, slurmd
#   tests/cluster/slurm.sh stop STATE_DIR    # stops exactly the daemons it started (by PID)
#
# Needs root and: apt-get install --no-install-recommends slurm-wlm munge
set -euo pipefail
action=${1:?start|stop}
state=$(realpath -m "${2:?state directory}")

# munged runs as user munge, which cannot enter private temporary directories: its
# files live under /run/munge (one test cluster per machine at a time).
munge_dir=/run/munge
munge_pid=$munge_dir/lbr-test.pid

stop() {
  # Remove the default-location links this script made (job steps' srun reads only there).
  for name in slurm.conf gres.conf; do
    link=/etc/slurm/$name
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$state/$name" ]; then rm -f "$link"; fi
  done
  for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid" "$munge_pid"; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
for tool in munged mungekey slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "$tool missing: apt-get install --no-install-recommends slurm-wlm munge" >&2; exit 3; }
done

mkdir -p "$state"/{spool,ctld}
host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)

mkdir -p "$munge_dir" && chown munge:munge "$munge_dir" && chmod 755 "$munge_dir"
if [ -f "$munge_pid" ] && kill -0 "$(cat "$munge_pid")" 2>/dev/null; then
  echo "a test munged is already running (pid $(cat "$munge_pid")): stop its cluster first" >&2; exit 5
fi
mungekey --create --keyfile "$munge_dir/lbr-test.key" --force
chown munge:munge "$munge_dir/lbr-test.key"
runuser -u munge -- munged --key-file "$munge_dir/lbr-test.key" --socket "$munge_dir/munge.socket.2" \
  --pid-file "$munge_pid" --log-file "$munge_dir/lbr-test.log" --seed-file "$munge_dir/lbr-test.seed" --force

cat > "$state/slurm.conf" <<CONF
ClusterName=lbrtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
MinJobAge=300
ReturnToService=2
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory Gres=gpu:1 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# A count-only GPU is dropped and drains the node; /dev/null stands in for the device.
echo "NodeName=$host Name=gpu File=/dev/null" > "$state/gres.conf"

export SLURM_CONF="$state/slurm.conf"
# srun inside batch jobs ignores SLURM_CONF and reads /etc/slurm: link the test configs
# there unless the machine has its own (then refuse rather than overwrite). A link left by
# an earlier test cluster that was killed before its stop (dangling, or to a lbrtest
# config) is ours to replace.
ours() {
  [ -L "$1" ] && { [ ! -e "$1" ] || grep -q '^ClusterName=lbrtest$' "$(dirname "$(readlink "$1")")/slurm.conf" 2>/dev/null; }
}
mkdir -p /etc/slurm
for name in slurm.conf gres.conf; do
  if [ -e "/etc/slurm/$name" ] || [ -L "/etc/slurm/$name" ]; then
    if ! ours "/etc/slurm/$name"; then
      echo "/etc/slurm/$name exists: this machine has its own SLURM; not starting a test cluster" >&2; exit 4
    fi
  fi
  ln -sfn "$state/$name" "/etc/slurm/$name"
done
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
  if [ "$(sinfo -h -o %T 2>/dev/null | head -n1)" = idle ]; then echo "slurm up: $SLURM_CONF"; exit 0; fi
  sleep 0.2
done
echo "slurm did not become idle; logs in $state" >&2
sinfo >&2 || true
exit 1
