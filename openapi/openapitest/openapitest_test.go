package openapitest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/salesmania/salesmania/openapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
)

// recorder is a testing.TB that records Errorf calls instead of failing, so
// a test can check that the helper reports a failure. Everything else goes
// to the real test: a Fatal (a broken document) still fails it.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// documentOperations returns every operation of the document, token first,
// so the route checks below follow the document as it grows.
func documentOperations(t *testing.T) []openapitest.Route {
	var ops []openapitest.Route
	for path, item := range openapitest.Load(t).Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, openapitest.Route{Method: method, Path: path})
		}
	}
	slices.SortFunc(ops, func(a, b openapitest.Route) int {
		if a.Path == "/extapi/v1.0/token" && a.Method == "GET" {
			return -1
		}
		if b.Path == "/extapi/v1.0/token" && b.Method == "GET" {
			return 1
		}
		return strings.Compare(a.Path+a.Method, b.Path+b.Method)
	})
	return ops
}

func TestDocumentValid(t *testing.T) {
	doc := openapitest.Load(t)
	if doc.OpenAPI != "3.0.3" || doc.Info.Title != "salesmania" || doc.Info.Version != "0.1.0" {
		t.Errorf("openapi %q, title %q, version %q; want 3.0.3, salesmania, 0.1.0", doc.OpenAPI, doc.Info.Title, doc.Info.Version)
	}
	// The document's own conventions: every operation is named, tagged,
	// explained and secured explicitly; lists 500; and every response
	// carries X-Request-Id.
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" || len(op.Tags) != 1 || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: want operationId, one tag, summary and description", name)
			}
			if op.Security == nil {
				t.Errorf("%s: want explicit security", name)
			}
			if op.Responses.Status(http.StatusInternalServerError) == nil {
				t.Errorf("%s: 500 not documented", name)
			}
			for status, resp := range op.Responses.Map() {
				h := resp.Value.Headers["X-Request-Id"]
				if h == nil || h.Ref != "#/components/headers/XRequestId" || !h.Value.Required {
					t.Errorf("%s: response %s: want required header X-Request-Id from components", name, status)
				}
				for mime := range resp.Value.Content {
					if status != "200" && mime != "application/problem+json" {
						t.Errorf("%s: response %s is %s, want application/problem+json", name, status, mime)
					}
				}
			}
		}
	}
}

func TestDocumentIsJSON(t *testing.T) {
	// The server serves the embedded bytes as they are.
	var v map[string]any
	if err := json.Unmarshal(openapi.Document(), &v); err != nil {
		t.Fatal(err)
	}
	if v["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v", v["openapi"])
	}
}

func TestCheckRoutes(t *testing.T) {
	operations := documentOperations(t)
	t.Run("OK", func(t *testing.T) {
		rec := &recorder{TB: t}
		routes := append([]openapitest.Route{{Method: "get", Path: "/healthz"}}, operations...)
		openapitest.CheckRoutes(rec, routes)
		if errs := rec.errors(); len(errs) != 0 {
			t.Errorf("errors: %q", errs)
		}
	})
	t.Run("ErrRouteNotServed", func(t *testing.T) {
		rec := &recorder{TB: t}
		openapitest.CheckRoutes(rec, operations[1:])
		want := []string{"openapi: GET /extapi/v1.0/token is an operation of the document but is not served"}
		if errs := rec.errors(); !slices.Equal(errs, want) {
			t.Errorf("errors: %q\nwant %q", errs, want)
		}
	})
	t.Run("ErrRouteNotDocumented", func(t *testing.T) {
		rec := &recorder{TB: t}
		routes := append([]openapitest.Route{{Method: "GET", Path: "/extapi/v1.0/teams/{id}"}}, operations...)
		openapitest.CheckRoutes(rec, routes)
		want := []string{"openapi: GET /extapi/v1.0/teams/{id} is served but is not an operation of the document"}
		if errs := rec.errors(); !slices.Equal(errs, want) {
			t.Errorf("errors: %q\nwant %q", errs, want)
		}
	})
}

// answer is what a test server answers.
type answer struct {
	status int
	header map[string]string // X-Request-Id: r-1 unless given; "" deletes
	body   string
}

const (
	bearer    = "Bearer q3Zt0vJxN2b7cW9eK1mR5sT8uY4iO6pA2dF0gH3jL7k"
	teamToken = "eyJkYl9pZCI6Mjk4MSwidGVhbV9pZCI6MjQ3Mjh9.KtPwswoY_NYFyP-Yl4VIKSRidY74nD-Ju-65WzNRLEw"
	problemCT = "application/problem+json"
)

