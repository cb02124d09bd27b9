package httpapi

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
)

type bearerKey struct{}

// bearerCaller is what the bearer middleware proves: the token's hash and
// its owner.
type bearerCaller struct {
	tokenHash []byte
	owner     *salesmania.TokenOwner
}

func callerFrom(ctx context.Context) bearerCaller {
	c, _ := ctx.Value(bearerKey{}).(bearerCaller)
	return c
}

func unauthenticated(msg string) error {
	return &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Message: msg, Challenge: "Bearer"}
}

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", unauthenticated("A bearer token is required: send Authorization: Bearer <token> from GET /extapi/v1.0/token.")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", unauthenticated("The Authorization header must be: Bearer <token>.")
	}
	token = strings.TrimSpace(token)
	if !auth.ValidBearerTokenShape(token) {
		return "", unauthenticated("The bearer token is invalid, expired or revoked.")
	}
	return token, nil
}

// teamToken returns the team token of the request, from the team_token query
// parameter or the X-Team-Token header; "" if neither is given.
func teamToken(r *http.Request) (string, error) {
	q := r.URL.Query()["team_token"]
	h := r.Header.Values("X-Team-Token")
	if len(q) > 1 || len(h) > 1 || (len(q) == 1 && len(h) == 1 && q[0] != h[0]) {
		p := salesmania.Problems{Code: salesmania.EBADREQUEST}
		p.Add("team_token", "give one team token, as the team_token parameter or the X-Team-Token header")
		return "", p.Err()
	}
	if len(q) == 1 {
		return q[0], nil
	}
	if len(h) == 1 {
		return h[0], nil
	}
	return "", nil
}

