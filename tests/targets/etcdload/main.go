// etcdload is a load client for a real etcd (tests/targets/etcd): clients
// that arrive during a window, each with its own gRPC connection
// (clientv3.New), each doing puts and gets at its own rate and holding one
// watch on its own keys. It starts -clients-start clients, adds clients at
// an even pace until -clients-end are connected at the end of -ramp, keeps
// them all until -duration has passed since the start, then closes every
// client and exits 0.
//
// Every endpoint is on loopback (others are refused), the number of
// clients and the run time are capped, each client's keys are a fixed set
// (so etcd's key space stays small, whatever the run time), and the
// process never outlives -max-lifetime. The ready file gets "PID\n" and
// "clients=N\n" in one write, once the first -clients-start clients have
// each done a put, as the other targets write theirs (tests/integration/
// lib.sh reads the pid from the first line).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

const (
	maxClients  = 1000
	maxDuration = 30 * time.Minute
	keysPerConn = 16
)

type config struct {
	endpoints                []string
	clientsStart, clientsEnd int
	ramp, duration           time.Duration
	rate                     float64
	valueSize                int
	readyFile, cacert        string
	maxLifetime, dialTimeout time.Duration
	opTimeout, statusEvery   time.Duration
	prefix                   string
}

func parseFlags() config {
	var c config
	var endpoints string
	flag.StringVar(&endpoints, "endpoints", "127.0.0.1:2379", "comma-separated etcd client URLs (loopback only; http://, https:// or host:port)")
	flag.IntVar(&c.clientsStart, "clients-start", 2, "clients connected at the start")
	flag.IntVar(&c.clientsEnd, "clients-end", 40, fmt.Sprintf("clients connected at the end of -ramp (at most %d)", maxClients))
	flag.DurationVar(&c.ramp, "ramp", 10*time.Second, "time over which clients are added, from -clients-start to -clients-end")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, fmt.Sprintf("run time from the start, ramp included (at most %v)", maxDuration))
	flag.Float64Var(&c.rate, "rate", 10, "operations per second of each client, alternately a put and a get (0: as fast as etcd answers)")
	flag.IntVar(&c.valueSize, "value-size", 64, "bytes in each value put (at most 64 KiB)")
	flag.StringVar(&c.readyFile, "ready-file", "", "write the pid and the first clients' count here once they are connected (a FIFO is written in place)")
	flag.StringVar(&c.cacert, "cacert", "", "CA certificate (PEM) that signs the server's certificate, for https:// endpoints")
	flag.DurationVar(&c.maxLifetime, "max-lifetime", 10*time.Minute, "hard cap on the process lifetime")
	flag.DurationVar(&c.dialTimeout, "dial-timeout", 5*time.Second, "connection timeout of each client")
	flag.DurationVar(&c.opTimeout, "op-timeout", 5*time.Second, "timeout of each put and get")
	flag.DurationVar(&c.statusEvery, "status-every", time.Second, "print a status line on stderr this often (0: never)")
	flag.StringVar(&c.prefix, "prefix", "/preflight/load/", "key prefix; client N uses PREFIX N/0 .. N/15")
	flag.Parse()

	if flag.NArg() > 0 {
		log.Fatalf("unexpected argument %q", flag.Arg(0))
	}
	for _, e := range strings.Split(endpoints, ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		if err := loopbackEndpoint(e); err != nil {
			log.Fatalf("-endpoints: %v", err)
		}
		c.endpoints = append(c.endpoints, e)
	}
	switch {
	case len(c.endpoints) == 0:
		log.Fatal("-endpoints: none given")
	case c.clientsStart < 1 || c.clientsEnd < c.clientsStart || c.clientsEnd > maxClients:
		log.Fatalf("want 1 <= -clients-start <= -clients-end <= %d", maxClients)
	case c.ramp < 0 || c.duration <= 0 || c.duration > maxDuration || c.ramp > c.duration:
		log.Fatalf("want 0 <= -ramp <= -duration, 0 < -duration <= %v", maxDuration)
	case c.rate < 0 || c.valueSize < 0 || c.valueSize > 64<<10:
		log.Fatal("want -rate >= 0 and 0 <= -value-size <= 65536")
	case c.maxLifetime <= 0 || c.dialTimeout <= 0 || c.opTimeout <= 0 || c.statusEvery < 0:
		log.Fatal("want -max-lifetime, -dial-timeout and -op-timeout > 0, -status-every >= 0")
	}
	return c
}

// loopbackEndpoint refuses an endpoint whose host is not a loopback IP
// literal or "localhost": the load must never leave the machine.
func loopbackEndpoint(e string) error {
	hostport := e
	if strings.Contains(e, "://") {
		u, err := url.Parse(e)
		if err != nil {
			return err
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("%q: want http:// or https://", e)
		}
		hostport = u.Host
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%q: %v", e, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address (127.0.0.0/8 or ::1)", e)
	}
	return nil
}

type stats struct {
	connected, closed          atomic.Int64
	puts, gets, events, errors atomic.Int64
}

var st stats

