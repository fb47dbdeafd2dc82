// The go line is deliberately below 1.25: for such a module the Go 1.25+
// toolchains record containermaxprocs=0 and updatemaxprocs=0 in the
// binary's DefaultGODEBUG, so the demo keeps the pre-1.25 GOMAXPROCS rule
// (the CPU affinity count, blind to a cgroup CPU quota). That is the rule
// most services in production still run with, and the risk the demo shows.
// Tests that need the 1.25 rule build a copy with `go mod edit -go=1.25`.
module example.com/preflight/demo

go 1.22
