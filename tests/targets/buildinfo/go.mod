module example.com/preflight/buildinfo

go 1.19
