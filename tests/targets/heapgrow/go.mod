// heapgrow: the target of `preflight watch` tests and its overhead
// benchmark. Standard library only.
module example.com/preflight/heapgrow

go 1.22
