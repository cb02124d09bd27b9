package console

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
)

type signInData struct {
	Email string
	Next  string
}

// handleHome is GET / and /console/: the sign-in form, or for a signed-in
// browser its day.
func (c *Console) handleHome() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := c.loadSession(r)
		if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		if s != nil {
			if s.DBID == 0 {
				redirect(w, r, "/console/databases")
			} else {
				redirect(w, r, "/console/today")
			}
			return
		}
		c.render(w, r, http.StatusOK, "signin", &page{Title: "Sign in", Data: signInData{Next: localNext(r.URL.Query().Get("next"))}})
	})
}

// localNext keeps a "next" target only when it is a page of the console,
// so the sign-in form cannot be made to send anyone elsewhere.
func localNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.ContainsAny(next, "\\\r\n") && !strings.HasPrefix(next, "/console//") {
		return next
	}
	return ""
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleSignIn checks the email and password with the API's own login and
// its lockout, and starts a session: in the user's database when it has
// one, else without, to choose one.
func (c *Console) handleSignIn() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email, password := r.PostFormValue("email"), r.PostFormValue("password")
		data := signInData{Email: strings.TrimSpace(email), Next: localNext(r.PostFormValue("next"))}
		if email == "" || password == "" {
			c.render(w, r, http.StatusUnprocessableEntity, "signin", &page{Title: "Sign in", Data: data,
				Message: "Enter your email and password."})
			return
		}
		select {
		case c.loginSlots <- struct{}{}:
			defer func() { <-c.loginSlots }()
		case <-r.Context().Done():
			return
		}
		user, err := auth.Login(r.Context(), c.store, email, password, clientAddr(r), c.now())
		if code := salesmania.ErrorCode(err); code == salesmania.EUNAUTHENTICATED || code == salesmania.ERATELIMIT {
			status := http.StatusUnauthorized
			if code == salesmania.ERATELIMIT {
				status = http.StatusTooManyRequests
				w.Header().Set("Retry-After", strconv.Itoa(err.(*salesmania.Error).RetryAfter))
			}
			c.render(w, r, status, "signin", &page{Title: "Sign in", Data: data, Message: salesmania.ErrorMessage(err)})
			return
		} else if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		dbs, err := c.store.ListUserDatabases(r.Context(), user.ID)
		if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		if len(dbs) == 0 {
			c.render(w, r, http.StatusForbidden, "signin", &page{Title: "Sign in", Data: data,
				Message: "You are not a member of any database; ask its admin to add you."})
			return
		}
		var dbID int64
		if len(dbs) == 1 {
			dbID = dbs[0].ID
		}
		if err := c.startSession(w, r, dbID, user.ID); err != nil {
			c.fail(w, r, nil, err)
			return
		}
		switch {
		case dbID == 0:
			redirect(w, r, "/console/databases")
		case data.Next != "":
			redirect(w, r, data.Next)
		default:
			redirect(w, r, "/console/today")
		}
	})
}

// handleSignOut ends the session.
func (c *Console) handleSignOut() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := c.endSession(w, r, sessionFrom(r.Context())); err != nil {
			c.fail(w, r, nil, err)
			return
		}
		redirect(w, r, "/")
	})
}

// handleDatabases lists the user's databases to choose from.
func (c *Console) handleDatabases() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessionFrom(r.Context())
		dbs, err := c.store.ListUserDatabases(r.Context(), s.UserID)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		c.render(w, r, http.StatusOK, "databases", &page{Title: "Choose a database", Session: s, Data: dbs})
	})
}

// handlePickDatabase moves the user to the database chosen: the old
// session ends and a new one, with a new secret, begins there.
func (c *Console) handlePickDatabase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessionFrom(r.Context())
		id, err := strconv.ParseInt(r.PostFormValue("db_id"), 10, 64)
		dbs, lerr := c.store.ListUserDatabases(r.Context(), s.UserID)
		if lerr != nil {
			c.fail(w, r, s, lerr)
			return
		}
		member := false
		for _, d := range dbs {
			member = member || (err == nil && d.ID == id)
		}
		if !member {
			c.fail(w, r, s, &salesmania.Error{Code: salesmania.ENOTFOUND, Message: "You are not a member of that database.",
				Fields: []salesmania.FieldError{{Field: "db_id", Message: "is not a database of yours"}}})
			return
		}
		if err := c.store.DeleteConsoleSession(r.Context(), s.DBID, s.hash); err != nil {
			c.fail(w, r, s, err)
			return
		}
		if err := c.startSession(w, r, id, s.UserID); err != nil {
			c.fail(w, r, nil, err)
			return
		}
		redirect(w, r, "/console/today")
	})
}