// authenticate wraps a route's handler with the checks its AuthLevel asks
// for. AuthTeam checks, in one store query, that the bearer token is valid
// and that its user is, right now, a member of the team token's database in
// the team the token names.
func (s *Server) authenticate(level AuthLevel, next http.Handler) http.Handler {
	if level == AuthNone || level == AuthBasic {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearerToken(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		hash := auth.HashBearerToken(token)
		var tt auth.TeamToken
		var ttErr error
		if level == AuthTeam {
			ttErr = s.verifyTeamToken(r, &tt)
		}
		owner, err := s.store.FindTokenOwner(r.Context(), hash, tt.DBID, s.now())
		if err != nil {
			s.error(w, r, err)
			return
		}
		logCaller(r.Context(), owner.UserID, 0)
		// The limit is per bearer token, whatever team token comes with it.
		if ok, wait := s.limiter.allow(string(hash), time.Now()); !ok {
			s.error(w, r, &salesmania.Error{Code: salesmania.ERATELIMIT, RetryAfter: int(math.Ceil(wait.Seconds())),
				Message: "Too many requests with this bearer token; slow down."})
			return
		}
		// One user, with however many tokens, holds a bounded share of the
		// server's slots.
		user := strconv.FormatInt(owner.UserID, 10)
		if !s.perUser.acquire(user) {
			s.error(w, r, tooManyInFlight("this user", s.perUser.max))
			return
		}
		defer s.perUser.release(user)
		ctx := context.WithValue(r.Context(), bearerKey{}, bearerCaller{tokenHash: hash, owner: owner})
		if level == AuthTeam {
			if ttErr != nil {
				s.error(w, r, ttErr)
				return
			}
			if !owner.Member {
				s.error(w, r, salesmania.Errorf(salesmania.EFORBIDDEN, "You are not a member of the team token's database."))
				return
			}
			if owner.TeamID != tt.TeamID {
				s.error(w, r, salesmania.Errorf(salesmania.EFORBIDDEN, "Your team in this database changed since the team token was issued; get a new one from GET /extapi/v1.0/team_token."))
				return
			}
			ctx = salesmania.NewContextWithPrincipal(ctx, salesmania.Principal{
				UserID: owner.UserID, DBID: tt.DBID, TeamID: owner.TeamID, Role: owner.Role,
			})
			logCaller(r.Context(), owner.UserID, tt.DBID)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) verifyTeamToken(r *http.Request, tt *auth.TeamToken) error {
	raw, err := teamToken(r)
	if err != nil {
		return err
	}
	if raw == "" {
		return salesmania.Errorf(salesmania.EFORBIDDEN, "A team token is required: pass team_token from GET /extapi/v1.0/team_token.")
	}
	t, err := s.teamTokens.Verify(raw)
	if err != nil {
		return salesmania.Errorf(salesmania.EFORBIDDEN, "The team token is invalid.")
	}
	*tt = t
	return nil
}

// The login throttle of §9, which auth.Login applies.
const (
	MaxLoginFailuresPerEmail = auth.MaxLoginFailuresPerEmail
	MaxLoginFailuresPerAddr  = auth.MaxLoginFailuresPerAddr
	LoginWindow              = auth.LoginWindow
)

// clientAddr is the address the connection comes from. Forwarded headers
// are not trusted: anyone can write them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// handleTokenCreate trades HTTP Basic credentials for a bearer token (§2.1).
// An unknown email and a wrong password get the same answer after the same
// work, so the answer does not tell which emails exist.
func (s *Server) handleTokenCreate() http.Handler {
	type response struct {
		Token     string    `json:"token"`
		TokenType string    `json:"token_type"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	badLogin := &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Message: "The email or password is wrong.", Challenge: "Basic"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := newParams(r).err(); err != nil {
			s.error(w, r, err)
			return
		}
		email, password, ok := r.BasicAuth()
		if !ok {
			s.error(w, r, &salesmania.Error{Code: salesmania.EUNAUTHENTICATED, Challenge: "Basic",
				Message: "HTTP Basic credentials (email and password) are required."})
			return
		}
		select {
		case s.loginSlots <- struct{}{}:
			defer func() { <-s.loginSlots }()
		case <-r.Context().Done():
			return
		}
		user, err := auth.Login(r.Context(), s.store, email, password, clientAddr(r), s.now())
		if salesmania.ErrorCode(err) == salesmania.EUNAUTHENTICATED {
			err = badLogin
		}
		if err != nil {
			s.error(w, r, err)
			return
		}
		logCaller(r.Context(), user.ID, 0)
		token, hash, err := auth.NewBearerToken()
		if err != nil {
			s.error(w, r, err)
			return
		}
		expires := s.now().Add(s.tokenTTL).UTC().Truncate(time.Second)
		if err := s.store.CreateToken(r.Context(), user.ID, hash, expires); err != nil {
			s.error(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusOK, response{Token: token, TokenType: "Bearer", ExpiresAt: expires})
	})
}

// handleTokenRevoke revokes the bearer token that authenticates the request.
func (s *Server) handleTokenRevoke() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := newParams(r).err(); err != nil {
			s.error(w, r, err)
			return
		}
		if err := s.store.RevokeToken(r.Context(), callerFrom(r.Context()).tokenHash); err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, struct{}{})
	})
}

// handleDatabaseList lists the databases the user is a member of (§2.2).
func (s *Server) handleDatabaseList() http.Handler {
	type response struct {
		Data []salesmania.UserDatabase `json:"data"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := newParams(r).err(); err != nil {
			s.error(w, r, err)
			return
		}
		dbs, err := s.store.ListUserDatabases(r.Context(), callerFrom(r.Context()).owner.UserID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, response{Data: dbs})
	})
}

// handleTeamToken issues the team token of the user's team in the database
// given by db_id (§2.3); 403 if the user is not a member of it.
func (s *Server) handleTeamToken() http.Handler {
	type response struct {
		TeamToken string `json:"team_token"`
		DBID      int64  `json:"db_id"`
		TeamID    int64  `json:"team_id"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := newParams(r, "db_id")
		dbID := q.requiredID("db_id")
		if err := q.err(); err != nil {
			s.error(w, r, err)
			return
		}
		c := callerFrom(r.Context())
		owner, err := s.store.FindTokenOwner(r.Context(), c.tokenHash, dbID, s.now())
		if err != nil {
			s.error(w, r, err)
			return
		}
		if !owner.Member {
			s.error(w, r, salesmania.Errorf(salesmania.EFORBIDDEN, "You are not a member of database %d.", dbID))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusOK, response{
			TeamToken: s.teamTokens.Sign(auth.TeamToken{DBID: dbID, TeamID: owner.TeamID}),
			DBID:      dbID,
			TeamID:    owner.TeamID,
		})
	})
}

var errNoPrincipal = errors.New("httpapi: handler of an AuthTeam route without principal")

// principal returns the caller of an AuthTeam route.
func principal(r *http.Request) (salesmania.Principal, error) {
	p, ok := salesmania.PrincipalFromContext(r.Context())
	if !ok {
		return p, errNoPrincipal
	}
	return p, nil
}
