#!/usr/bin/env bash
# Prints the path of the machine's Go toolchain: `go` on PATH, else
# /usr/local/go/bin/go. Fails with a clear message when there is none.
if command -v go >/dev/null 2>&1; then
  command -v go
elif [ -x /usr/local/go/bin/go ]; then
  echo /usr/local/go/bin/go
else
  echo "find-go: no Go toolchain found (looked for 'go' on PATH and /usr/local/go/bin/go); install Go to build the test targets" >&2
  exit 1
fi
