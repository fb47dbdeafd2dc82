// sockgen holds TCP sockets in chosen states on 127.0.0.1, so tests and
// benchmarks can compare socket censuses (preflight tcp-census, ss) on a
// known population.
//
// It prints one line "created listen=L established=E close_wait=C
// fin_wait2=F time_wait=T" with the sockets it made (both ends of every
// connection are its own), then "ready", and holds everything until its
// standard input closes or -hold expires. TIME_WAIT sockets are not held by
// any fd: they live for the kernel's TIME_WAIT period (60 s on Linux) after
// "ready", whatever sockgen does.
//
// Connections are spread over several accepting listeners so that the
// ephemeral port search never wraps around for one destination. connect()
// walks the port range from a per-destination offset that advances by 2
// plus a random skip of up to 14 ports per connection (__inet_hash_connect),
// about 9 ports on average; once it wraps it lands on ports whose TIME_WAIT
// socket for the same 4-tuple it may reuse (net.ipv4.tcp_tw_reuse=2 is the
// loopback default), killing the TIME_WAIT socket it replaces.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

const (
	host        = "127.0.0.1"
	maxHold     = 10 * time.Minute
	dialWorkers = 16
	dialTimeout = 5 * time.Second
	// Go's runtime, stdio and slack for the accept goroutines.
	fdSlack = 64
)

type config struct {
	listen, established, closeWait, timeWait int
	hold                                     time.Duration
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "sockgen: "+format+"\n", a...)
	os.Exit(1)
}

func readSysctl(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("'%s': %q is not a number", path, f)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("'%s' is empty", path)
	}
	return out, nil
}

// raiseNofile lifts the soft RLIMIT_NOFILE to the hard limit and fails
// when even that is too small for want descriptors.
func raiseNofile(want uint64) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		fail("cannot read RLIMIT_NOFILE: %v", err)
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			fail("cannot raise RLIMIT_NOFILE to %d: %v", rl.Max, err)
		}
	}
	if want > rl.Cur {
		fail("needs %d file descriptors but RLIMIT_NOFILE is %d (raise the hard limit, e.g. ulimit -Hn)", want, rl.Cur)
	}
}

// pinToOneCPU binds every thread of the process to one CPU. Loopback
// delivers packets through per-CPU queues, so segments sent from two CPUs
// can arrive out of order. In the TIME_WAIT exchange the acceptor's delayed
// ACK of the client's FIN (sent from a timer on one CPU) can then arrive
// after its own FIN (sent by close() on another): the client, already in
// TIME_WAIT, answers the stale ACK, the acceptor's socket is gone, the
// kernel answers with a RST, and the RST kills the TIME_WAIT socket
// (net.ipv4.tcp_rfc1337=0, the default). That lost about one TIME_WAIT
// socket in a thousand on a 2-CPU VM. On one CPU every segment goes
// through one queue, in order. Threads the runtime starts later inherit the
// mask from the thread that creates them.
func pinToOneCPU() error {
	var mask [16]uint64 // 1024 CPUs
	size := unsafe.Sizeof(mask)
	if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETAFFINITY, 0, size, uintptr(unsafe.Pointer(&mask))); e != 0 {
		return fmt.Errorf("sched_getaffinity: %v", e)
	}
	cpu := -1
	for i := 0; i < len(mask)*64 && cpu < 0; i++ {
		if mask[i/64]&(1<<(uint(i)%64)) != 0 {
			cpu = i
		}
	}
	if cpu < 0 {
		return errors.New("sched_getaffinity returned no CPU")
	}
	var one [16]uint64
	one[cpu/64] = 1 << (uint(cpu) % 64)
	// Twice, in case the runtime started a thread during the first pass.
	for pass := 0; pass < 2; pass++ {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid), size, uintptr(unsafe.Pointer(&one)))
			if e != 0 && e != syscall.ESRCH {
				return fmt.Errorf("sched_setaffinity(%d): %v", tid, e)
			}
		}
	}
	return nil
}

// What an acceptor does with the connections it accepts.
type mode int

