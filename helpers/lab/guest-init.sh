#!/bin/bash
# PID 1 of the lab's User-Mode Linux guest. It prepares a guest-local /run, loads the IPVS/ipset/iptables
# modules, then serves a command spool on hostfs until asked to halt. One boot serves a whole scenario.
#
# Spool protocol (the host side is helpers/lab/uml-guest.ts): the host writes <id>.sh (a bash script) and then
# <id>.req (one line: the netns to run it in, or "-" for the root netns). The guest runs it and writes <id>.out,
# <id>.err and, last, <id>.rc. Process spawns are slow in UML, so the loop itself uses only bash builtins.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
# Guest-local tmpfs: `ip netns add` writes /run/netns, which must not touch the host or a parallel guest.
mount -t tmpfs tmpfs /run
spool=$(sed -n 's/.*lab\.spool=\([^ ]*\).*/\1/p' /proc/cmdline)
modules="ip_vs ip_vs_rr ip_vs_wrr ip_vs_sh dummy veth bridge nf_conntrack nf_nat xt_set ip_set ip_set_hash_ip
 ip_set_hash_ipport ip_set_hash_ipportip ip_set_hash_ipportnet ip_set_bitmap_port xt_statistic xt_comment xt_mark
 xt_addrtype xt_conntrack xt_tcpudp xt_nat xt_MASQUERADE xt_ipvs ipt_REJECT iptable_nat iptable_filter iptable_mangle
 ip_tables ip_set_hash_net nf_reject_ipv4 iptable_raw xt_physdev xt_multiport xt_NFLOG xt_limit xt_nfacct ip6_tables
 ip6table_nat ip6table_filter ip6table_mangle ip6table_raw nf_reject_ipv6 ip6t_REJECT"
# modprobe looks in <dir>/lib/modules/<release>; point it at the UML modules without changing the host's /lib.
# lab.modules names another tree: the lab's own kernel (bin/build-uml-kernel) has everything built in, and its
# tree holds only modules.builtin, so modprobe of a built-in module succeeds as on a real node.
v=$(uname -r)
tree=$(sed -n 's/.*lab\.modules=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p /run/lab/root/lib/modules /run/lab/bin
ln -s "${tree:-/usr/lib/uml/modules}/$v" "/run/lab/root/lib/modules/$v"
modprobe -d /run/lab/root -a $modules > "$spool/modprobe.log" 2>&1
# The kernel's own module requests (e.g. from iptables) and kube-proxy's (its IPVS cleanup runs `modprobe ip_vs`
# and is skipped when that fails) must find the same tree, or each one stalls and fails.
printf '#!/bin/sh\nexec /sbin/modprobe -d /run/lab/root "$@"\n' > /run/lab/modprobe
chmod +x /run/lab/modprobe
echo /run/lab/modprobe > /proc/sys/kernel/modprobe
ln -s /run/lab/modprobe /run/lab/bin/modprobe
# A kube-proxy whose container lacks the node's /lib/modules (not mounted): modprobe runs and finds no module tree.
mkdir -p /run/lab/no-modules/lib/modules /run/lab/no-modules-bin
printf '#!/bin/sh\nexec /sbin/modprobe -d /run/lab/no-modules "$@"\n' > /run/lab/no-modules-bin/modprobe
chmod +x /run/lab/no-modules-bin/modprobe
# Like kind's node image after update-alternatives: plain iptables* names run the legacy backend here,
# because the nf_tables modules are not loaded in the guest.
# kube-proxy runs dual-stack as on a kind node, so ip6tables* point at the legacy backend too.
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -s "/usr/sbin/${t/tables/tables-legacy}" "/run/lab/bin/$t"
done
export PATH=/run/lab/bin:$PATH
# A kind-like PATH for scenarios whose nodes must lack ipvsadm, as the kind node image does: the same sbin tools
# as symlinks, minus ipvsadm*, so a call to ipvsadm really fails with "command not found".
cp -rs /usr/sbin/. /run/lab/kind-sbin/ && rm -f /run/lab/kind-sbin/ipvsadm*
# The uplink to the host (a tap device, UML's vector transport): kube-proxy reaches the kube-apiserver through it.
# The root netns routes and masquerades the node network to the host's end of the tap, as Docker does for a kind
# network; it has no default route, so traffic to any other address (an unallocated ClusterIP) never leaves.
uplink=$(sed -n 's/.*lab\.uplink=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$uplink" ]; then
  ip addr add "${uplink%,*}" dev vec0
  ip link set vec0 up
  echo 1 > /proc/sys/net/ipv4/ip_forward
  # The harness polls kube-proxy's metrics from here with bash's /dev/tcp, which has no connect timeout: one SYN
  # retry bounds a connect to a node that does not answer (seen once under load in CI) at about 3 s.
  echo 1 > /proc/sys/net/ipv4/tcp_syn_retries
  iptables-legacy -t nat -A POSTROUTING -s 172.16.0.0/12 -o vec0 -j MASQUERADE
fi
mkfifo /run/lab/tick
exec 3<>/run/lab/tick
echo "$v" > "$spool/ready"
declare -A done_ids
while :; do
  for req in "$spool"/*.req; do
    [ -e "$req" ] || continue
    id=${req%.req}
    [ -n "${done_ids[$id]}" ] && continue
    done_ids[$id]=1
    read -r ns < "$req"
    if [ "$ns" = "-" ]; then
      bash "$id.sh" > "$id.out" 2> "$id.err" < /dev/null
    else
      ip netns exec "$ns" bash "$id.sh" > "$id.out" 2> "$id.err" < /dev/null
    fi
    echo $? > "$id.rc"
  done
  [ -e "$spool/halt" ] && break
  read -t 0.03 -u 3
done
echo halted > "$spool/halted"
halt -f
