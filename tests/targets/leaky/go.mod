// The go line is 1.19 on purpose: it is the oldest toolchain the tests use
// (Debian's golang-1.19), so the same module builds with it and with the
// machine's Go under GOTOOLCHAIN=local, and both builds run the same
// language semantics (per-loop variables, which changed in 1.22, are never
// relied on). With a newer toolchain the line also selects the pre-1.23
// GODEBUG defaults (asynctimerchan=1: buffered timer channels, a ticker that
// is never stopped is never collected), which is how most services that
// leak tickers were written. The goroutine dump formats do not depend on the
// go line: they are the runtime's, so the two builds give the Go 1.19 and the
// current formats.
module example.com/preflight/leaky

go 1.19
