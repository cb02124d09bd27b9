package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
)

// BearerTokenBytes is the entropy of a bearer token: 256 bits.
const BearerTokenBytes = 32

// NewBearerToken returns a fresh random bearer token (43 characters of
// base64url) and the hash under which it is stored. The token itself is
// never stored.
func NewBearerToken() (token string, hash []byte, err error) {
	b := make([]byte, BearerTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashBearerToken(token), nil
}

// HashBearerToken returns the SHA-256 of a bearer token: the key under which
// it is stored. A fast hash is enough because the token is 256 random bits,
// not a guessable password.
func HashBearerToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ValidBearerTokenShape reports whether s could be a token made by
// NewBearerToken, so garbage is refused without a database lookup.
func ValidBearerTokenShape(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewSecret returns 32 random bytes, the size of the team-token key.
func NewSecret() ([]byte, error) {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	return b, err
}

// TeamToken is what a team token says: a database and a team of it.
type TeamToken struct {
	DBID   int64 `json:"db_id"`
	TeamID int64 `json:"team_id"`
}

// TeamTokenSigner makes and checks team tokens with one HMAC-SHA256 key.
//
// A team token has the published shape base64url(payload) "." base64url(sig),
// unpadded, where payload is the JSON {"db_id":…,"team_id":…} and sig is the
// HMAC-SHA256 of the encoded payload (the text before the dot) under the key.
//
// Verify remembers the tokens it accepted (up to maxVerifiedTeamTokens), so a
// phone sending its team token on every request costs one map lookup after
// the first: a team token never expires, and only the key decides it.
type TeamTokenSigner struct {
	key []byte

	mu       sync.RWMutex
	verified map[string]TeamToken
}

// maxVerifiedTeamTokens bounds the memory of accepted tokens; when full it
// starts again empty.
const maxVerifiedTeamTokens = 10_000

// NewTeamTokenSigner returns a signer for key, which must be at least 32
// bytes.
func NewTeamTokenSigner(key []byte) (*TeamTokenSigner, error) {
	if len(key) < 32 {
		return nil, errors.New("auth: team token key shorter than 32 bytes")
	}
	return &TeamTokenSigner{key: append([]byte(nil), key...), verified: map[string]TeamToken{}}, nil
}

// Sign returns the team token for t.
func (s *TeamTokenSigner) Sign(t TeamToken) string {
	payload := `{"db_id":` + strconv.FormatInt(t.DBID, 10) + `,"team_id":` + strconv.FormatInt(t.TeamID, 10) + `}`
	enc := base64.RawURLEncoding.EncodeToString([]byte(payload))
	return enc + "." + base64.RawURLEncoding.EncodeToString(s.mac(enc))
}

func (s *TeamTokenSigner) mac(encodedPayload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(encodedPayload))
	return m.Sum(nil)
}

// ErrBadTeamToken is returned by Verify for any token it did not sign.
var ErrBadTeamToken = errors.New("auth: invalid team token")

// MaxTeamTokenLength bounds the input Verify looks at.
const MaxTeamTokenLength = 256

// Verify checks the signature of a team token and returns what it says. Any
// malformed, tampered or foreign token gives ErrBadTeamToken.
func (s *TeamTokenSigner) Verify(token string) (TeamToken, error) {
	if len(token) > MaxTeamTokenLength {
		return TeamToken{}, ErrBadTeamToken
	}
	s.mu.RLock()
	t, ok := s.verified[token]
	s.mu.RUnlock()
	if ok {
		return t, nil
	}
	t, err := s.verify(token)
	if err != nil {
		return TeamToken{}, err
	}
	s.mu.Lock()
	if len(s.verified) >= maxVerifiedTeamTokens {
		clear(s.verified)
	}
	s.verified[token] = t
	s.mu.Unlock()
	return t, nil
}

// verify is Verify without the memory of accepted tokens.
func (s *TeamTokenSigner) verify(token string) (TeamToken, error) {
	// Only the base64url alphabet and the dot: Go's base64 decoder skips
	// CR and LF even in strict mode, which would let many texts carry one
	// signature.
	for i := 0; i < len(token); i++ {
		if c := token[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return TeamToken{}, ErrBadTeamToken
		}
	}
	enc, sigText, ok := strings.Cut(token, ".")
	if !ok || enc == "" {
		return TeamToken{}, ErrBadTeamToken
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(sigText)
	if err != nil || !hmac.Equal(sig, s.mac(enc)) {
		return TeamToken{}, ErrBadTeamToken
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil {
		return TeamToken{}, ErrBadTeamToken
	}
	var t TeamToken
	if err := json.Unmarshal(payload, &t); err != nil || t.DBID <= 0 || t.TeamID <= 0 {
		return TeamToken{}, ErrBadTeamToken
	}
	return t, nil
}
