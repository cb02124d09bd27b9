package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
)

// CookieName is the name of the session cookie.
const CookieName = "salesmania_console"

// secretBytes is the size of a session's random secret: 256 bits.
const secretBytes = 32

// session is a signed-in request's session: the store's record, the hash
// that finds it and the CSRF token its forms carry.
type session struct {
	*salesmania.ConsoleSession
	hash []byte
	csrf string
	// Principal is who the pages act as; zero until a database is chosen.
	Principal salesmania.Principal
}

// CSRF returns the token every state-changing request of the session must
// carry (the csrf form field or the X-CSRF-Token header).
func (s *session) CSRF() string { return s.csrf }

// cookieValue is "<db_id>.<secret>": the database names the row, so a
// session is found by its whole key.
func cookieValue(dbID int64, secret []byte) string {
	return strconv.FormatInt(dbID, 10) + "." + base64.RawURLEncoding.EncodeToString(secret)
}

// parseCookie reads a cookie value; ok false for anything Set-Cookie did
// not write.
func parseCookie(v string) (dbID int64, secret []byte, ok bool) {
	db, s, found := strings.Cut(v, ".")
	if !found || len(db) == 0 || len(db) > 19 || len(s) != base64.RawURLEncoding.EncodedLen(secretBytes) {
		return 0, nil, false
	}
	id, err := strconv.ParseInt(db, 10, 64)
	if err != nil || id < 0 || strconv.FormatInt(id, 10) != db {
		return 0, nil, false
	}
	secret, err = base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(secret) != secretBytes {
		return 0, nil, false
	}
	return id, secret, true
}

func hashSecret(secret []byte) []byte {
	h := sha256.Sum256(secret)
	return h[:]
}

// csrfToken is derived from the session's secret, which only the browser
// and the server hold (the database has only its hash): a page of another
// site can neither read it nor compute it.
func csrfToken(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("salesmania console csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// secure reports whether the browser's request came over TLS: directly,
// or through a proxy the server was told to trust.
func (c *Console) secure(r *http.Request) bool {
	return r.TLS != nil || (c.trustProto && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https"))
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure(r), SameSite: http.SameSiteLaxMode})
}

// startSession stores a new session of the user for database dbID (0:
// not chosen yet) and sets its cookie.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, dbID, userID int64) error {
	secret := make([]byte, secretBytes)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	if err := c.store.CreateConsoleSession(r.Context(), dbID, hashSecret(secret), userID, c.now()); err != nil {
		return err
	}
	c.setCookie(w, r, cookieValue(dbID, secret), 0)
	return nil
}

// endSession deletes the request's session, if any, and its cookie.
func (c *Console) endSession(w http.ResponseWriter, r *http.Request, s *session) error {
	c.setCookie(w, r, "", -1)
	if s == nil {
		return nil
	}
	return c.store.DeleteConsoleSession(r.Context(), s.DBID, s.hash)
}

// loadSession returns the request's session, or nil when it has none that
// is valid: no cookie, an unknown or idle one (12 h), or one whose user is
// no longer a member of its database. A session in use is marked so at
// most once a minute.
func (c *Console) loadSession(r *http.Request) (*session, error) {
	ck, err := r.Cookie(CookieName)
	if err != nil {
		return nil, nil
	}
	dbID, secret, ok := parseCookie(ck.Value)
	if !ok {
		return nil, nil
	}
	hash := hashSecret(secret)
	cs, err := c.store.FindConsoleSession(r.Context(), dbID, hash)
	if salesmania.ErrorCode(err) == salesmania.EUNAUTHENTICATED {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	now := c.now()
	if now.Sub(cs.LastSeenAt) > IdleTimeout {
		return nil, c.store.DeleteConsoleSession(r.Context(), dbID, hash)
	}
	s := &session{ConsoleSession: cs, hash: hash, csrf: csrfToken(secret)}
	if dbID != 0 {
		p, ok := cs.Principal()
		if !ok {
			// No longer a member: the session ends.
			return nil, c.store.DeleteConsoleSession(r.Context(), dbID, hash)
		}
		s.Principal = p
	}
	if now.Sub(cs.LastSeenAt) >= touchEvery {
		if err := c.store.TouchConsoleSession(r.Context(), dbID, hash, now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkCSRF refuses a state-changing request without the session's token.
func checkCSRF(r *http.Request, s *session) error {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
		return salesmania.Errorf(salesmania.EFORBIDDEN, "This form is out of date or was not sent by the console (its CSRF token is missing or wrong); reload the page and try again.")
	}
	return nil
}

type sessionKey struct{}

func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// signedIn lets only requests with a session through (a database chosen
// or not), and checks the CSRF token of every state-changing one. Others
// are sent to the sign-in page (a fetch gets 401).
func (c *Console) signedIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.loadSession(r)
		if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		if s == nil {
			if r.Method == http.MethodGet && !wantsJSON(r) {
				redirect(w, r, "/?next="+url.QueryEscape(r.URL.RequestURI()))
				return
			}
			c.fail(w, r, nil, salesmania.Errorf(salesmania.EUNAUTHENTICATED, "You are signed out; sign in again."))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := checkCSRF(r, s); err != nil {
				c.fail(w, r, s, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// member is signedIn for the pages of a database: a session without one
// is sent to choose one.
// handlerFunc is a console page or call of a database's data; an error it
// returns is answered as a page (or JSON) of its kind.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session) error

func (c *Console) member(h handlerFunc) http.Handler {
	return c.signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessionFrom(r.Context())
		if s.DBID == 0 {
			if r.Method == http.MethodGet && !wantsJSON(r) {
				redirect(w, r, "/console/databases")
				return
			}
			c.fail(w, r, s, salesmania.Errorf(salesmania.EFORBIDDEN, "Choose a database first."))
			return
		}
		if err := h(w, r, s); err != nil {
			c.fail(w, r, s, err)
		}
	}))
}
