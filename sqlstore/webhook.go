package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/salesmania/salesmania"
)

func webhookNotFound(id int64) error {
	return salesmania.Errorf(salesmania.ENOTFOUND, "Webhook %d not found.", id)
}

// CreateWebhook stores a webhook.
func (s *Store) CreateWebhook(ctx context.Context, dbID int64, w *salesmania.Webhook) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.checkDatabase(ctx, tx, dbID); err != nil {
			return err
		}
		id, err := s.nextID(ctx, tx, "webhooks")
		if err != nil {
			return err
		}
		events, _ := json.Marshal(w.Events)
		now := salesmania.Now()
		if _, err := tx.ExecContext(ctx, "INSERT INTO webhooks (db_id, id, url, secret, events, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
			dbID, id, w.URL, w.Secret, string(events), micros(now)); err != nil {
			return err
		}
		w.ID, w.DBID, w.CreatedAt = id, dbID, now
		return markCommitted(ctx, tx, salesmania.ResourceWebhook, dbID, id)
	})
}

// ListWebhooks returns the database's webhooks, secrets included for the
// dispatcher's use; the JSON form never shows them.
func (s *Store) ListWebhooks(ctx context.Context, dbID int64) ([]salesmania.Webhook, error) {
	return listWebhooks(ctx, s.read, dbID)
}

func listWebhooks(ctx context.Context, db queryer, dbID int64) ([]salesmania.Webhook, error) {
	rows, err := db.QueryContext(ctx, "SELECT id, url, secret, events, created_at FROM webhooks WHERE db_id = $1 ORDER BY id", dbID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []salesmania.Webhook{}
	for rows.Next() {
		w := salesmania.Webhook{DBID: dbID}
		var events string
		var created int64
		if err := rows.Scan(&w.ID, &w.URL, &w.Secret, &events, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
			return nil, err
		}
		w.CreatedAt = fromMicros(created)
		out = append(out, w)
	}
	return out, rows.Err()
}

// FindWebhook returns one webhook of the database.
func (s *Store) FindWebhook(ctx context.Context, dbID, id int64) (*salesmania.Webhook, error) {
	hooks, err := listWebhooks(ctx, s.read, dbID)
	if err != nil {
		return nil, s.wrap(err)
	}
	for _, w := range hooks {
		if w.ID == id {
			return &w, nil
		}
	}
	return nil, webhookNotFound(id)
}

// DeleteWebhook deletes a webhook; its deliveries and attempts go with it.
func (s *Store) DeleteWebhook(ctx context.Context, dbID, id int64) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM webhooks WHERE db_id = $1 AND id = $2", dbID, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return webhookNotFound(id)
		}
		return nil
	})
}

// ListWebhookAttempts returns a page of a webhook's delivery attempts,
// newest first.
func (s *Store) ListWebhookAttempts(ctx context.Context, dbID, webhookID int64, p salesmania.ListParams) (*salesmania.Page[salesmania.WebhookAttempt], error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM webhooks WHERE db_id = $1 AND id = $2", dbID, webhookID).Scan(&n); err != nil {
		return nil, s.wrap(err)
	}
	if n == 0 {
		return nil, webhookNotFound(webhookID)
	}
	if p.ByUpdated() {
		pr := salesmania.Problems{Code: salesmania.EBADREQUEST}
		pr.Add("updated_since", "is not a parameter of this list")
		return nil, pr.Err()
	}
	q := &query{}
	q.and("a.db_id = " + q.arg(dbID))
	q.and("a.webhook_id = " + q.arg(webhookID))
	filtered := q.clone()
	// Newest first: attempt ids grow with time.
	if !p.After.IsZero() {
		q.and("a.id < " + q.arg(p.After.ID))
	}
	return listPage(ctx, s, "a.id, d.delivery_id, d.event, d.order_id, a.attempt, a.status_code, a.error, a.attempted_at, a.next_attempt_at",
		"webhook_attempts a JOIN webhook_deliveries d ON d.db_id = a.db_id AND d.id = a.delivery", q, filtered, " ORDER BY a.id DESC", p,
		func(r rowScanner, a *salesmania.WebhookAttempt) error {
			var at int64
			var next sql.NullInt64
			if err := r.Scan(&a.Row, &a.ID, &a.Event, &a.OrderID, &a.Attempt, &a.StatusCode, &a.Error, &at, &next); err != nil {
				return err
			}
			a.AttemptedAt = fromMicros(at)
			if next.Valid {
				t := fromMicros(next.Int64)
				a.NextAttemptAt = &t
			}
			return nil
		},
		func(a *salesmania.WebhookAttempt) salesmania.Cursor { return salesmania.Cursor{ID: a.Row} })
}

