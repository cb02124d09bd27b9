package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/salesmania/salesmania"
)

// CreateDatabase stores a new database and sets its ID and CreatedAt.
func (s *Store) CreateDatabase(ctx context.Context, d *salesmania.Database) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d.CreatedAt = salesmania.Now()
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		id, err := s.nextID(ctx, tx, "databases")
		if err != nil {
			return err
		}
		d.ID = id
		_, err = tx.ExecContext(ctx, "INSERT INTO databases (db_id, name, created_at) VALUES ($1, $2, $3)",
			d.ID, d.Name, micros(d.CreatedAt))
		return err
	})
}

// FindDatabase returns one database; ENOTFOUND if there is none with that id.
func (s *Store) FindDatabase(ctx context.Context, dbID int64) (*salesmania.Database, error) {
	d := salesmania.Database{ID: dbID}
	var created int64
	err := s.r.QueryRowContext(ctx, "SELECT name, created_at FROM databases WHERE db_id = $1", dbID).Scan(&d.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, salesmania.Errorf(salesmania.ENOTFOUND, "Database %d not found.", dbID)
	} else if err != nil {
		return nil, s.wrap(err)
	}
	d.CreatedAt = fromMicros(created)
	return &d, nil
}

// CreateUser stores a new user and sets its ID and CreatedAt; ECONFLICT if
// the email is taken.
func (s *Store) CreateUser(ctx context.Context, u *salesmania.User) error {
	if u.Email == "" || u.Email != salesmania.NormalizeEmail(u.Email) {
		return &salesmania.Error{Code: salesmania.EINVALID, Message: "1 field is invalid",
			Fields: []salesmania.FieldError{{Field: "email", Message: "must be normalized (trimmed, lower case)"}}}
	}
	if u.PasswordHash == "" {
		return salesmania.Errorf(salesmania.EINTERNAL, "user without password hash")
	}
	u.CreatedAt = salesmania.Now()
	taken := salesmania.Errorf(salesmania.ECONFLICT, "A user with email %s exists already.", u.Email)
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = $1", u.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return taken
		}
		id, err := s.nextID(ctx, tx, "users")
		if err != nil {
			return err
		}
		u.ID = id
		_, err = tx.ExecContext(ctx, "INSERT INTO users (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)",
			u.ID, u.Email, u.PasswordHash, micros(u.CreatedAt))
		return err
	})
	// On PostgreSQL two transactions can both find the email free; the
	// unique index then stops the later one.
	if errors.Is(err, errUnique) {
		return taken
	}
	return err
}

// FindUserByEmail returns the user with that normalized email, with its
// password hash; ENOTFOUND if there is none.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*salesmania.User, error) {
	u := salesmania.User{Email: email}
	var created int64
	err := s.r.QueryRowContext(ctx, "SELECT id, password_hash, created_at FROM users WHERE email = $1", email).
		Scan(&u.ID, &u.PasswordHash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, salesmania.Errorf(salesmania.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, s.wrap(err)
	}
	u.CreatedAt = fromMicros(created)
	return &u, nil
}

// PutMember adds the user to the database or changes its team and role.
func (s *Store) PutMember(ctx context.Context, m *salesmania.Membership) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now := salesmania.Now()
	return s.inAuthWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := s.checkDatabase(ctx, tx, m.DBID); err != nil {
			return err
		}
		var p salesmania.Problems
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE id = $1", m.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			p.Add("user_id", "no such user")
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM teams WHERE db_id = $1 AND id = $2", m.DBID, m.TeamID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			p.Add("team_id", "is not a team of this database")
		}
		if err := p.Err(); err != nil {
			return err
		}
		var created int64
		err := tx.QueryRowContext(ctx, `
			INSERT INTO memberships (db_id, user_id, team_id, role, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (db_id, user_id) DO UPDATE SET team_id = excluded.team_id, role = excluded.role, updated_at = excluded.updated_at
			RETURNING created_at`, m.DBID, m.UserID, m.TeamID, string(m.Role), micros(now)).Scan(&created)
		if err != nil {
			return err
		}
		m.CreatedAt, m.UpdatedAt = fromMicros(created), now
		return nil
	})
}

