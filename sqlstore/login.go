package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// LoginLockedUntil returns the latest time until which any of the subjects
// is locked out of logging in; the zero time when none is.
func (s *Store) LoginLockedUntil(ctx context.Context, subjects []string, now time.Time) (time.Time, error) {
	var until time.Time
	for _, subj := range subjects {
		var locked int64
		err := s.r.QueryRowContext(ctx, "SELECT locked_until FROM login_failures WHERE subject = $1", subj).Scan(&locked)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return time.Time{}, s.wrap(err)
		}
		if t := fromMicros(locked); t.After(now) && t.After(until) {
			until = t
		}
	}
	return until, nil
}

// RecordLoginFailure counts a failed login of subject in the window that
// started with its first failure; at the limit-th failure within window,
// the subject is locked for lockout.
func (s *Store) RecordLoginFailure(ctx context.Context, subject string, limit int, window, lockout time.Duration, now time.Time) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		// Make sure the row exists, then lock it: concurrent failures of
		// one subject count one after another.
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES ($1, 0, $2, 0)
			ON CONFLICT (subject) DO NOTHING`, subject, micros(now)); err != nil {
			return err
		}
		var failures, start, locked int64
		if err := tx.QueryRowContext(ctx, "SELECT failures, window_start, locked_until FROM login_failures WHERE subject = $1"+s.forUpdate(), subject).
			Scan(&failures, &start, &locked); err != nil {
			return err
		}
		if fromMicros(start).Add(window).Before(now) {
			failures, start = 0, micros(now)
		}
		failures++
		if failures >= int64(limit) {
			locked = micros(now.Add(lockout))
		}
		_, err := tx.ExecContext(ctx, "UPDATE login_failures SET failures = $2, window_start = $3, locked_until = $4 WHERE subject = $1",
			subject, failures, start, locked)
		return err
	})
}

// ResetLoginFailures forgets the failures of subject after a good login.
func (s *Store) ResetLoginFailures(ctx context.Context, subject string) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE subject = $1", subject)
		return err
	})
}

// DeleteStaleLoginFailures forgets subjects whose window and lock have both
// ended, so guessed emails do not pile up.
func (s *Store) DeleteStaleLoginFailures(ctx context.Context, window time.Duration, now time.Time) (int64, error) {
	var n int64
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE window_start < $1 AND locked_until < $2",
			micros(now.Add(-window)), micros(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