const (
	// holdOpen keeps the connection: ESTABLISHED on both sides.
	holdOpen mode = iota
	// awaitFIN keeps the connection and acknowledges the client's FIN at
	// once: CLOSE_WAIT here, FIN_WAIT2 on the client. Without the explicit
	// quick ACK the kernel delays it (a socket entering CLOSE_WAIT goes into
	// delayed-ACK "pingpong" mode, hoping to piggyback the ACK on its own
	// FIN), and the client would sit in FIN_WAIT1 for up to 200 ms after
	// "ready".
	awaitFIN
	// closeOnFIN closes after the client's FIN, which leaves the client (the
	// active closer) in TIME_WAIT.
	closeOnFIN
)

// acceptor accepts on one listener.
type acceptor struct {
	ln   *net.TCPListener
	mode mode
	mu   sync.Mutex
	held []*net.TCPConn
	// finished counts connections whose FIN was handled (awaitFIN and
	// closeOnFIN).
	finished sync.WaitGroup
	// accepted receives one value per accepted connection.
	accepted chan struct{}
}

func newAcceptor(m mode, expect int) *acceptor {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.ParseIP(host)})
	if err != nil {
		fail("cannot listen on %s: %v", host, err)
	}
	a := &acceptor{ln: ln, mode: m, accepted: make(chan struct{}, expect)}
	go a.loop()
	return a
}

func quickACK(c *net.TCPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK, 1)
	}); err != nil {
		return err
	}
	return serr
}

func (a *acceptor) loop() {
	for {
		c, err := a.ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			fail("accept on %s: %v", a.ln.Addr(), err)
		}
		if a.mode != closeOnFIN {
			a.mu.Lock()
			a.held = append(a.held, c)
			a.mu.Unlock()
		}
		if a.mode != holdOpen {
			a.finished.Add(1)
			go func() {
				defer a.finished.Done()
				if _, err := io.Copy(io.Discard, c); err != nil {
					fail("reading from %s: %v", c.RemoteAddr(), err)
				}
				if a.mode == closeOnFIN {
					c.Close()
				} else if err := quickACK(c); err != nil {
					fail("TCP_QUICKACK: %v", err)
				}
			}()
		}
		a.accepted <- struct{}{}
	}
}

// dialMany opens n connections spread over the acceptors and hands each
// client side to then. It returns once every connection was accepted.
func dialMany(n int, accs []*acceptor, then func(c *net.TCPConn)) {
	jobs := make(chan *acceptor)
	var wg sync.WaitGroup
	for w := 0; w < dialWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{Timeout: dialTimeout}
			for a := range jobs {
				c, err := d.Dial("tcp4", a.ln.Addr().String())
				if err != nil {
					fail("connect to %s: %v", a.ln.Addr(), err)
				}
				then(c.(*net.TCPConn))
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- accs[i%len(accs)]
	}
	close(jobs)
	wg.Wait()
	for i := 0; i < n; i++ {
		select {
		case <-accs[i%len(accs)].accepted:
		case <-time.After(dialTimeout):
			fail("connection %d of %d was never accepted", i+1, n)
		}
	}
}

// spread returns how many accepting listeners n connections need so that
// the port search for each destination covers well under the whole range
// (about 9 ports per connection, with room for two destinations sharing a
// perturbation slot).
func spread(n, ports int) int {
	per := ports / 24
	if per < 1 {
		per = 1
	}
	k := (n + per - 1) / per
	if k < 1 {
		k = 1
	}
	return k
}

