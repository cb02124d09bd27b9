//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal: the master, where the test types and
// reads what the terminal shows, and the slave, the terminal the program
// gets as stdin. It skips the test where no pseudo-terminal can be opened.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	unlock, n := int32(0), uint32(0)
	if err := ioctl(m, syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err != nil {
		t.Skipf("no pseudo-terminal: unlock: %v", err)
	}
	if err := ioctl(m, syscall.TIOCGPTN, unsafe.Pointer(&n)); err != nil {
		t.Skipf("no pseudo-terminal: number: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// ioctl calls ioctl on f through its raw connection: f.Fd() would put f in
// blocking mode, where read deadlines no longer hold.
func ioctl(f *os.File, req uintptr, arg unsafe.Pointer) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var errno syscall.Errno
	if err := rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
	}); err != nil {
		return err
	}
	if errno != 0 {
		return errno
	}
	return nil
}

// echo reports whether the terminal echoes what is typed.
func echo(tty *os.File) (bool, error) {
	var tio syscall.Termios
	if err := ioctl(tty, syscall.TCGETS, unsafe.Pointer(&tio)); err != nil {
		return false, err
	}
	return tio.Lflag&syscall.ECHO != 0, nil
}

func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	on, err := echo(tty)
	if err != nil {
		t.Fatal(err)
	}
	return on
}

// waitEchoOff waits, for 5 seconds at most, until the prompt has turned the
// terminal's echo off, as a person waits for the prompt before typing.
func waitEchoOff(tty *os.File) {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if on, err := echo(tty); err != nil || !on {
			return
		}
	}
}

// fakeStty puts an stty first on PATH that records that it ran, and
// returns the file it records in.
func fakeStty(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ran := filepath.Join(dir, "stty-ran")
	script := "#!/bin/sh\necho \"$@\" >> " + ran + "\n"
	must(t, os.WriteFile(filepath.Join(dir, "stty"), []byte(script), 0o755))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return ran
}

func wantNoStty(t *testing.T, ran string) {
	t.Helper()
	if b, err := os.ReadFile(ran); err == nil {
		t.Errorf("stty ran: %q", b)
	} else if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}

func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	must(t, err)
	defer null.Close()
	r, w, err := os.Pipe()
	must(t, err)
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "stdin"))
	must(t, err)
	defer file.Close()
	for name, f := range map[string]any{"/dev/null": null, "a pipe": r, "a file": file, "a buffer": &bytes.Buffer{}} {
		if isTerminal(f) {
			t.Errorf("%s is taken for a terminal", name)
		}
	}
	_, slave := openPTY(t)
	if !isTerminal(slave) {
		t.Error("a pseudo-terminal is not taken for a terminal")
	}
}

// TestReadPasswordTerminal checks the password prompt: asked on a terminal
// with its echo off (the password never shows), the echo back on after,
// also when interrupted; refused on /dev/null or a pipe; and never by
// running stty.
func TestReadPasswordTerminal(t *testing.T) {
	ran := fakeStty(t)
	ctx := context.Background()

	t.Run("ErrDevNull", func(t *testing.T) {
		null, err := os.Open(os.DevNull)
		must(t, err)
		defer null.Close()
		_, err = readPassword(ctx, null, &bytes.Buffer{}, "budi@majujaya.example", false)
		if err == nil || !strings.Contains(err.Error(), "no terminal to ask the password on") {
			t.Fatalf("err = %v; want no terminal", err)
		}
		wantNoStty(t, ran)
	})
	t.Run("ErrPipe", func(t *testing.T) {
		r, w, err := os.Pipe()
		must(t, err)
		defer r.Close()
		w.WriteString(cliPassword + "\n")
		w.Close()
		_, err = readPassword(ctx, r, &bytes.Buffer{}, "budi@majujaya.example", false)
		if err == nil || !strings.Contains(err.Error(), "--password-stdin") {
			t.Fatalf("err = %v; want the hint to use --password-stdin", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		master, slave := openPTY(t)
		if !echoOn(t, slave) {
			t.Fatal("a new terminal does not echo")
		}
		// Type the password once the prompt is up: the terminal echoes
		// what is typed as it arrives, unless the echo is off by then.
		go func() {
			waitEchoOff(slave)
			master.WriteString(cliPassword + "\n")
		}()
		var stderr bytes.Buffer
		got, err := readPassword(ctx, slave, &stderr, "budi@majujaya.example", false)
		if err != nil || got != cliPassword {
			t.Fatalf("readPassword = %q, %v; want %q", got, err, cliPassword)
		}
		if want := "Password for budi@majujaya.example: \n"; stderr.String() != want {
			t.Errorf("stderr = %q; want %q", stderr.String(), want)
		}
		// What the terminal showed: the typed line would be there, had the
		// echo been on while it was read.
		if shown := readShown(t, master); strings.Contains(shown, cliPassword) {
			t.Fatalf("the terminal showed the password: %q", shown)
		}
		if !echoOn(t, slave) {
			t.Error("the echo stays off after the password was read")
		}
		wantNoStty(t, ran)
	})
	t.Run("Interrupted", func(t *testing.T) {
		_, slave := openPTY(t)
		ctx, cancel := context.WithCancel(ctx)
		go func() {
			waitEchoOff(slave) // then give up
			cancel()
		}()
		_, err := readPassword(ctx, slave, &bytes.Buffer{}, "budi@majujaya.example", false)
		if err == nil || err.Error() != "interrupted" {
			t.Fatalf("err = %v; want interrupted", err)
		}
		if !echoOn(t, slave) {
			t.Error("the echo stays off after an interrupted prompt")
		}
		wantNoStty(t, ran)
	})
}

// readShown reads what the terminal has shown so far, waiting a moment for
// the output to arrive.
func readShown(t *testing.T, master *os.File) string {
	t.Helper()
	if err := master.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Skipf("cannot read the terminal with a deadline: %v", err)
	}
	var b bytes.Buffer
	buf := make([]byte, 256)
	for {
		n, err := master.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}
