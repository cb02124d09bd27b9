package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildServer compiles ./cmd/salesmania into dir with the go command on PATH
// and returns the binary's path. The working directory must be the root of
// the salesmania module.
func buildServer(ctx context.Context, dir string) (string, error) {
	mod, err := os.ReadFile("go.mod")
	if err != nil || !bytes.Contains(mod, []byte("module github.com/salesmania/salesmania\n")) {
		return "", errors.New("run salesbench from the root of the salesmania repository (the directory holding its go.mod), e.g. go run ./cmd/salesbench")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is needed to build the server: %w", err)
	}
	bin := filepath.Join(dir, "salesmania")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./cmd/salesmania")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/salesmania: %w\n%s", err, out.String())
	}
	return bin, nil
}

// process is a server under test running as a child process: its address,
// and its CPU time and memory as /proc reports them.
type process struct {
	name string
	cmd  *exec.Cmd
	Addr string // http://host:port
	Pid  int
	// Started is when it was started (just before fork and exec), and
	// Listening when its "listening" log line was read.
	Started, Listening time.Time

	mu     sync.Mutex
	errors []string // the first few error and warning lines, for the report
	nErr   uint64
	done   chan struct{} // closed when stderr reaches EOF
}

// maxKeptLogLines bounds the error lines a process keeps for the report.
const maxKeptLogLines = 8

// startProcess runs bin with args, reads its stderr until the JSON log line
// with "msg":"listening" and returns the address that line gives. After
// that, stderr (one access log line per request) is read and thrown away,
// keeping only a count and the first few lines logged at level WARN or
// ERROR, so a full pipe never blocks the server and the benchmark spends
// almost nothing on it.
func startProcess(ctx context.Context, name, bin string, args ...string) (*process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, Pid: cmd.Process.Pid, Started: started, done: make(chan struct{})}
	r := bufio.NewReaderSize(stderr, 64<<10)
	type result struct {
		addr string
		at   time.Time
		err  error
	}
	ready := make(chan result, 1)
	go func() {
		var early []string
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				ready <- result{err: fmt.Errorf("%s exited before listening: %v\n%s", name, err, strings.Join(early, ""))}
				close(p.done)
				return
			}
			var l struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "listening" && l.Addr != "" {
				ready <- result{addr: l.Addr, at: time.Now()}
				break
			}
			if len(early) < 20 {
				early = append(early, line)
			}
		}
		p.drain(r)
	}()
	select {
	case res := <-ready:
		if res.err != nil {
			cmd.Wait()
			return nil, res.err
		}
		p.Addr, p.Listening = res.addr, res.at
		return p, nil
	case <-time.After(60 * time.Second):
		p.Stop()
		return nil, fmt.Errorf("%s did not log that it listens within 60 s", name)
	case <-ctx.Done():
		p.Stop()
		return nil, ctx.Err()
	}
}

// drain reads the rest of stderr a line at a time. ReadSlice hands out
// lines without copying them; only lines of level WARN or ERROR are looked
// at further.
func (p *process) drain(r *bufio.Reader) {
	defer close(p.done)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 {
			isErr := bytes.Contains(line, []byte(`"level":"ERROR"`)) || bytes.Contains(line, []byte(`"level":"WARN"`))
			if isErr {
				p.mu.Lock()
				p.nErr++
				if len(p.errors) < maxKeptLogLines {
					p.errors = append(p.errors, strings.TrimSpace(string(line)))
				}
				p.mu.Unlock()
			}
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			// A line over 64 KiB: the rest of it is read as the next
			// "line"; the counts are off by one, which does not matter.
		default:
			return
		}
	}
}

// LogErrors returns how many lines the process logged at WARN or ERROR
// since it started listening, and the first few of them.
func (p *process) LogErrors() (uint64, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nErr, append([]string(nil), p.errors...)
}

// Stop asks the process to shut down with SIGTERM, and kills it if it has
// not exited after 15 s.
func (p *process) Stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { <-p.done; exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-exited
		return fmt.Errorf("%s did not stop within 15 s of SIGTERM and was killed", p.name)
	}
}

// clockTicks is USER_HZ, the unit of the CPU times in /proc/<pid>/stat. It
// is 100 on every Linux architecture Go supports.
const clockTicks = 100

// procStats is a sample of a process's resource use.
type procStats struct {
	At  time.Time
	CPU time.Duration // user + system time so far
	RSS int64         // resident set now, bytes (VmRSS)
	HWM int64         // peak resident set, bytes (VmHWM)
}

// Stats reads the process's CPU time and memory from /proc.
func (p *process) Stats() (procStats, error) {
	return readProcStats(p.Pid)
}

func readProcStats(pid int) (procStats, error) {
	s := procStats{At: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name (field 2) may hold spaces; fields after it are
	// counted from its closing parenthesis. utime and stime are fields 14
	// and 15.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, stat)
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return s, fmt.Errorf("unexpected /proc/%d/stat: %q", pid, stat)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return s, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
	}
	s.CPU = time.Duration(utime+stime) * time.Second / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for line := range strings.Lines(string(status)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return s, fmt.Errorf("parse /proc/%d/status %s: %w", pid, name, err)
		}
		if name == "VmRSS" {
			s.RSS = kb << 10
		} else {
			s.HWM = kb << 10
		}
	}
	return s, nil
}

// Exited reports whether the process has closed its stderr, which it does
// when it exits.
func (p *process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
