//go:build !cgo

package main

func cgoNote() string { return "cgo=off" }