func problem(status int, title string) string {
	return `{"type":"about:blank","title":"` + title + `","status":` + strconv.Itoa(status) + `,"detail":"x"}`
}

func TestTransport(t *testing.T) {
	for _, tt := range []struct {
		name    string
		method  string
		target  string
		header  map[string]string
		body    string
		skip    bool // SkipRequestValidation
		answer  answer
		wantErr []string // substrings of the one reported error; none if empty
	}{
		{
			name: "OK", target: "/healthz",
			answer: answer{200, map[string]string{"Content-Type": "application/json"}, `{"status":"ok"}`},
		},
		{
			name: "OKMetricsTextPlain", target: "/metrics",
			answer: answer{200, map[string]string{"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}, "# TYPE up gauge\nup 1\n"},
		},
		{
			name: "OKProblem503", target: "/healthz",
			answer: answer{503, map[string]string{"Content-Type": problemCT, "Retry-After": "5"}, problem(503, "Service Unavailable")},
		},
		{
			name: "OKToken", target: "/extapi/v1.0/token", header: map[string]string{"Authorization": "Basic YTpi"},
			answer: answer{200, map[string]string{"Content-Type": "application/json"},
				`{"token":"q3Zt0vJxN2b7cW9eK1mR5sT8uY4iO6pA2dF0gH3jL7k","token_type":"Bearer","expires_at":"2026-12-27T10:00:00Z"}`},
		},
		{
			name: "OKRevoke", method: "DELETE", target: "/extapi/v1.0/token", header: map[string]string{"Authorization": bearer},
			answer: answer{200, map[string]string{"Content-Type": "application/json"}, `{}`},
		},
		{
			name: "OKTeamsQueryToken", target: "/extapi/v1.0/teams?team_token=" + teamToken, header: map[string]string{"Authorization": bearer},
			answer: answer{200, map[string]string{"Content-Type": "application/json"},
				`{"data":[{"id":24728,"name":"Budi","ext_salesman_number":"S-01","status":true}]}`},
		},
		{
			name: "OKTeamsHeaderToken", target: "/extapi/v1.0/teams", header: map[string]string{"Authorization": bearer, "X-Team-Token": teamToken},
			answer: answer{200, map[string]string{"Content-Type": "application/json"}, `{"data":[]}`},
		},
		{
			name: "OKUnauthorized", target: "/extapi/v1.0/databases", header: map[string]string{"Authorization": bearer},
			answer: answer{401, map[string]string{"Content-Type": problemCT, "WWW-Authenticate": `Bearer realm="salesmania"`}, problem(401, "Unauthorized")},
		},
		{
			name: "OKUnauthorizedBasic", target: "/extapi/v1.0/token", header: map[string]string{"Authorization": "Basic YTpi"},
			answer: answer{401, map[string]string{"Content-Type": problemCT, "WWW-Authenticate": `Basic realm="salesmania", charset="UTF-8"`}, problem(401, "Unauthorized")},
		},
		{
			name: "OKUnauthorizedBearerParams", target: "/extapi/v1.0/databases", header: map[string]string{"Authorization": bearer},
			answer: answer{401, map[string]string{"Content-Type": problemCT, "WWW-Authenticate": `Bearer realm="salesmania", error="invalid_token"`}, problem(401, "Unauthorized")},
		},
		{
			name: "OKTeamToken", target: "/extapi/v1.0/team_token?db_id=2981", header: map[string]string{"Authorization": bearer},
			answer: answer{200, map[string]string{"Content-Type": "application/json"}, `{"team_token":"` + teamToken + `","db_id":2981,"team_id":24728}`},
		},
		{
			name: "OKTeamsTwoTokens", target: "/extapi/v1.0/teams?team_token=a.b", header: map[string]string{"Authorization": bearer, "X-Team-Token": teamToken},
			answer: answer{400, map[string]string{"Content-Type": problemCT},
				`{"type":"about:blank","title":"Bad Request","status":400,"detail":"1 parameter is invalid","instance":"urn:request:26579a1ade4a588e","errors":[{"field":"team_token","message":"give one team token"}]}`},
		},
		{
			name: "OKSkippedJunkQuery", target: "/extapi/v1.0/team_token?db_id=abc", header: map[string]string{"Authorization": bearer}, skip: true,
			answer: answer{400, map[string]string{"Content-Type": problemCT},
				`{"type":"about:blank","title":"Bad Request","status":400,"detail":"1 parameter is invalid","errors":[{"field":"db_id","message":"must be a positive integer"}]}`},
		},
		{
			name: "OKSkippedMissingBearer", target: "/extapi/v1.0/databases", skip: true,
			answer: answer{401, map[string]string{"Content-Type": problemCT, "WWW-Authenticate": `Bearer realm="salesmania"`}, problem(401, "Unauthorized")},
		},
		{
			name: "ErrBodyType", target: "/healthz",
			answer:  answer{200, map[string]string{"Content-Type": "application/json"}, `{"status":1}`},
			wantErr: []string{"openapi: GET /healthz: response 200 does not match the document", `"status"`},
		},
		{
			name: "ErrStatusNotDocumented", target: "/healthz",
			answer:  answer{http.StatusTeapot, map[string]string{"Content-Type": problemCT}, problem(418, "I'm a teapot")},
			wantErr: []string{"openapi: GET /healthz: response 418 does not match the document", "status is not supported"},
		},
		{
			name: "ErrNoRequestID", target: "/healthz",
			answer:  answer{200, map[string]string{"Content-Type": "application/json", "X-Request-Id": ""}, `{"status":"ok"}`},
			wantErr: []string{"response 200 does not match", `"X-Request-Id" missing`},
		},
		{
			name: "ErrProblemAsJSON", target: "/healthz",
			answer:  answer{503, map[string]string{"Content-Type": "application/json", "Retry-After": "5"}, problem(503, "Service Unavailable")},
			wantErr: []string{"response 503 does not match", "application/json"},
		},
		{
			name: "ErrProblemShape", target: "/healthz",
			answer:  answer{500, map[string]string{"Content-Type": problemCT}, `{"error":"boom"}`},
			wantErr: []string{"response 500 does not match", "title"},
		},
		{
			name: "ErrNoWWWAuthenticate", target: "/extapi/v1.0/databases", header: map[string]string{"Authorization": bearer},
			answer:  answer{401, map[string]string{"Content-Type": problemCT}, problem(401, "Unauthorized")},
			wantErr: []string{"response 401 does not match", `"WWW-Authenticate" missing`},
		},
		{
			name: "ErrNoRetryAfter", target: "/extapi/v1.0/token", header: map[string]string{"Authorization": "Basic YTpi"},
			answer:  answer{429, map[string]string{"Content-Type": problemCT}, problem(429, "Too Many Requests")},
			wantErr: []string{"response 429 does not match", `"Retry-After" missing`},
		},
		{
			name: "ErrNoRetryAfter503", target: "/healthz",
			answer:  answer{503, map[string]string{"Content-Type": problemCT}, problem(503, "Service Unavailable")},
			wantErr: []string{"response 503 does not match", `"Retry-After" missing`},
		},
		{
			name: "ErrTokenShape", target: "/extapi/v1.0/token", header: map[string]string{"Authorization": "Basic YTpi"},
			answer:  answer{200, map[string]string{"Content-Type": "application/json"}, `{"token":"short","token_type":"Bearer","expires_at":"2026-12-27T10:00:00Z"}`},
			wantErr: []string{"response 200 does not match", "token"},
		},
		{
			name: "ErrTeamFieldMissing", target: "/extapi/v1.0/teams", header: map[string]string{"Authorization": bearer, "X-Team-Token": teamToken},
			answer:  answer{200, map[string]string{"Content-Type": "application/json"}, `{"data":[{"id":1,"name":"Budi","status":true}]}`},
			wantErr: []string{"response 200 does not match", "ext_salesman_number"},
		},
		{
			name: "ErrRevokeNotEmpty", method: "DELETE", target: "/extapi/v1.0/token", header: map[string]string{"Authorization": bearer},
			answer:  answer{200, map[string]string{"Content-Type": "application/json"}, `{"revoked":true}`},
			wantErr: []string{"response 200 does not match", "revoked"},
		},
		{
			name: "ErrWrongChallenge", target: "/extapi/v1.0/databases", header: map[string]string{"Authorization": bearer},
			answer:  answer{401, map[string]string{"Content-Type": problemCT, "WWW-Authenticate": "Digest"}, problem(401, "Unauthorized")},
			wantErr: []string{"response 401 does not match", "WWW-Authenticate"},
		},
		{
			name: "ErrPathNotDocumented", target: "/extapi/v1.0/nope",
			answer:  answer{404, map[string]string{"Content-Type": problemCT}, problem(404, "Not Found")},
			wantErr: []string{"openapi: GET /extapi/v1.0/nope: not an operation of the document"},
		},
		{
			name: "ErrPathNotDocumentedSkipped", target: "/extapi/v1.0/nope", skip: true,
			answer:  answer{404, map[string]string{"Content-Type": problemCT}, problem(404, "Not Found")},
			wantErr: []string{"openapi: GET /extapi/v1.0/nope: not an operation of the document"},
		},
		{
			name: "ErrMethodNotDocumented", method: "POST", target: "/healthz",
			answer:  answer{405, map[string]string{"Content-Type": problemCT}, problem(405, "Method Not Allowed")},
			wantErr: []string{"openapi: POST /healthz: not an operation of the document"},
		},
		{
			name: "ErrJunkQuery", target: "/extapi/v1.0/team_token?db_id=abc", header: map[string]string{"Authorization": bearer},
			answer:  answer{400, map[string]string{"Content-Type": problemCT}, problem(400, "Bad Request")},
			wantErr: []string{"openapi: GET /extapi/v1.0/team_token: request does not match the document", "db_id"},
		},
		{
			name: "ErrMissingQuery", target: "/extapi/v1.0/team_token", header: map[string]string{"Authorization": bearer},
			answer:  answer{400, map[string]string{"Content-Type": problemCT}, problem(400, "Bad Request")},
			wantErr: []string{"request does not match the document", "db_id"},
		},
		{
			name: "ErrMissingBearer", target: "/extapi/v1.0/databases",
			answer:  answer{401, map[string]string{"Content-Type": problemCT, "WWW-Authenticate": `Bearer realm="salesmania"`}, problem(401, "Unauthorized")},
			wantErr: []string{"request does not match the document", "bearerAuth"},
		},
		{
			name: "ErrMissingTeamToken", target: "/extapi/v1.0/teams", header: map[string]string{"Authorization": bearer},
			answer:  answer{403, map[string]string{"Content-Type": problemCT}, problem(403, "Forbidden")},
			wantErr: []string{"request does not match the document", "team_token", "X-Team-Token"},
		},
		{
			name: "ErrUnexpectedBody", target: "/healthz", body: `{"x":1}`,
			answer:  answer{200, map[string]string{"Content-Type": "application/json"}, `{"status":"ok"}`},
			wantErr: []string{"request does not match the document", "request body not allowed"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu      sync.Mutex
				gotBody string
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				gotBody = string(b)
				mu.Unlock()
				w.Header().Set("X-Request-Id", "r-1")
				for k, v := range tt.answer.header {
					if v == "" {
						w.Header().Del(k)
					} else {
						w.Header().Set(k, v)
					}
				}
				w.WriteHeader(tt.answer.status)
				io.WriteString(w, tt.answer.body)
			}))
			defer srv.Close()

			method := tt.method
			if method == "" {
				method = "GET"
			}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(method, srv.URL+tt.target, body)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if tt.skip {
				req = openapitest.SkipRequestValidation(req)
			}
			rec := &recorder{TB: t}
			resp, err := (&http.Client{Transport: openapitest.NewTransport(rec, nil)}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()

			// The exchange is untouched: the server got the request body and
			// the caller gets the response body.
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.answer.body || resp.StatusCode != tt.answer.status {
				t.Errorf("caller got %d %q, want %d %q", resp.StatusCode, b, tt.answer.status, tt.answer.body)
			}
			mu.Lock()
			if gotBody != tt.body {
				t.Errorf("server got body %q, want %q", gotBody, tt.body)
			}
			mu.Unlock()

			errs := rec.errors()
			switch {
			case len(tt.wantErr) == 0 && len(errs) != 0:
				t.Errorf("unexpected errors:\n%s", strings.Join(errs, "\n"))
			case len(tt.wantErr) != 0 && len(errs) != 1:
				t.Errorf("got %d errors, want 1 containing %q:\n%s", len(errs), tt.wantErr, strings.Join(errs, "\n"))
			case len(tt.wantErr) != 0:
				for _, want := range tt.wantErr {
					if !strings.Contains(errs[0], want) {
						t.Errorf("error does not contain %q:\n%s", want, errs[0])
					}
				}
				t.Logf("reported:\n%s", errs[0])
			}
		})
	}
}

func TestNewClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "r-1")
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapi.Document())
	}))
	defer srv.Close()
	rec := &recorder{TB: t}
	resp, err := openapitest.NewClient(rec).Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != string(openapi.Document()) {
		t.Errorf("got %d, %d bytes", resp.StatusCode, len(b))
	}
	if errs := rec.errors(); len(errs) != 0 {
		t.Errorf("unexpected errors:\n%s", strings.Join(errs, "\n"))
	}
}
