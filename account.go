package salesmania

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Database is one company's workspace: a tenant. Every row of data belongs to
// exactly one database, identified by its ID (db_id).
type Database struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate cleans and checks a new database.
func (d *Database) Validate() error {
	var p Problems
	d.Name = CleanString(d.Name)
	checkLength(&p, "name", d.Name, 1, 200)
	return p.Err()
}

// User is a login. PasswordHash is an encoded argon2id hash (see package auth)
// and never leaves the server: it has no JSON name.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// NormalizeEmail returns the form in which emails are stored and looked up:
// trimmed and lower-cased.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Password length limits. The upper bound keeps hashing cost bounded.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 1024
)

// ValidateNewUser checks the email and password of a user to be created and
// returns the normalized email.
func ValidateNewUser(email, password string) (string, error) {
	var p Problems
	email = NormalizeEmail(email)
	if email == "" {
		p.Add("email", "is required")
	} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email || utf8.RuneCountInString(email) > 254 {
		p.Add("email", "must be a plain email address such as name@example.com")
	}
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		p.Add("password", "must be at least "+itoa(MinPasswordLength)+" characters")
	} else if n > MaxPasswordLength {
		p.Add("password", "must be at most "+itoa(MaxPasswordLength)+" characters")
	}
	return email, p.Err()
}

// Membership places a user in a database: in one team, with a role.
type Membership struct {
	DBID      int64     `json:"db_id"`
	UserID    int64     `json:"user_id"`
	TeamID    int64     `json:"team_id"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a membership to be added.
func (m *Membership) Validate() error {
	var p Problems
	if m.UserID <= 0 {
		p.Add("user_id", "must be a positive integer")
	}
	if m.TeamID <= 0 {
		p.Add("team_id", "must be a positive integer")
	}
	if m.Role == "" {
		m.Role = RoleMember
	}
	if !m.Role.Valid() {
		p.Add("role", `must be "admin" or "member"`)
	}
	return p.Err()
}

// UserDatabase is one entry of GET /extapi/v1.0/databases: a database the
// user is a member of, with the user's team and role in it.
type UserDatabase struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	TeamID   int64  `json:"team_id"`
	TeamName string `json:"team_name"`
	Role     Role   `json:"role"`
}

// TokenOwner is what a bearer token proves: its user and, when the lookup
// named a database, the user's membership in it (Member false when there is
// none).
type TokenOwner struct {
	UserID    int64
	ExpiresAt time.Time
	Member    bool
	TeamID    int64
	Role      Role
}

// ConsoleSession is a browser signed in to the manager's console: its user,
// the database chosen (0 until the user picks one) and, as the store found
// it, the user's membership there now, so a member removed or moved to
// another team sees that at once.
type ConsoleSession struct {
	DBID       int64
	UserID     int64
	Email      string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Member reports whether the user is a member of DBID now; TeamID and
	// Role are that membership's.
	Member bool
	TeamID int64
	Role   Role
}

// Principal returns who the session acts as in its database, exactly as a
// team token of the same membership would (ok false when it is no
// member's).
func (s *ConsoleSession) Principal() (p Principal, ok bool) {
	if s.DBID == 0 || !s.Member {
		return Principal{}, false
	}
	return Principal{UserID: s.UserID, DBID: s.DBID, TeamID: s.TeamID, Role: s.Role}, true
}
