// Package openapitest checks HTTP traffic against the OpenAPI document of
// package openapi, so that tests fail as soon as the server and its document
// disagree.
//
// Tests talk to the server through NewClient (or NewTransport): every request
// must be an operation of the document and match it, and every response must
// have a documented status, headers and body. CheckRoutes compares the
// server's route list with the document's operations.
//
// The package imports kin-openapi; only tests import it, so the server binary
// does not.
package openapitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/salesmania/salesmania/openapi"
)

// The document is parsed and validated once per test binary; every caller
// still gets the error, if any, reported to its own testing.TB.
var (
	loadOnce   sync.Once
	loadDoc    *openapi3.T
	loadRouter routers.Router
	loadErr    error
)

func load() (*openapi3.T, routers.Router, error) {
	loadOnce.Do(func() {
		// kin-openapi registers application/problem+json itself; make sure
		// of it, before any validation runs, rather than rely on it.
		if openapi3filter.RegisteredBodyDecoder("application/problem+json") == nil {
			openapi3filter.RegisterBodyDecoder("application/problem+json", openapi3filter.JSONBodyDecoder)
		}
		doc, err := openapi3.NewLoader().LoadFromData(openapi.Document())
		if err != nil {
			loadErr = fmt.Errorf("openapi: parsing openapi.json: %w", err)
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			loadErr = fmt.Errorf("openapi: openapi.json is not a valid OpenAPI document: %w", err)
			return
		}
		// The document's only server is "/", relative to wherever it is
		// served; the router must match any scheme, host and port (the
		// tests' servers listen on 127.0.0.1:<random port>). A router over
		// a copy without servers matches paths alone.
		routed := *doc
		routed.Servers = nil
		router, err := legacy.NewRouter(&routed)
		if err != nil {
			loadErr = fmt.Errorf("openapi: building the router: %w", err)
			return
		}
		loadDoc, loadRouter = doc, router
	})
	return loadDoc, loadRouter, loadErr
}

// Load returns the parsed and validated OpenAPI document, failing the test
// if it does not parse or is not valid OpenAPI 3.0. Callers must not modify
// the document: it is shared by all tests.
func Load(tb testing.TB) *openapi3.T {
	tb.Helper()
	doc, _, err := load()
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

type skipRequestKey struct{}

// SkipRequestValidation returns a copy of req that the transport of
// NewTransport sends without checking it against the document, for tests
// that deliberately send what the document forbids: malformed JSON, junk
// query values, a wrong content type, missing credentials. The response is
// still checked: its status, headers and body must be documented for the
// operation, and the path must still be one of the document.
func SkipRequestValidation(req *http.Request) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), skipRequestKey{}, true))
}

func skipRequest(ctx context.Context) bool {
	skip, _ := ctx.Value(skipRequestKey{}).(bool)
	return skip
}

