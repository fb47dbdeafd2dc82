package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Each leak below is written the way it is usually written by mistake, and
// the goroutine that leaks runs a function of its own (named in
// docs/leaky.md), so a dump points at exactly one call site per pattern.

// held keeps deliberately leaked connections and files reachable: an
// unreachable net.Conn or *os.File is closed by its finalizer at the next
// GC, which would quietly undo the leak.
var (
	heldMu sync.Mutex
	held   []io.Closer
)

func keep(c io.Closer) {
	heldMu.Lock()
	held = append(held, c)
	heldMu.Unlock()
}

var leaked atomic.Int64

var errCap = errors.New("the -max-leaked cap is reached")

// reserve grants up to n of the leaks left under -max-leaked. A leak is one
// goroutine, or for httpclient and conn one request, which holds three.
func reserve(n int) (int, error) {
	for {
		cur := leaked.Load()
		left := cfg.maxLeaked - cur
		if left <= 0 {
			return 0, errCap
		}
		if int64(n) > left {
			n = int(left)
		}
		if leaked.CompareAndSwap(cur, cur+int64(n)) {
			return n, nil
		}
	}
}

// ---- ticker: a ticker that is never stopped --------------------------------

func leakTickers(n int) (int, error) {
	n, err := reserve(n)
	for i := 0; i < n; i++ {
		go refreshLoop(cfg.tickerPeriod)
	}
	return n, err
}

// refreshLoop is the classic: the ticker is neither stopped nor left, so
// the goroutine and the runtime timer live as long as the process. Its name
// does not say "tick" on purpose: a leak detector must not need the hint.
func refreshLoop(period time.Duration) {
	for range time.NewTicker(period).C {
	}
}

// ---- recv: a receive from a channel nobody sends to ------------------------

func leakReceivers(n int) (int, error) {
	n, err := reserve(n)
	for i := 0; i < n; i++ {
		reply := make(chan int)
		go waitForReply(reply)
		// The producer that should answer on reply gave up (an error path
		// that returns early), so nothing will ever be sent.
	}
	return n, err
}

func waitForReply(reply <-chan int) {
	v := <-reply
	sink.Store(int64(v))
}

var sink atomic.Int64

// ---- send: a send with no receiver -----------------------------------------

func leakSenders(n int) (int, error) {
	n, err := reserve(n)
	for i := 0; i < n; i++ {
		// The caller timed out and returned; the unbuffered channel has no
		// receiver any more, so the worker blocks on its send for ever.
		result := make(chan int)
		go sendResult(result, i)
	}
	return n, err
}

func sendResult(result chan<- int, v int) {
	result <- v * v
}

// ---- httpclient: no timeout, against a listener that never answers ---------

var (
	hangOnce sync.Once
	hangURL  string
	hangErr  error
	// No Timeout, and a Transport without ResponseHeaderTimeout: a request
	// to a server that never answers waits for ever. Proxy nil: never
	// through a proxy from the environment.
	noTimeoutClient = &http.Client{Transport: &http.Transport{Proxy: nil}}
)

// hangListener accepts connections and never reads or answers them. No
// goroutine per connection: what piles up is the client's.
func hangListener() (string, error) {
	hangOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			hangErr = err
			return
		}
		hangURL = "http://" + ln.Addr().String() + "/slow"
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				keep(c)
			}
		}()
	})
	return hangURL, hangErr
}

func leakHTTPClients(n int) (int, error) {
	url, err := hangListener()
	if err != nil {
		return 0, err
	}
	n, err = reserve(n)
	for i := 0; i < n; i++ {
		go fetchWithoutTimeout(url)
	}
	return n, err
}

func fetchWithoutTimeout(url string) {
	resp, err := noTimeoutClient.Get(url)
	if err != nil {
		return
	}
	resp.Body.Close()
}

// ---- conn: response bodies never closed ------------------------------------

var (
	answerOnce sync.Once
	answerURL  string
	answerErr  error
	// Its own Transport, so the leaked connections are not mixed with the
	// load loop's. Proxy nil, as above.
	forgetfulClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
)

// answerServer answers every request at once with a small body.
func answerServer() (string, error) {
	answerOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			answerErr = err
			return
		}
		answerURL = "http://" + ln.Addr().String() + "/item"
		go serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "{\"item\":42}\n")
		}))
	})
	return answerURL, answerErr
}

// leakConns makes n requests and never closes (nor reads) the bodies: the
// Transport can neither reuse nor close the connections, so each keeps its
// readLoop and writeLoop goroutines (and the server its conn goroutine).
func leakConns(n int) (int, error) {
	url, err := answerServer()
	if err != nil {
		return 0, err
	}
	n, err = reserve(n)
	done := 0
	for ; done < n; done++ {
		if err := getAndForget(url); err != nil {
			return done, fmt.Errorf("request %d of %d: %w", done+1, n, err)
		}
	}
	return done, err
}

func getAndForget(url string) error {
	resp, err := forgetfulClient.Get(url)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	// resp.Body.Close() is missing here: that is the leak.
	return nil
}

// ---- lock: a mutex that is never unlocked ----------------------------------

var (
	stuckMu   sync.Mutex
	stuckOnce sync.Once
	stuckN    int
)

// updateSkippingUnlock takes the lock and returns early on an error path
// without unlocking it.
func updateSkippingUnlock() error {
	stuckMu.Lock()
	if stuckN >= 0 {
		return errors.New("validation failed")
	}
	stuckN++
	stuckMu.Unlock()
	return nil
}

func leakLockWaiters(n int) (int, error) {
	stuckOnce.Do(func() { _ = updateSkippingUnlock() })
	n, err := reserve(n)
	for i := 0; i < n; i++ {
		go waitForStuckLock()
	}
	return n, err
}

func waitForStuckLock() {
	stuckMu.Lock() // blocks for ever: updateSkippingUnlock returned holding it
	stuckN++
	stuckMu.Unlock()
}
