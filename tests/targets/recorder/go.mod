// The notification recorder of the notify tests: standard library only.
module example.com/preflight/recorder

go 1.19
