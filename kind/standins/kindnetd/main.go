// kindnetd: a minimal stand-in for kind's kindnetd (the real module, sigs.k8s.io/kind/images/kindnetd or
// github.com/aojea/kindnet, is not reachable through this machine's Go proxy). Same contract as kind's
// default-cni.yaml: env HOST_IP, POD_SUBNET; hostNetwork; /etc/cni/net.d mounted.
// Every 5 s: writes a ptp+host-local+portmap conflist for this node's podCIDRs, routes every other node's
// podCIDRs via that node's InternalIP, and masquerades pod traffic leaving the pod subnet (iptables).
package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const confPath = "/etc/cni/net.d/10-kindnet.conflist"

func logf(f string, a ...any) { fmt.Fprintf(os.Stderr, time.Now().Format(time.RFC3339)+" "+f+"\n", a...) }

func conflist(cidrs []string) []byte {
	var ranges []string
	for _, c := range cidrs {
		ranges = append(ranges, fmt.Sprintf(`[{"subnet": %q}]`, c))
	}
	routes := `{"dst": "0.0.0.0/0"}`
	for _, c := range cidrs {
		if strings.Contains(c, ":") {
			routes += `, {"dst": "::/0"}`
			break
		}
	}
	return []byte(fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": "kindnet",
  "plugins": [
    {"type": "ptp", "ipMasq": false, "mtu": 1500,
     "ipam": {"type": "host-local", "dataDir": "/run/cni-ipam-state", "routes": [%s], "ranges": [%s]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, routes, strings.Join(ranges, ", ")))
}

func nodeIP(n *v1.Node) net.IP {
	for _, a := range n.Status.Addresses {
		if a.Type == v1.NodeInternalIP {
			if ip := net.ParseIP(a.Address); ip != nil && ip.To4() != nil {
				return ip
			}
		}
	}
	return nil
}

func ensureMasq(podSubnet string) {
	if podSubnet == "" {
		return
	}
	rule := []string{"-t", "nat", "POSTROUTING", "-s", podSubnet, "!", "-d", podSubnet, "-m", "addrtype", "!", "--dst-type", "LOCAL", "-j", "MASQUERADE", "-m", "comment", "--comment", "kindnet masquerade"}
	check := append([]string{rule[0], rule[1], "-C"}, rule[2:]...)
	if exec.Command("iptables", check...).Run() == nil {
		return
	}
	add := append([]string{rule[0], rule[1], "-A"}, rule[2:]...)
	if out, err := exec.Command("iptables", add...).CombinedOutput(); err != nil {
		logf("iptables masquerade: %v: %s", err, out)
	} else {
		logf("added masquerade rule for %s", podSubnet)
	}
}

func main() {
	cfg, err := rest.InClusterConfig()
	if err != nil {
		logf("in-cluster config: %v", err)
		os.Exit(1)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	hostIP := net.ParseIP(os.Getenv("HOST_IP"))
	podSubnet := os.Getenv("POD_SUBNET")
	logf("kindnetd stand-in starting: HOST_IP=%s POD_SUBNET=%s", hostIP, podSubnet)
	for {
		nodes, err := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
		if err != nil {
			logf("list nodes: %v", err)
			time.Sleep(5 * time.Second)
			continue
		}
		for i := range nodes.Items {
			n := &nodes.Items[i]
			ip := nodeIP(n)
			cidrs := n.Spec.PodCIDRs
			if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
				cidrs = []string{n.Spec.PodCIDR}
			}
			if ip == nil || len(cidrs) == 0 {
				continue
			}
			if ip.Equal(hostIP) {
				want := conflist(cidrs)
				have, _ := os.ReadFile(confPath)
				if !bytes.Equal(have, want) {
					tmp := confPath + ".tmp"
					if err := os.WriteFile(tmp, want, 0o644); err == nil {
						err = os.Rename(tmp, confPath)
					}
					logf("wrote %s for %v (err=%v)", confPath, cidrs, err)
				}
				continue
			}
			for _, c := range cidrs {
				_, dst, err := net.ParseCIDR(c)
				if err != nil || dst.IP.To4() == nil {
					continue
				}
				r := netlink.Route{Dst: dst, Gw: ip}
				if err := netlink.RouteReplace(&r); err != nil {
					logf("route %s via %s: %v", dst, ip, err)
				}
			}
		}
		ensureMasq(podSubnet)
		time.Sleep(5 * time.Second)
	}
}
