//go:build cgo

package main

// With cgo on, this file makes the build link through the system linker,
// which lays out the ELF file differently from Go's internal linker.

// static int answer(void) { return 42; }
import "C"

import "strconv"

func cgoNote() string { return "cgo=" + strconv.Itoa(int(C.answer())) }
