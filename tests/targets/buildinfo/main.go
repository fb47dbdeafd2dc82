// Command buildinfo is the Go program whose embedded build information
// tests/integration/t0100-gobuild-diff.sh reads with both `go version -m`
// and `preflight buildinfo`. It only needs to exist in several build
// flavours; what it prints does not matter.
package main

import (
	"fmt"

	"example.com/preflight/greet"
)

func main() {
	fmt.Println(greet.Hello(), cgoNote())
}
