package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/salesmania/salesmania"
)

// ReserveIdempotencyKey looks a key up and takes it when it is free.
func (s *Store) ReserveIdempotencyKey(ctx context.Context, c *salesmania.IdempotencyClaim, now time.Time, lease time.Duration) (salesmania.IdempotencyOutcome, error) {
	var out salesmania.IdempotencyOutcome
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		var hash, body []byte
		var owner, state, kind, ctype string
		var leaseUntil, resID, expires int64
		var status int
		for attempt := 1; ; attempt++ {
			// Insert first: of concurrent requests with a new key exactly
			// one inserts; the others wait for it on the unique key and
			// then find its row below, locked.
			res, err := tx.ExecContext(ctx, `
				INSERT INTO idempotency_keys (db_id, user_id, key, request_hash, owner, state, lease_until, created_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7, $8)
				ON CONFLICT (db_id, user_id, key) DO NOTHING`,
				c.DBID, c.UserID, c.Key, c.RequestHash, c.Owner, micros(now.Add(lease)), micros(now), micros(now.Add(salesmania.IdempotencyTTL)))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				out.State = salesmania.IdempotencyReserved
				return nil
			}
			err = tx.QueryRowContext(ctx, `
				SELECT request_hash, owner, state, lease_until, resource_kind, resource_id, status, content_type, body, expires_at
				FROM idempotency_keys WHERE db_id = $1 AND user_id = $2 AND key = $3`+s.forUpdate(), c.DBID, c.UserID, c.Key).
				Scan(&hash, &owner, &state, &leaseUntil, &kind, &resID, &status, &ctype, &body, &expires)
			// On PostgreSQL the row the insert ran into can be released
			// (deleted) before the select reads it: the key is free again,
			// so try to insert once more.
			if errors.Is(err, sql.ErrNoRows) {
				if attempt < 3 {
					continue
				}
				return &salesmania.Error{Code: salesmania.EUNAVAILABLE, RetryAfter: 1,
					Message: "Requests with this Idempotency-Key are racing each other; retry shortly."}
			}
			if err != nil {
				return err
			}
			break
		}
		switch {
		case expires <= micros(now):
			// Expired: take it, whatever it held.
		case !bytes.Equal(hash, c.RequestHash):
			out.State = salesmania.IdempotencyMismatch
			return nil
		case state == "done":
			out.State, out.Response = salesmania.IdempotencyReplay, &salesmania.StoredResponse{Status: status, ContentType: ctype, Body: body}
			return nil
		case state == "committed":
			out.State, out.ResourceKind, out.ResourceID = salesmania.IdempotencyCommitted, kind, resID
			if kind == salesmania.ResourceCustomerBatch || kind == salesmania.ResourceProductBatch {
				out.Results = body
			}
			return nil
		case leaseUntil > micros(now):
			out.State = salesmania.IdempotencyInFlight
			return nil
		}
		// An in-flight hold whose lease ran out never committed (commit
		// marks the key in the same transaction), so taking it over cannot
		// repeat work.
		out.State = salesmania.IdempotencyReserved
		_, err := tx.ExecContext(ctx, `
			UPDATE idempotency_keys SET request_hash = $4, owner = $5, state = 'in_flight', lease_until = $6, resource_kind = '',
				resource_id = 0, status = 0, content_type = '', body = NULL, created_at = $7, expires_at = $8
			WHERE db_id = $1 AND user_id = $2 AND key = $3`,
			c.DBID, c.UserID, c.Key, c.RequestHash, c.Owner, micros(now.Add(lease)), micros(now), micros(now.Add(salesmania.IdempotencyTTL)))
		return err
	})
	return out, err
}

// markCommitted records, inside the transaction that creates a resource,
// that the idempotency key of the request (if any) has done its work. When
// the key is no longer this request's (its lease ran out and a retry took
// it over), the transaction fails rather than do the work twice.
func markCommitted(ctx context.Context, tx *txn, kind string, dbID, id int64) error {
	return commitKey(ctx, tx, kind, dbID, id, nil)
}

// markBatchCommitted is markCommitted for a batch (§13), which has no one
// resource: it records the batch's per-item results as JSON in the key's
// body, for a retry to answer with should the batch's answer be lost.
func markBatchCommitted(ctx context.Context, tx *txn, kind string, dbID int64, results any) error {
	if c := salesmania.IdempotencyFromContext(ctx); c == nil || c.DBID != dbID {
		return nil
	}
	body, err := json.Marshal(results)
	if err != nil {
		return err
	}
	return commitKey(ctx, tx, kind, dbID, 0, body)
}

func commitKey(ctx context.Context, tx *txn, kind string, dbID, id int64, body []byte) error {
	c := salesmania.IdempotencyFromContext(ctx)
	if c == nil || c.DBID != dbID {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'committed', resource_kind = $5, resource_id = $6, body = $7
		WHERE db_id = $1 AND user_id = $2 AND key = $3 AND owner = $4 AND state = 'in_flight'`,
		c.DBID, c.UserID, c.Key, c.Owner, kind, id, body)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return salesmania.Errorf(salesmania.ECONFLICT, "A retry with the same Idempotency-Key took over this request; its answer is the one that counts.")
	}
	return nil
}

// CompleteIdempotencyKey records the answer of the claim's request.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, c *salesmania.IdempotencyClaim, r salesmania.StoredResponse, now time.Time) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', status = $5, content_type = $6, body = $7
			WHERE db_id = $1 AND user_id = $2 AND key = $3 AND owner = $4`,
			c.DBID, c.UserID, c.Key, c.Owner, r.Status, r.ContentType, r.Body)
		return err
	})
}

// ReleaseIdempotencyKey frees the claim's key if it still holds it in flight.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, c *salesmania.IdempotencyClaim) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE db_id = $1 AND user_id = $2 AND key = $3 AND owner = $4 AND state = 'in_flight'",
			c.DBID, c.UserID, c.Key, c.Owner)
		return err
	})
}

// DeleteExpiredIdempotencyKeys removes keys past their 24 hours.
func (s *Store) DeleteExpiredIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE expires_at <= $1", micros(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
