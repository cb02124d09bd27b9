package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/salesmania/salesmania"
)

// IdempotencyLease is how long a request holds its key before a retry may
// take it over; well past the server's 60 s write timeout.
const IdempotencyLease = 2 * time.Minute

// captureWriter holds an answer back so it can be recorded before it is
// sent.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

// idempotent makes a POST route honour Idempotency-Key (§1.2): the first
// request's answer is kept for 24 hours per user, database and key; a repeat
// with the same method, path and byte-identical body gets it again with
// Idempotent-Replayed: true and does nothing; the same key with another body
// is 422; a repeat while the first is still at work is 409. The key is
// marked done in the same transaction as the work (see
// salesmania.NewContextWithIdempotency), so even a crash between the commit
// and the answer cannot make a retry do the work twice.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		keys := r.Header.Values("Idempotency-Key")
		if len(keys) == 0 {
			next.ServeHTTP(w, r)
			return nil
		}
		if len(keys) > 1 || !validIdempotencyKey(keys[0]) {
			pr := salesmania.Problems{Code: salesmania.EBADREQUEST}
			pr.Add("Idempotency-Key", "must be given once, 1 to 255 printable ASCII characters (space to ~)")
			return pr.Err()
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyReadError(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		io.WriteString(h, r.Method+" "+r.URL.Path+"\n")
		h.Write(body)
		var owner [16]byte
		rand.Read(owner[:])
		claim := &salesmania.IdempotencyClaim{DBID: p.DBID, UserID: p.UserID, Key: keys[0], RequestHash: h.Sum(nil), Owner: hex.EncodeToString(owner[:])}
		out, err := s.store.ReserveIdempotencyKey(r.Context(), claim, s.now(), IdempotencyLease)
		if err != nil {
			// The reservation may have committed though its answer was
			// lost (the connection to the database broke during COMMIT):
			// let it go, or every retry would wait out the lease.
			s.store.ReleaseIdempotencyKey(context.WithoutCancel(r.Context()), claim)
			return err
		}
		switch out.State {
		case salesmania.IdempotencyMismatch:
			return &salesmania.Error{Code: salesmania.EINVALID, Message: "This Idempotency-Key was used with a different request; use a new key for a new request.",
				Fields: []salesmania.FieldError{{Field: "Idempotency-Key", Message: "was used with a different request"}}}
		case salesmania.IdempotencyInFlight:
			return salesmania.Errorf(salesmania.ECONFLICT, "A request with this Idempotency-Key is still being processed; retry shortly.")
		case salesmania.IdempotencyReplay:
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", out.Response.ContentType)
			w.WriteHeader(out.Response.Status)
			w.Write(out.Response.Body)
			return nil
		case salesmania.IdempotencyCommitted:
			if out.Results != nil {
				// A batch: its results, recorded when it committed.
				w.Header().Set("Idempotent-Replayed", "true")
				encode(w, http.StatusOK, struct {
					Data json.RawMessage `json:"data"`
				}{out.Results})
				return nil
			}
			row, err := s.findResource(r.Context(), p.DBID, out.ResourceKind, out.ResourceID)
			if err != nil {
				return err
			}
			w.Header().Set("Idempotent-Replayed", "true")
			encode(w, http.StatusOK, row)
			return nil
		}
		cw := &captureWriter{ResponseWriter: w}
		// A panic must not leave the key held until its lease runs out.
		defer func() {
			if v := recover(); v != nil {
				s.store.ReleaseIdempotencyKey(context.WithoutCancel(r.Context()), claim)
				panic(v)
			}
		}()
		next.ServeHTTP(cw, r.WithContext(salesmania.NewContextWithIdempotency(r.Context(), claim)))
		if cw.status == 0 {
			cw.status = http.StatusOK
		}
		// Keep the answer unless it says nothing about the work: a 429, a
		// 5xx after which a retry should run again, or the 499 of a client
		// gone (a write it started is done, and then marked committed).
		ctx := context.WithoutCancel(r.Context())
		if cw.status == http.StatusTooManyRequests || cw.status >= 500 || cw.status == statusClientClosed {
			err = s.store.ReleaseIdempotencyKey(ctx, claim)
		} else {
			err = s.store.CompleteIdempotencyKey(ctx, claim, salesmania.StoredResponse{
				Status: cw.status, ContentType: w.Header().Get("Content-Type"), Body: cw.body.Bytes()}, s.now())
		}
		if err != nil {
			// The work's own transaction marked the key; a replay then
			// answers with the resource as it is.
			s.logger.ErrorContext(r.Context(), "record idempotent answer", "request_id", requestID(r.Context()), "error", err.Error())
		}
		w.WriteHeader(cw.status)
		w.Write(cw.body.Bytes())
		return nil
	})
}

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > salesmania.MaxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// findResource reads a resource a POST created, to answer a retry whose
// first answer was lost.
func (s *Server) findResource(ctx context.Context, dbID int64, kind string, id int64) (any, error) {
	switch kind {
	case salesmania.ResourceCustomer:
		return s.store.FindCustomer(ctx, dbID, id)
	case salesmania.ResourceProduct:
		return s.store.FindProduct(ctx, dbID, id)
	case salesmania.ResourceVisit:
		return s.store.FindVisit(ctx, dbID, salesmania.AllTeams(), id)
	case salesmania.ResourceOrder:
		return s.store.FindOrder(ctx, dbID, salesmania.AllTeams(), id)
	case salesmania.ResourceVisitPlan:
		return s.store.FindVisitPlan(ctx, dbID, salesmania.AllTeams(), id)
	case salesmania.ResourceWebhook:
		return s.store.FindWebhook(ctx, dbID, id)
	}
	return nil, errors.New("httpapi: unknown resource kind " + kind)
}