// enqueueOrderEvent writes, in the order change's transaction, a delivery
// of event for each webhook of the database that wants it. refs, if nil, is
// loaded when a webhook needs the body.
func (s *Store) enqueueOrderEvent(ctx context.Context, tx *txn, event string, o *salesmania.Order, refs *orderRefs) error {
	hooks, err := listWebhooks(ctx, tx, o.DBID)
	if err != nil {
		return err
	}
	var payload []byte
	now := micros(salesmania.Now())
	for _, w := range hooks {
		if !w.Wants(event) {
			continue
		}
		if payload == nil {
			if refs == nil {
				if refs, err = s.loadOrderRefs(ctx, tx, o.DBID, o); err != nil {
					return err
				}
			}
			if payload, err = json.Marshal(salesmania.NewExtOrder(o, refs.extCustNo, refs.extSalesmanNumber, refs.productCodes())); err != nil {
				return err
			}
		}
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		// PostgreSQL takes the id in the insert itself: one round trip.
		idSQL, args := "nextval('webhook_deliveries_id_seq')", []any{o.DBID, w.ID, o.ID, event, hex.EncodeToString(b[:]), string(payload), now}
		if s.dialect != dialectPostgres {
			id, err := s.nextID(ctx, tx, "webhook_deliveries")
			if err != nil {
				return err
			}
			idSQL, args = "$8", append(args, id)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO webhook_deliveries (db_id, id, webhook_id, order_id, event, delivery_id, payload, next_attempt_at, created_at)
			VALUES ($1, `+idSQL+`, $2, $3, $4, $5, $6, $7, $7)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// ClaimDueDeliveries leases up to limit deliveries that are due at now, for
// lease, so no other server process sends them meanwhile. A delivery waits
// while an earlier delivery of the same order to the same webhook is
// pending, so each receiver gets an order's events in the order they
// happened. On PostgreSQL rows another process is claiming are skipped
// (FOR UPDATE SKIP LOCKED).
func (s *Store) ClaimDueDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]salesmania.PendingDelivery, error) {
	var out []salesmania.PendingDelivery
	lock := ""
	if s.dialect == dialectPostgres {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `
			SELECT d.db_id, d.id, d.webhook_id, w.url, w.secret, d.event, d.delivery_id, d.order_id, d.payload, d.attempts, d.created_at
			FROM webhook_deliveries d JOIN webhooks w ON w.db_id = d.db_id AND w.id = d.webhook_id
			WHERE d.state = 'pending' AND d.next_attempt_at <= $1 AND d.lease_until <= $1
			  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.db_id = d.db_id AND e.webhook_id = d.webhook_id
			                  AND e.order_id = d.order_id AND e.state = 'pending' AND e.id < d.id)
			ORDER BY d.next_attempt_at, d.id
			LIMIT $2`+lock, micros(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d salesmania.PendingDelivery
			var payload string
			var created int64
			if err := rows.Scan(&d.DBID, &d.ID, &d.WebhookID, &d.URL, &d.Secret, &d.Event, &d.DeliveryID, &d.OrderID, &payload, &d.Attempts, &created); err != nil {
				rows.Close()
				return err
			}
			d.Payload, d.CreatedAt = []byte(payload), fromMicros(created)
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, "UPDATE webhook_deliveries SET lease_until = $3 WHERE db_id = $1 AND id = $2",
				d.DBID, d.ID, micros(now.Add(lease))); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// RecordAttempt logs an attempt of a claimed delivery and sets what happens
// next: delivered, given up, or another attempt at r.NextAttemptAt.
func (s *Store) RecordAttempt(ctx context.Context, d salesmania.PendingDelivery, r salesmania.DeliveryResult) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		id, err := s.nextID(ctx, tx, "webhook_attempts")
		if err != nil {
			return err
		}
		var next any
		state := "pending"
		switch {
		case r.Delivered:
			state = "delivered"
		case r.NextAttemptAt == nil:
			state = "failed"
		default:
			next = micros(*r.NextAttemptAt)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO webhook_attempts (db_id, id, delivery, attempt, webhook_id, status_code, error, attempted_at, next_attempt_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.DBID, id, d.ID, d.Attempts+1, d.WebhookID, r.StatusCode, r.Error, micros(r.AttemptedAt), next); err != nil {
			return err
		}
		nextAt := micros(r.AttemptedAt)
		if t := r.NextAttemptAt; t != nil {
			nextAt = micros(*t)
		}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, state = $3, next_attempt_at = $4, lease_until = 0
			WHERE db_id = $1 AND id = $2`, d.DBID, d.ID, state, nextAt)
		return err
	})
}
