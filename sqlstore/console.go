package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/salesmania/salesmania"
)

// CreateConsoleSession stores a new console session.
func (s *Store) CreateConsoleSession(ctx context.Context, dbID int64, hash []byte, userID int64, now time.Time) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO console_sessions (db_id, hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
			dbID, hash, userID, micros(now))
		return err
	})
}

// FindConsoleSession returns a console session with its user's email and
// current membership in the session's database, in one query.
func (s *Store) FindConsoleSession(ctx context.Context, dbID int64, hash []byte) (*salesmania.ConsoleSession, error) {
	cs := salesmania.ConsoleSession{DBID: dbID}
	var created, seen int64
	var teamID sql.NullInt64
	var role sql.NullString
	err := s.r.QueryRowContext(ctx, `
		SELECT c.user_id, u.email, c.created_at, c.last_seen_at, m.team_id, m.role
		FROM console_sessions c
		JOIN users u ON u.id = c.user_id
		LEFT JOIN memberships m ON m.db_id = c.db_id AND m.user_id = c.user_id
		WHERE c.db_id = $1 AND c.hash = $2`, dbID, hash).Scan(&cs.UserID, &cs.Email, &created, &seen, &teamID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, salesmania.Errorf(salesmania.EUNAUTHENTICATED, "The session has ended; sign in again.")
	} else if err != nil {
		return nil, s.wrap(err)
	}
	cs.CreatedAt, cs.LastSeenAt = fromMicros(created), fromMicros(seen)
	if teamID.Valid {
		cs.Member, cs.TeamID, cs.Role = true, teamID.Int64, salesmania.Role(role.String)
	}
	return &cs, nil
}

// TouchConsoleSession moves a session's last use to now.
func (s *Store) TouchConsoleSession(ctx context.Context, dbID int64, hash []byte, now time.Time) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "UPDATE console_sessions SET last_seen_at = $3 WHERE db_id = $1 AND hash = $2 AND last_seen_at < $3",
			dbID, hash, micros(now))
		return err
	})
}

// DeleteConsoleSession ends a console session.
func (s *Store) DeleteConsoleSession(ctx context.Context, dbID int64, hash []byte) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM console_sessions WHERE db_id = $1 AND hash = $2", dbID, hash)
		return err
	})
}

// DeleteIdleConsoleSessions deletes the console sessions last used before
// idleSince, which the console refuses anyway, and returns how many went.
func (s *Store) DeleteIdleConsoleSessions(ctx context.Context, idleSince time.Time) (int64, error) {
	var n int64
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM console_sessions WHERE last_seen_at < $1", micros(idleSince))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
