//go:build linux

package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rssMB is a process's resident memory, from /proc.
func rssMB(tb testing.TB, pid int) float64 {
	tb.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}

// BenchmarkListenTrickle runs `iwb listen` while 1,000 connections each
// announce a 1 MiB body and send it a few bytes at a time. It reports the
// listener's peak resident memory, how long a normal request waits for its
// answer meanwhile (and the answer's status), and the resident memory a
// minute after the connections close. IWB_BENCH_BIN names another build to
// measure, e.g. one of main as the baseline:
//
//	go test -run '^$' -bench ListenTrickle -benchtime 1x .
//	IWB_BENCH_BIN=/tmp/iwb-main go test -run '^$' -bench ListenTrickle -benchtime 1x .
func BenchmarkListenTrickle(b *testing.B) {
	bin := os.Getenv("IWB_BENCH_BIN")
	if bin == "" {
		bin = buildIWB(b)
	}
	for b.Loop() {
		addr := freePort(b)
		listen := exec.Command(bin, "listen", "--addr", addr)
		listen.Env = baseEnv("IWB_HOME=" + b.TempDir())
		if err := listen.Start(); err != nil {
			b.Fatal(err)
		}
		defer listen.Process.Kill()
		pid := listen.Process.Pid
		waitHealthy(b, addr)

		peak := 0.0
		sample := func() {
			if r := rssMB(b, pid); r > peak {
				peak = r
			}
		}
		// Two bursts: the second reuses the memory the first freed.
		trickleBurst(b, addr, 1000, 1<<20, 3*time.Second, sample)
		var wait time.Duration
		status, ticks := 0, 0
		trickleBurst(b, addr, 1000, 1<<20, 3*time.Second, func() {
			sample()
			if ticks++; ticks != 10 { // a second into the burst
				return
			}
			start := time.Now()
			client := &http.Client{Timeout: 30 * time.Second}
			resp, err := client.Post("http://"+addr+"/hooks", "application/json", strings.NewReader(`{"eventName":"emailOpen"}`))
			wait, status = time.Since(start), -1
			if err == nil {
				status = resp.StatusCode
				resp.Body.Close()
			}
		})
		for end := time.Now().Add(time.Minute); time.Now().Before(end); {
			sample()
			time.Sleep(500 * time.Millisecond)
		}
		after := rssMB(b, pid)
		b.ReportMetric(peak, "peak-RSS-MB")
		b.ReportMetric(float64(wait.Milliseconds()), "normal-request-ms")
		b.ReportMetric(float64(status), "normal-request-status")
		b.ReportMetric(after, "RSS-after-1min-MB")
	}
}

// trickleBurst opens conns connections that each announce a body of
// announced bytes and send it 1 KiB every 100 ms; every 100 ms for d it
// calls tick, then closes them all.
func trickleBurst(b *testing.B, addr string, conns, announced int, d time.Duration, tick func()) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			fmt.Fprintf(c, "POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n[", announced)
			chunk := bytes.Repeat([]byte("1,"), 512)
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := c.Write(chunk); err != nil {
						return
					}
				}
			}
		}()
	}
	for end := time.Now().Add(d); time.Now().Before(end); {
		tick()
		time.Sleep(100 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
}
