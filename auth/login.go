package auth

import (
	"context"
	"math"
	"time"

	"github.com/salesmania/salesmania"
)

// The login throttle of §9: five failed logins for one email within 15
// minutes lock that email's logins for 15 minutes; per client address the
// limit is 100, so an office behind one address is not locked out by one
// person.
const (
	MaxLoginFailuresPerEmail = 5
	MaxLoginFailuresPerAddr  = 100
	LoginWindow              = 15 * time.Minute
)

// LoginStore is what Login needs of the store; salesmania.AccountStore has
// it. The failures it counts live in the database, so every server process
// sees them.
type LoginStore interface {
	FindUserByEmail(ctx context.Context, email string) (*salesmania.User, error)
	LoginLockedUntil(ctx context.Context, subjects []string, now time.Time) (time.Time, error)
	RecordLoginFailure(ctx context.Context, subject string, limit int, window, lockout time.Duration, now time.Time) error
	ResetLoginFailures(ctx context.Context, subject string) error
}

// ErrBadLogin is Login's answer to a wrong email or password: the same for
// both, so the answer does not tell which emails exist.
var ErrBadLogin = &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Message: "The email or password is wrong."}

// Login checks an email and password from the client address addr with
// the throttle of §9, and returns the user. It is the one login of the
// server: the API's HTTP Basic login and the console's sign-in form both
// use it, so they share the lockout.
//
// A locked email or address is ERATELIMIT with RetryAfter, whatever the
// password; a wrong email or password is ErrBadLogin after the work of one
// password check either way, and counts a failure for the email and for
// the address. A good login forgets the email's failures. Callers bound
// how many Logins run at once: each password check takes 19 MiB.
func Login(ctx context.Context, s LoginStore, email, password, addr string, now time.Time) (*salesmania.User, error) {
	email = salesmania.NormalizeEmail(email)
	if len(email) > 254 || len(password) > 4*salesmania.MaxPasswordLength {
		return nil, ErrBadLogin
	}
	emailSubject, addrSubject := "email:"+email, "addr:"+addr
	until, err := s.LoginLockedUntil(ctx, []string{emailSubject, addrSubject}, now)
	if err != nil {
		return nil, err
	}
	if until.After(now) {
		return nil, &salesmania.Error{Code: salesmania.ERATELIMIT, RetryAfter: int(math.Ceil(until.Sub(now).Seconds())),
			Message: "Too many failed logins; try again later."}
	}
	user, err := s.FindUserByEmail(ctx, email)
	match := false
	if salesmania.ErrorCode(err) == salesmania.ENOTFOUND {
		WastePasswordCheck(password)
	} else if err != nil {
		return nil, err
	} else if match, err = CheckPassword(user.PasswordHash, password); err != nil {
		return nil, err
	}
	if !match {
		for _, f := range []struct {
			subject string
			limit   int
		}{{emailSubject, MaxLoginFailuresPerEmail}, {addrSubject, MaxLoginFailuresPerAddr}} {
			if err := s.RecordLoginFailure(ctx, f.subject, f.limit, LoginWindow, LoginWindow, now); err != nil {
				return nil, err
			}
		}
		return nil, ErrBadLogin
	}
	if err := s.ResetLoginFailures(ctx, emailSubject); err != nil {
		return nil, err
	}
	return user, nil
}