// NewTransport returns an http.RoundTripper that sends requests with base
// (http.DefaultTransport if nil) and checks each exchange against the
// document. It reports with tb.Errorf, without stopping the test, a request
// to a path and method that is not an operation of the document, a request
// that does not match its operation (parameters, credentials present, body;
// see SkipRequestValidation), and a response whose status is not documented
// for the operation or whose headers or body do not match. The caller reads
// the response body as usual.
func NewTransport(tb testing.TB, base http.RoundTripper) http.RoundTripper {
	tb.Helper()
	_, router, err := load()
	if err != nil {
		tb.Fatal(err)
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{tb: tb, base: base, router: router}
}

// NewClient returns an http.Client whose transport is NewTransport over
// http.DefaultTransport, with a 30 s timeout.
func NewClient(tb testing.TB) *http.Client {
	tb.Helper()
	return &http.Client{Transport: NewTransport(tb, http.DefaultTransport), Timeout: 30 * time.Second}
}

type transport struct {
	tb     testing.TB
	base   http.RoundTripper
	router routers.Router
}

// RoundTrip checks req, sends it and checks the response. It may run off
// the test's goroutine, so it reports with Errorf only.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Read the body once so that it can be both validated and sent.
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("openapitest: reading the request body: %w", err)
		}
	}
	withBody := func(r *http.Request) *http.Request {
		r = r.Clone(r.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		}
		return r
	}

	var input *openapi3filter.RequestValidationInput
	route, pathParams, err := t.router.FindRoute(req)
	if err != nil {
		t.tb.Errorf("openapi: %s %s: not an operation of the document: %v", req.Method, req.URL.Path, err)
	} else {
		input = &openapi3filter.RequestValidationInput{
			Request:    withBody(req),
			PathParams: pathParams,
			Route:      route,
			Options:    &validationOptions,
		}
		if !skipRequest(req.Context()) {
			if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil {
				t.tb.Errorf("openapi: %s %s: request does not match the document (wrap it in openapitest.SkipRequestValidation if that is the point of the test):\n%v",
					req.Method, req.URL.Path, err)
			}
		}
	}

	resp, err := t.base.RoundTrip(withBody(req))
	if err != nil || input == nil {
		return resp, err
	}

	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("openapitest: reading the response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	err = openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(data)),
		Options:                &validationOptions,
	})
	if err != nil {
		t.tb.Errorf("openapi: %s %s: response %d does not match the document:\n%v\nbody: %s",
			req.Method, req.URL.Path, resp.StatusCode, err, abbreviate(data, 1000))
	}
	return resp, nil
}

// validationOptions are shared by every validation; kin-openapi only reads
// them. Schema errors leave out the schema and the value, which would bury
// the reason under pages of JSON; the report quotes the body instead.
var validationOptions = openapi3filter.Options{
	AuthenticationFunc:                requireCredentials,
	MultiError:                        true,
	IncludeResponseStatus:             true,
	RejectWhenRequestBodyNotSpecified: true,
	SkipSettingDefaults:               true,
	SchemaValidationOptions:           []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
}

// requireCredentials checks that a request carries the credentials a
// security scheme asks for; whether they are right is the server's business.
// It makes a request that forgets the bearer or the team token fail
// validation, as the server will refuse it.
func requireCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	s := in.SecurityScheme
	switch s.Type {
	case "http":
		scheme, _, _ := strings.Cut(req.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, s.Scheme) {
			return in.NewError(fmt.Errorf("security scheme %q: no %q credentials in the Authorization header", in.SecuritySchemeName, s.Scheme))
		}
	case "apiKey":
		var present bool
		switch s.In {
		case "query":
			present = req.URL.Query().Get(s.Name) != ""
		case "header":
			present = req.Header.Get(s.Name) != ""
		case "cookie":
			c, err := req.Cookie(s.Name)
			present = err == nil && c.Value != ""
		}
		if !present {
			return in.NewError(fmt.Errorf("security scheme %q: no %s %q", in.SecuritySchemeName, s.In, s.Name))
		}
	default:
		return in.NewError(errors.New("unsupported security scheme type " + s.Type))
	}
	return nil
}

func abbreviate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}

// Route is one route of the server: an HTTP method and a path in OpenAPI
// form, with path parameters in braces: {"GET", "/extapi/v1.0/customers/{id}"}.
type Route struct {
	Method, Path string
}

// CheckRoutes fails the test for every route that the document does not
// have as an operation and for every operation of the document that is not
// among routes, so that the server's router and the document cannot drift
// apart. Methods are compared case-insensitively.
func CheckRoutes(tb testing.TB, routes []Route) {
	tb.Helper()
	doc := Load(tb)
	documented := make(map[Route]bool)
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[Route{Method: strings.ToUpper(method), Path: path}] = true
		}
	}
	served := make(map[Route]bool)
	for _, r := range routes {
		r.Method = strings.ToUpper(r.Method)
		served[r] = true
		if !documented[r] {
			tb.Errorf("openapi: %s %s is served but is not an operation of the document", r.Method, r.Path)
		}
	}
	var missing []Route
	for r := range documented {
		if !served[r] {
			missing = append(missing, r)
		}
	}
	slices.SortFunc(missing, func(a, b Route) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	for _, r := range missing {
		tb.Errorf("openapi: %s %s is an operation of the document but is not served", r.Method, r.Path)
	}
}
