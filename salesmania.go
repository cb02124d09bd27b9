// Package salesmania is the domain of the salesmania server: the types of
// SalesMania's external API (databases, teams, users, and later customers,
// products, visits and orders), their validation rules, the error vocabulary,
// and the Store interface that the storage packages implement.
//
// The package does no I/O. HTTP lives in httpapi, SQL in sqlstore, password
// hashing and token signing in auth.
package salesmania

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a user's role in one database.
type Role string

// The roles of a member. An admin may act for any team of the database; a
// member only for its own team.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember }

// Principal is who a data request acts as: a user, in one database, as one
// team of it, with a role. The HTTP layer builds it from the bearer token and
// the team token after checking the membership.
type Principal struct {
	UserID int64
	DBID   int64
	TeamID int64
	Role   Role
}

type principalKey struct{}

// NewContextWithPrincipal returns a copy of ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal stored in ctx, if any.
func PrincipalFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Now returns the current time in UTC truncated to microseconds, the
// precision both stores keep, so a value read back equals the value written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// CleanString trims surrounding whitespace, as the contract asks for every
// string field.
func CleanString(s string) string { return strings.TrimSpace(s) }

// checkLength adds a problem when s (already trimmed) is shorter than min or
// longer than max Unicode characters. min 1 means required.
func checkLength(p *Problems, field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		p.Add(field, "must be valid UTF-8")
	case strings.ContainsRune(s, 0):
		p.Add(field, "must not contain the NUL character")
	case min > 0 && n == 0:
		p.Add(field, "is required")
	case n < min:
		p.Add(field, "must be at least "+itoa(min)+" characters")
	case n > max:
		p.Add(field, "must be at most "+itoa(max)+" characters")
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// sortedKeys returns the keys of m in order, so messages list fields the
// same way every time.
func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortFields orders field errors by field name.
func sortFields(f []FieldError) {
	slices.SortStableFunc(f, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
}
