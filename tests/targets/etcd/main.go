// etcd is a real etcd 3.6 server, built from the Go module proxy with the
// machine's Go: nothing but etcd's own main, so what preflight sees is what
// a user running a released etcd sees. tests/integration/lib_etcd.sh builds
// it (build_etcd) and starts it on loopback (start_etcd, start_etcd_tls).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