func main() {
	log.SetFlags(log.Lmicroseconds)
	log.SetPrefix("etcdload: ")
	cfg := parseFlags()

	// Armed first, so that no failure below can leave the process running.
	time.AfterFunc(cfg.maxLifetime, func() {
		log.Printf("-max-lifetime %v reached, exiting", cfg.maxLifetime)
		os.Exit(0)
	})
	var tlsCfg *tls.Config
	if cfg.cacert != "" {
		var err error
		if tlsCfg, err = loadCA(cfg.cacert); err != nil {
			log.Fatalf("-cacert: %v", err)
		}
	}

	start := time.Now()
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(cfg.duration))
	defer cancel()
	value := strings.Repeat("v", cfg.valueSize)
	var wg sync.WaitGroup
	var clients []*clientv3.Client
	var mu sync.Mutex // clients, for the final close

	// connect adds client id: its own connection, a first put (so a ready
	// file means etcd really answered), its watch and its loop.
	connect := func(id int) error {
		cli, err := clientv3.New(clientv3.Config{
			Endpoints:   cfg.endpoints,
			DialTimeout: cfg.dialTimeout,
			TLS:         tlsCfg,
			Logger:      zap.NewNop(),
		})
		if err != nil {
			return err
		}
		mu.Lock()
		clients = append(clients, cli)
		mu.Unlock()
		prefix := fmt.Sprintf("%s%d/", cfg.prefix, id)
		octx, ocancel := context.WithTimeout(ctx, cfg.opTimeout)
		_, err = cli.Put(octx, prefix+"0", value)
		ocancel()
		if err != nil {
			return err
		}
		st.connected.Add(1)
		st.puts.Add(1)
		wg.Add(2)
		go func() { defer wg.Done(); watch(ctx, cli, prefix) }()
		go func() { defer wg.Done(); work(ctx, cli, prefix, value, cfg) }()
		return nil
	}

	for i := 0; i < cfg.clientsStart; i++ {
		if err := connect(i); err != nil {
			log.Fatalf("client %d of the first %d: %v", i, cfg.clientsStart, err)
		}
	}
	log.Printf("pid=%d clients=%d endpoints=%s ramp=%v to %d clients, duration=%v rate=%g/s per client",
		os.Getpid(), cfg.clientsStart, strings.Join(cfg.endpoints, ","), cfg.ramp, cfg.clientsEnd, cfg.duration, cfg.rate)
	if cfg.readyFile != "" {
		if err := writeReady(cfg.readyFile, cfg.clientsStart); err != nil {
			log.Fatalf("-ready-file: %v", err)
		}
	}
	if cfg.statusEvery > 0 {
		go status(ctx, start, cfg.statusEvery)
	}

	// The ramp: client i (counted from clients-start) arrives at
	// ramp*(i+1)/(end-start) after the start, so the last one arrives as
	// the ramp ends.
	added := cfg.clientsEnd - cfg.clientsStart
	for i := 0; i < added && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(int64(cfg.ramp) * int64(i+1) / int64(added)))
		if !sleepUntil(ctx, at) {
			break
		}
		if err := connect(cfg.clientsStart + i); err != nil && ctx.Err() == nil {
			noteError(fmt.Sprintf("client %d: connect", cfg.clientsStart+i), err)
		}
	}
	<-ctx.Done()
	wg.Wait()
	mu.Lock()
	for _, cli := range clients {
		if cli.Close() == nil {
			st.closed.Add(1)
		}
	}
	mu.Unlock()
	log.Printf("done after %v: clients=%d closed=%d puts=%d gets=%d events=%d errors=%d",
		time.Since(start).Round(time.Millisecond), st.connected.Load(), st.closed.Load(),
		st.puts.Load(), st.gets.Load(), st.events.Load(), st.errors.Load())
}

// work alternates a put and a get of one of the client's keys, at -rate.
func work(ctx context.Context, cli *clientv3.Client, prefix, value string, cfg config) {
	var tick <-chan time.Time
	if cfg.rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / cfg.rate))
		defer t.Stop()
		tick = t.C
	}
	for n := 1; ; n++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick:
			}
		} else if ctx.Err() != nil {
			return
		}
		key := fmt.Sprintf("%s%d", prefix, n/2%keysPerConn)
		octx, ocancel := context.WithTimeout(ctx, cfg.opTimeout)
		var err error
		if n%2 == 1 {
			_, err = cli.Put(octx, key, value)
			if err == nil {
				st.puts.Add(1)
			}
		} else {
			_, err = cli.Get(octx, key)
			if err == nil {
				st.gets.Add(1)
			}
		}
		ocancel()
		if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			noteError(key, err)
		}
	}
}

// watch holds one watch on the client's own keys until the end.
func watch(ctx context.Context, cli *clientv3.Client, prefix string) {
	wctx := clientv3.WithRequireLeader(ctx)
	for resp := range cli.Watch(wctx, prefix, clientv3.WithPrefix()) {
		if err := resp.Err(); err != nil && ctx.Err() == nil {
			noteError("watch "+prefix, err)
		}
		st.events.Add(int64(len(resp.Events)))
	}
}

// noteError counts an error, and says what it was for the first few.
func noteError(what string, err error) {
	if n := st.errors.Add(1); n <= 10 {
		log.Printf("error %d: %s: %v", n, what, err)
	}
}

func status(ctx context.Context, start time.Time, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			log.Printf("t=%v clients=%d puts=%d gets=%d events=%d errors=%d",
				time.Since(start).Round(time.Second), st.connected.Load(),
				st.puts.Load(), st.gets.Load(), st.events.Load(), st.errors.Load())
		}
	}
}

func sleepUntil(ctx context.Context, at time.Time) bool {
	t := time.NewTimer(time.Until(at))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func loadCA(path string) (*tls.Config, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate in it", path)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// The ready file stays open for the life of the process, so the reader of
// a FIFO never sees EOF before the writer is gone.
var readyFile *os.File

// writeReady writes "PID\nclients=N\n" in one write: a FIFO in place, a
// regular file by rename, so a reader never sees it half written.
func writeReady(path string, clients int) error {
	text := []byte(fmt.Sprintf("%d\nclients=%d\n", os.Getpid(), clients))
	if st, err := os.Stat(path); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		readyFile = f
		_, err = f.Write(text)
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, text, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
