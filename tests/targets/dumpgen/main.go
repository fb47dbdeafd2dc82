// dumpgen puts goroutines into known states and writes goroutine dumps, for
// preflight's goroutine parser fixtures and its benchmark. Standard library
// only; builds with Go 1.19 and later.
//
//	dumpgen -fixtures DIR    states.go: one group per state; writes
//	                         DIR/debug1.txt and DIR/debug2.txt (one capture),
//	                         then a leak series DIR/series-{1,2,3}.debug1.txt
//	                         and DIR/series-3.debug2.txt
//	dumpgen -hold            the same states as -fixtures, then "ready" on
//	                         stdout and wait: send SIGQUIT for a crash dump
//	dumpgen -bench N -o FILE bench.go: N goroutines over a few dozen stacks,
//	                         all written with runtime.Stack(buf, true)
//
// Every goroutine it starts is blocked for the life of the process; the
// process exits as soon as the dumps are written.
package main

import (
	"flag"
	"log"
	"os"
	"time"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("dumpgen: ")
	fixtures := flag.String("fixtures", "", "write fixture dumps into this directory")
	bench := flag.Int("bench", 0, "start this many goroutines and write one debug=2 dump to -o")
	out := flag.String("o", "", "output file for -bench")
	hold := flag.Bool("hold", false, "start the fixture states, print ready, and wait for a signal")
	stacks := flag.Int("stacks", 36, "distinct stacks for -bench")
	maxLifetime := flag.Duration("max-lifetime", 10*time.Minute, "hard cap on the process lifetime")
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	time.AfterFunc(*maxLifetime, func() {
		log.Print("max lifetime reached")
		os.Exit(3)
	})
	switch {
	case *fixtures != "":
		if err := writeFixtures(*fixtures); err != nil {
			log.Fatal(err)
		}
	case *hold:
		if err := holdStates(); err != nil {
			log.Fatal(err)
		}
	case *bench > 0 && *out != "":
		if *stacks < 1 {
			log.Fatal("-stacks must be at least 1")
		}
		if err := writeBench(*bench, *stacks, *out); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatal("usage: dumpgen -fixtures DIR | -hold | -bench N -o FILE [-stacks K]")
	}
}
