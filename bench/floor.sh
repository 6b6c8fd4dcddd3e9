#!/bin/sh
# The floor: the reference lab written by hand, as small as it gets. Two BIRD routers (iBGP, next
# hop self), two GoBGP nodes (eBGP, each announcing its pod CIDR), two pods behind /32 routes;
# wait until both routers route both pod CIDRs, ping both ways, and check over TCP that the remote
# pod sees the client pod's own address. `npm run bench` runs it beside `lab e2e` (alternating) and
# prints the ratio. Prints "floor ok <ms>" and exits 0, or names what failed and exits 1.
# Root only; everything lives in namespaces nrl-<id>-f*, removed on exit.
set -eu
ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
P="nrl-$ID"
DIR=$(mktemp -d /run/nrl-floor-XXXXXX)
NS="r1 r2 n1 n2 p1 p2"
start=$(date +%s%3N)

cleanup() {
  for n in $NS; do
    for pid in $(ip netns pids "$P-f$n" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$P-f$n" 2>/dev/null || true
  done
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
x() { n=$1; shift; nsenter --net="/run/netns/$P-f$n" "$@"; }

for n in $NS; do echo "netns add $P-f$n"; done | ip -batch -
ip -n "$P-fr1" -batch - <<EOF
link add eth2 netns $P-fr1 type veth peer name eth2 netns $P-fr2
link add eth0 netns $P-fr1 type veth peer name eth0 netns $P-fn1
link add eth0 netns $P-fr2 type veth peer name eth0 netns $P-fn2
link add lxc0 netns $P-fn1 type veth peer name eth0 netns $P-fp1
link add lxc0 netns $P-fn2 type veth peer name eth0 netns $P-fp2
EOF
for i in 1 2; do
  lan="10.0.$((i - 1))"
  pod="10.244.$((i - 1))"
  ip -n "$P-fr$i" -batch - <<EOF
link set lo up
addr add $lan.1/24 dev eth0
link set eth0 up
addr add 172.16.0.$i/24 dev eth2
link set eth2 up
EOF
  ip -n "$P-fn$i" -batch - <<EOF
link set lo up
addr add $lan.10/24 dev eth0
link set eth0 up
route add default via $lan.1
addr add $pod.1/32 dev lo
link set lxc0 up
route add $pod.10/32 dev lxc0 scope link
EOF
  ip -n "$P-fp$i" -batch - <<EOF
link set lo up
addr add $pod.10/32 dev eth0
link set eth0 up
route add $pod.1/32 dev eth0 scope link
route add default via $pod.1 dev eth0
EOF
  x "r$i" sysctl -qw net.ipv4.ip_forward=1
  x "n$i" sysctl -qw net.ipv4.ip_forward=1

  cat > "$DIR/gobgpd-$i.toml" <<EOF
[global.config]
  as = 65001
  router-id = "$lan.10"
  port = 179
  local-address-list = ["$lan.10"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$lan.1"
    peer-as = 65000
  [neighbors.timers.config]
    connect-retry = 5
    hold-time = 9
    keepalive-interval = 3
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF
  x "n$i" gobgpd -f "$DIR/gobgpd-$i.toml" -t toml -l warn -p --api-hosts 127.0.0.1:50051 --pprof-disable > "$DIR/gobgpd-$i.log" 2>&1 &

  other=$((3 - i))
  cat > "$DIR/bird-$i.conf" <<EOF
router id $lan.1;
protocol device { scan time 10; }
protocol kernel { ipv4 { import none; export where source = RTS_BGP; }; }
protocol bgp peer {
  local 172.16.0.$i as 65000; neighbor 172.16.0.$other as 65000; direct;
  connect delay time 0; connect retry time 5; hold time 9; keepalive time 3;
  ipv4 { import all; export all; next hop self; };
}
protocol bgp node {
  local $lan.1 as 65000; neighbor $lan.10 as 65001;
  connect delay time 0; connect retry time 5; hold time 9; keepalive time 3;
  ipv4 { import where net ~ [ 10.244.0.0/16{24,24} ]; export none; };
}
EOF
  x "p$i" socat TCP-LISTEN:7070,fork,reuseaddr 'SYSTEM:echo $SOCAT_PEERADDR' > /dev/null 2>&1 &
done

# Announce each pod CIDR once the speaker's API answers; then the routers may dial.
for i in 1 2; do
  until x "n$i" gobgp global rib add "10.244.$((i - 1)).0/24" -a ipv4 > /dev/null 2>&1; do sleep 0.02; done
done
for i in 1 2; do x "r$i" bird -c "$DIR/bird-$i.conf" -s "$DIR/bird-$i.ctl" -P "$DIR/bird-$i.pid"; done

deadline=$(( $(date +%s) + 30 ))
until x r1 ip route show 10.244.1.0/24 | grep -q via && x r2 ip route show 10.244.0.0/24 | grep -q via; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "floor: did not converge" >&2; exit 1; }
  sleep 0.02
done

x p1 ping -n -c 1 -W 1 10.244.1.10 > /dev/null || { echo "floor: p1 -> p2 ping failed" >&2; exit 1; }
x p2 ping -n -c 1 -W 1 10.244.0.10 > /dev/null || { echo "floor: p2 -> p1 ping failed" >&2; exit 1; }
until x p2 ss -Hlnt 'sport = :7070' | grep -q LISTEN; do sleep 0.02; done
seen=$(x p1 socat -T 2 - TCP:10.244.1.10:7070,connect-timeout=2 < /dev/null)
[ "$seen" = "10.244.0.10" ] || { echo "floor: the remote pod saw '$seen', not 10.244.0.10" >&2; exit 1; }
echo "floor ok $(( $(date +%s%3N) - start ))"
