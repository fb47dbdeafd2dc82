// Package greet is a local module that the buildinfo target reaches
// through a replace directive, so its binaries carry a "dep" line
// followed by a "=>" line.
package greet

// Hello returns the greeting the target prints.
func Hello() string { return "hello from a replaced module" }
