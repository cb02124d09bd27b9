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
		err := s.read.QueryRowContext(ctx, "SELECT locked_until FROM login_failures WHERE subject = $1", subj).Scan(&locked)
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
	return s.inWriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var failures, start int64
		err := tx.QueryRowContext(ctx, "SELECT failures, window_start FROM login_failures WHERE subject = $1"+s.forUpdate(), subject).Scan(&failures, &start)
		if err == sql.ErrNoRows || err == nil && fromMicros(start).Add(window).Before(now) {
			failures, start = 0, micros(now)
		} else if err != nil {
			return err
		}
		failures++
		var locked int64
		if failures >= int64(limit) {
			locked = micros(now.Add(lockout))
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_failures (subject, failures, window_start, locked_until) VALUES ($1, $2, $3, $4)
			ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
				locked_until = CASE WHEN excluded.locked_until > 0 THEN excluded.locked_until ELSE login_failures.locked_until END`,
			subject, failures, start, locked)
		return err
	})
}

// ResetLoginFailures forgets the failures of subject after a good login.
func (s *Store) ResetLoginFailures(ctx context.Context, subject string) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM login_failures WHERE subject = $1", subject)
		return err
	})
}
