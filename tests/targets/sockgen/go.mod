module preflight/tests/targets/sockgen

go 1.19
