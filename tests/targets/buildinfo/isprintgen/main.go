// Command isprintgen prints the C table of printable runes above ASCII
// that src/collect/gobuild.c uses to quote build settings exactly as
// strconv.Quote does. Run it from tests/targets/buildinfo with
// `go run ./isprintgen` and paste the output over the table; the Unicode
// version is the running toolchain's.
package main

import (
	"fmt"
	"runtime"
	"strconv"
	"unicode"
)

func main() {
	type span struct{ lo, hi rune }
	var spans []span
	in := false
	var lo rune
	for r := rune(0x80); r <= unicode.MaxRune+1; r++ {
		p := r <= unicode.MaxRune && strconv.IsPrint(r)
		if p && !in {
			lo, in = r, true
		} else if !p && in {
			spans = append(spans, span{lo, r - 1})
			in = false
		}
	}
	fmt.Printf("\t/* strconv.IsPrint above U+007F: %s, Unicode %s, %d ranges */\n",
		runtime.Version(), unicode.Version, len(spans))
	for i, s := range spans {
		if i%5 == 0 {
			fmt.Print("\t")
		}
		fmt.Printf("{ 0x%x, 0x%x },", s.lo, s.hi)
		if i%5 == 4 || i == len(spans)-1 {
			fmt.Println()
		} else {
			fmt.Print(" ")
		}
	}
}