func main() {
	var cfg config
	flag.IntVar(&cfg.listen, "listen", 0, "idle LISTEN sockets to hold (besides the accepting ones)")
	flag.IntVar(&cfg.established, "established", 0, "connections to hold open (2 ESTABLISHED sockets each)")
	flag.IntVar(&cfg.closeWait, "close-wait", 0, "connections whose client shut down writing (1 CLOSE_WAIT + 1 FIN_WAIT2 each)")
	flag.IntVar(&cfg.timeWait, "time-wait", 0, "connections closed by the client first (1 TIME_WAIT each)")
	flag.DurationVar(&cfg.hold, "hold", 120*time.Second, "hold everything this long at most (stdin EOF ends sooner)")
	flag.Parse()
	if flag.NArg() != 0 {
		fail("unexpected argument '%s'", flag.Arg(0))
	}
	if cfg.listen < 0 || cfg.established < 0 || cfg.closeWait < 0 || cfg.timeWait < 0 {
		fail("counts must not be negative")
	}
	if cfg.hold <= 0 || cfg.hold > maxHold {
		fail("-hold must be in (0, %v]", maxHold)
	}

	if err := pinToOneCPU(); err != nil {
		fail("cannot pin to one CPU: %v", err)
	}
	runtime.GOMAXPROCS(1)

	portRange := 28232
	if r, err := readSysctl("/proc/sys/net/ipv4/ip_local_port_range"); err == nil && len(r) == 2 && r[1] >= r[0] {
		portRange = r[1] - r[0] + 1
	}
	if cfg.timeWait > 0 {
		if tw, err := readSysctl("/proc/sys/net/ipv4/tcp_max_tw_buckets"); err == nil && cfg.timeWait > tw[0] {
			fail("-time-wait %d exceeds net.ipv4.tcp_max_tw_buckets=%d; the kernel would drop the excess", cfg.timeWait, tw[0])
		}
	}

	kEst := spread(cfg.established, portRange)
	kCW := spread(cfg.closeWait, portRange)
	kTW := spread(cfg.timeWait, portRange)
	raiseNofile(uint64(cfg.listen + kEst + kCW + kTW + 2*cfg.established + 2*cfg.closeWait + fdSlack))

	var idle []*net.TCPListener
	for i := 0; i < cfg.listen; i++ {
		ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.ParseIP(host)})
		if err != nil {
			fail("cannot listen on %s: %v", host, err)
		}
		idle = append(idle, ln)
	}

	var mu sync.Mutex
	var clients []*net.TCPConn
	keep := func(c *net.TCPConn) {
		mu.Lock()
		clients = append(clients, c)
		mu.Unlock()
	}
	listeners := len(idle)

	acceptors := func(m mode, n, k int) []*acceptor {
		var accs []*acceptor
		if n == 0 {
			return nil
		}
		for i := 0; i < k; i++ {
			accs = append(accs, newAcceptor(m, n))
		}
		listeners += k
		return accs
	}
	est := acceptors(holdOpen, cfg.established, kEst)
	cw := acceptors(awaitFIN, cfg.closeWait, kCW)
	tw := acceptors(closeOnFIN, cfg.timeWait, kTW)
	dialMany(cfg.established, est, keep)
	dialMany(cfg.closeWait, cw, func(c *net.TCPConn) {
		if err := c.CloseWrite(); err != nil {
			fail("shutdown(SHUT_WR): %v", err)
		}
		keep(c)
	})
	// The client closes first, so the TIME_WAIT lands on its side; the
	// acceptor closes on EOF, which completes the exchange.
	dialMany(cfg.timeWait, tw, func(c *net.TCPConn) { c.Close() })
	for _, a := range append(cw, tw...) {
		a.finished.Wait()
	}

	fmt.Printf("created listen=%d established=%d close_wait=%d fin_wait2=%d time_wait=%d\n",
		listeners, 2*cfg.established, cfg.closeWait, cfg.closeWait, cfg.timeWait)
	fmt.Println("ready")

	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(cfg.hold):
	}

	// Resets instead of FINs, so the held connections leave no TIME_WAIT
	// behind to disturb whatever counts sockets next.
	for _, c := range clients {
		_ = c.SetLinger(0)
		c.Close()
	}
	for _, a := range append(est, cw...) {
		a.ln.Close()
		a.mu.Lock()
		for _, c := range a.held {
			_ = c.SetLinger(0)
			c.Close()
		}
		a.mu.Unlock()
	}
	for _, a := range tw {
		a.ln.Close()
	}
	for _, ln := range idle {
		ln.Close()
	}
}