func (s *Store) checkDatabase(ctx context.Context, tx *txn, dbID int64) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM databases WHERE db_id = $1", dbID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return salesmania.Errorf(salesmania.ENOTFOUND, "Database %d not found.", dbID)
	}
	return nil
}

// RemoveMember takes the user out of the database; ENOTFOUND if it was not a
// member of it.
func (s *Store) RemoveMember(ctx context.Context, dbID, userID int64) error {
	return s.inAuthWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM memberships WHERE db_id = $1 AND user_id = $2", dbID, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return salesmania.Errorf(salesmania.ENOTFOUND, "User %d is not a member of database %d.", userID, dbID)
		}
		return nil
	})
}

// ListUserDatabases returns the databases the user is a member of.
func (s *Store) ListUserDatabases(ctx context.Context, userID int64) ([]salesmania.UserDatabase, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT d.db_id, d.name, t.id, t.name, m.role
		FROM memberships m
		JOIN databases d ON d.db_id = m.db_id
		JOIN teams t ON t.db_id = m.db_id AND t.id = m.team_id
		WHERE m.user_id = $1
		ORDER BY d.db_id`, userID)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := []salesmania.UserDatabase{}
	for rows.Next() {
		var d salesmania.UserDatabase
		var role string
		if err := rows.Scan(&d.ID, &d.Name, &d.TeamID, &d.TeamName, &role); err != nil {
			return nil, s.wrap(err)
		}
		d.Role = salesmania.Role(role)
		out = append(out, d)
	}
	return out, s.wrap(rows.Err())
}

// CreateToken stores a bearer token hash and deletes the user's expired
// tokens.
func (s *Store) CreateToken(ctx context.Context, userID int64, tokenHash []byte, expiresAt time.Time) error {
	now := salesmania.Now()
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE user_id = $1 AND expires_at <= $2", userID, micros(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
			tokenHash, userID, micros(now), micros(expiresAt))
		return err
	})
}

// FindTokenOwner looks a bearer token up, with the owner's membership in
// dbID, in one query.
func (s *Store) FindTokenOwner(ctx context.Context, tokenHash []byte, dbID int64, now time.Time) (*salesmania.TokenOwner, error) {
	if err := s.freshAuth(ctx); err != nil {
		return nil, err
	}
	key := authKey{hash: string(tokenHash), dbID: dbID}
	o, ok, gen := s.auth.get(key)
	if ok {
		if !now.Before(o.ExpiresAt) {
			return nil, &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Message: "The bearer token is invalid, expired or revoked.", Challenge: "Bearer"}
		}
		return &o, nil
	}
	var expires int64
	var teamID sql.NullInt64
	var role sql.NullString
	err := s.r.QueryRowContext(ctx, `
		SELECT t.user_id, t.expires_at, m.team_id, m.role
		FROM tokens t
		LEFT JOIN memberships m ON m.db_id = $2 AND m.user_id = t.user_id
		WHERE t.hash = $1`, tokenHash, dbID).Scan(&o.UserID, &expires, &teamID, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Message: "The bearer token is invalid, expired or revoked.", Challenge: "Bearer"}
	} else if err != nil {
		return nil, s.wrap(err)
	}
	o.ExpiresAt = fromMicros(expires)
	if !now.Before(o.ExpiresAt) {
		return nil, &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Message: "The bearer token is invalid, expired or revoked.", Challenge: "Bearer"}
	}
	if teamID.Valid {
		o.Member, o.TeamID, o.Role = true, teamID.Int64, salesmania.Role(role.String)
	}
	s.auth.put(key, o, gen)
	return &o, nil
}

// RevokeToken deletes a bearer token.
func (s *Store) RevokeToken(ctx context.Context, tokenHash []byte) error {
	return s.inAuthWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM tokens WHERE hash = $1", tokenHash)
		return err
	})
}

// Secret returns the named server secret, creating it on first use. Two
// processes racing to create it agree on the one stored first.
func (s *Store) Secret(ctx context.Context, name string, newSecret func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&v)
	if err == nil {
		return v, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, s.wrap(err)
	}
	fresh, err := newSecret()
	if err != nil {
		return nil, err
	}
	err = s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = $1", name).Scan(&v)
	})
	return v, err
}
