// The go line is 1.19 so both the machine's Go and Debian's golang-1.19
// build this module: the fixtures come from both runtimes.
module example.com/preflight/profilegen

go 1.19
