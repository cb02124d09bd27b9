package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania/openapi/openapitest"
)

// The tests of this file and its siblings drive the real program: run with
// its own arguments, environment and streams, real HTTP on port 0, and real
// database files (and PostgreSQL schemas, see sqlstoretest).

// syncBuffer is an io.Writer that the program's goroutines and the test may
// use at the same time.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// envFrom returns a getenv that knows only the variables of m, so that the
// environment of the test process does not leak into the program.
func envFrom(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// result is what one run of a command that ends by itself gives back.
type result struct {
	err            error
	stdout, stderr string
}

// execute runs "salesmania args…" to its end with stdin and an empty
// environment.
func execute(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, append([]string{"salesmania"}, args...), envFrom(nil), strings.NewReader(stdin), &stdout, &stderr)
	return result{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// program is the salesmania program serving in a goroutine, as a process
// would: it runs until stop cancels its context, as SIGTERM does.
type program struct {
	URL    string // http://127.0.0.1:PORT
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	exited chan struct{} // closed when run has returned err
	err    error
	// stopped is set once a test has checked how the program stopped; the
	// cleanup then does not check again.
	stopped bool
}

// start runs "salesmania args…" with the environment env and returns once
// it serves: announced finds the URL the program announced (in its log or
// on stdout; "" while there is none yet), and GET /healthz answers 200. The
// program is stopped, and must stop cleanly, when the test ends.
func start(t *testing.T, env map[string]string, announced func(p *program) string, args ...string) *program {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &program{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		p.err = run(ctx, append([]string{"salesmania"}, args...), envFrom(env), strings.NewReader(""), p.stdout, p.stderr)
	}()
	t.Cleanup(func() {
		if !p.stopped {
			p.mustStop(t)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p.URL = announced(p); p.URL != "" {
			break
		}
		select {
		case <-p.exited:
			p.stopped = true
			t.Fatalf("salesmania %s returned %v before serving\nstderr:\n%s", strings.Join(args, " "), p.err, p.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("salesmania %s announced no address within 30 s\nstderr:\n%s", strings.Join(args, " "), p.stderr)
		}
	}
	client := openapitest.NewClient(t)
	for {
		resp, err := client.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz did not answer 200 within 30 s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startServe starts "salesmania serve" on a free port of 127.0.0.1 over the
// database dsn, with JSON logs.
func startServe(t *testing.T, dsn string, args ...string) *program {
	t.Helper()
	return start(t, nil, listeningURL, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}, args...)...)
}

// listeningURL returns the addr of the JSON log line "listening", or "".
func listeningURL(p *program) string {
	for line := range strings.Lines(p.stderr.String()) {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
			return rec.Addr
		}
	}
	return ""
}

// stop cancels the program's context and returns what run returned. It
// fails the test if run does not return within 15 s, which is more than
// the shutdown timeouts the tests set.
func (p *program) stop(t *testing.T) error {
	t.Helper()
	p.stopped = true
	p.cancel()
	select {
	case <-p.exited:
		return p.err
	case <-time.After(15 * time.Second):
		t.Fatalf("run did not return within 15 s of the stop")
		return nil
	}
}

// mustStop stops the program and fails the test unless run returned nil:
// a graceful stop.
func (p *program) mustStop(t *testing.T) {
	t.Helper()
	if err := p.stop(t); err != nil {
		t.Errorf("run returned %v after the stop; want nil\nstderr:\n%s", err, p.stderr)
	}
}

// get sends GET path with the header lines given as name, value pairs, and
// checks the exchange against the OpenAPI document.
func (p *program) get(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", p.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := openapitest.NewClient(t).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

// mustGet is get that fails the test unless the answer is 200.
func (p *program) mustGet(t *testing.T, path string, header ...string) []byte {
	t.Helper()
	resp, body := p.get(t, path, header...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body
}

func basicAuth(email, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

// login trades email and password for a bearer token and checks the
// answer's fields.
func (p *program) login(t *testing.T, email, password string) string {
	t.Helper()
	body := p.mustGet(t, "/extapi/v1.0/token", "Authorization", basicAuth(email, password))
	obj := decodeObject(t, body)
	var out struct {
		Token     string    `json:"token"`
		TokenType string    `json:"token_type"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if keys := obj.keys(); !slices.Equal(keys, []string{"expires_at", "token", "token_type"}) {
		t.Errorf("token answer has fields %v", keys)
	}
	if out.Token == "" || out.TokenType != "Bearer" {
		t.Errorf("token answer = %s", body)
	}
	if d := time.Until(out.ExpiresAt); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Errorf("token expires_at = %s; want in 30 days", out.ExpiresAt)
	}
	return out.Token
}

// teamToken gets the bearer's team token for dbID and checks that it is for
// team wantTeam.
func (p *program) teamToken(t *testing.T, bearer string, dbID, wantTeam int64) string {
	t.Helper()
	body := p.mustGet(t, "/extapi/v1.0/team_token?db_id="+itoa(dbID), "Authorization", "Bearer "+bearer)
	var out struct {
		TeamToken string `json:"team_token"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, body, map[string]any{"team_token": out.TeamToken, "db_id": dbID, "team_id": wantTeam})
	if out.TeamToken == "" {
		t.Fatalf("empty team token: %s", body)
	}
	return out.TeamToken
}

// wantJSON fails the test unless the JSON document got equals want once
// want is turned into JSON: same fields, same values, nothing more.
func wantJSON(t *testing.T, got []byte, want any) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("not JSON: %v: %s", err, got)
	}
	wb, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(wb, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got  %s\nwant %s", bytes.TrimSpace(got), wb)
	}
}

// object is a decoded JSON object whose numbers keep their text.
type object map[string]json.RawMessage

func decodeObject(t *testing.T, b []byte) object {
	t.Helper()
	var o object
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("not a JSON object: %v: %q", err, b)
	}
	return o
}

func (o object) keys() []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// id returns the positive integer of field name.
func (o object) id(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := json.Unmarshal(o[name], &id); err != nil || id <= 0 {
		t.Fatalf("%s = %s; want a positive integer", name, o[name])
	}
	return id
}

// want fails the test unless o has exactly the fields of want, with equal
// values, and the fields named in times, each a timestamp of the last
// minute.
func (o object) want(t *testing.T, want map[string]any, times ...string) {
	t.Helper()
	var wantKeys []string
	for k, v := range want {
		wantKeys = append(wantKeys, k)
		wb, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := o[k]; !ok {
			t.Errorf("field %s is missing", k)
		} else if !bytes.Equal(got, wb) {
			t.Errorf("%s = %s; want %s", k, got, wb)
		}
	}
	for _, k := range times {
		wantKeys = append(wantKeys, k)
		var ts time.Time
		if err := json.Unmarshal(o[k], &ts); err != nil {
			t.Errorf("%s = %s; want a timestamp", k, o[k])
		} else if d := time.Since(ts); d < -time.Second || d > time.Minute {
			t.Errorf("%s = %s; want about now", k, ts)
		}
	}
	slices.Sort(wantKeys)
	if keys := o.keys(); !slices.Equal(keys, wantKeys) {
		t.Errorf("fields = %v; want %v", keys, wantKeys)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRun(t *testing.T) {
	t.Parallel()
	commands := []string{"serve", "demo", "admin db create", "admin team create", "admin user create", "admin member add", "admin member remove"}

	t.Run("ErrNoCommand", func(t *testing.T) {
		r := execute(t, "")
		if code := exitCode(r.err); r.err == nil || code != 2 {
			t.Fatalf("err = %v, exit code %d; want a usage error (2)", r.err, code)
		}
		if !strings.Contains(r.err.Error(), "command is required") {
			t.Errorf("err = %q; want it to say a command is required", r.err)
		}
		if r.stdout != "" {
			t.Errorf("stdout = %q; want nothing", r.stdout)
		}
		for _, c := range commands {
			if !strings.Contains(r.stderr, "salesmania "+c) {
				t.Errorf("stderr shows no usage of %q:\n%s", c, r.stderr)
			}
		}
	})
	t.Run("ErrUnknownCommand", func(t *testing.T) {
		r := execute(t, "", "frobnicate")
		if code := exitCode(r.err); r.err == nil || code != 2 {
			t.Fatalf("err = %v, exit code %d; want a usage error (2)", r.err, code)
		}
		if !strings.Contains(r.err.Error(), `"frobnicate"`) {
			t.Errorf("err = %q; want it to name the command", r.err)
		}
		if r.stdout != "" || !strings.Contains(r.stderr, "Usage:") {
			t.Errorf("stdout = %q, stderr = %q; want the usage on stderr only", r.stdout, r.stderr)
		}
	})
	for _, arg := range []string{"help", "-h", "--help"} {
		t.Run("OKHelp"+arg, func(t *testing.T) {
			r := execute(t, "", arg)
			if r.err != nil {
				t.Fatalf("err = %v; want nil", r.err)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q; want nothing", r.stderr)
			}
			for _, c := range commands {
				if !strings.Contains(r.stdout, "salesmania "+c) {
					t.Errorf("stdout shows no usage of %q:\n%s", c, r.stdout)
				}
			}
		})
	}
	// "COMMAND -h" shows the command's flags and is no failure, as the usage
	// promises ("Run salesmania COMMAND -h for a command's flags").
	for _, args := range [][]string{
		{"serve", "-h"},
		{"demo", "--help"},
		{"admin", "member", "add", "-h"},
	} {
		t.Run("OKFlags"+strings.Join(args, ""), func(t *testing.T) {
			r := execute(t, "", args...)
			if r.err != nil {
				t.Fatalf("err = %v (exit code %d); want nil", r.err, exitCode(r.err))
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q; want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, "-db") {
				t.Errorf("stderr does not show the flags:\n%s", r.stderr)
			}
		})
	}
}
