package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
)

// held keeps every deliberately leaked file and connection reachable: an
// unreachable *os.File or net.Conn is closed by its finalizer at the next
// GC, which would quietly undo the risk.
var (
	heldMu sync.Mutex
	held   []io.Closer
)

func hold(c io.Closer) {
	heldMu.Lock()
	held = append(held, c)
	heldMu.Unlock()
}

func holdOpenFiles(n int) error {
	for i := 0; i < n; i++ {
		f, err := os.Open(os.DevNull)
		if err != nil {
			return fmt.Errorf("after %d of %d: %w", i, n, err)
		}
		hold(f)
	}
	return nil
}

// holdCloseWait connects n times to a private loopback listener, closes the
// client side, and keeps the server side open after reading the peer's
// FIN: each server socket stays in CLOSE_WAIT, the signature of a service
// that forgets to close connections. The listener is closed afterwards so
// it does not show up among the service's listeners.
func holdCloseWait(n int) error {
	if n == 0 {
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return fmt.Errorf("dial %d of %d: %w", i, n, err)
		}
		s, err := ln.Accept()
		if err != nil {
			c.Close()
			return fmt.Errorf("accept %d of %d: %w", i, n, err)
		}
		c.Close()
		// EOF means the FIN has arrived: from here on the socket is in
		// CLOSE_WAIT, so the ready file is only written once all are.
		if _, err := io.Copy(io.Discard, s); err != nil {
			return fmt.Errorf("read %d of %d: %w", i, n, err)
		}
		hold(s)
	}
	return nil
}

// listenHanging accepts connections and never reads or answers them, like
// a service whose handlers are all stuck. Probes against it must time out.
func listenHanging(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hold(c)
		}
	}()
	return ln.Addr(), nil
}
