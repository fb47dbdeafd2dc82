module example.com/preflight/buildinfo

go 1.19

require example.com/preflight/greet v0.0.0

replace example.com/preflight/greet => ./greetmod
