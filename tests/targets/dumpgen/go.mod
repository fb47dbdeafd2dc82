// The go line stays at 1.19 so that Debian's Go 1.19 and the machine's Go
// both build this module: the fixtures under tests/fixtures/goroutines
// come from one source built by each.
module preflight/tests/targets/dumpgen

go 1.19
