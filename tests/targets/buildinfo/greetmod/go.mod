module example.com/preflight/greet

go 1.19
