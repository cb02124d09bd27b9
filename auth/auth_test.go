package auth_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/auth"
)

func TestPassword(t *testing.T) {
	h, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not use the OWASP parameters", h)
	}
	t.Run("OK", func(t *testing.T) {
		if ok, err := auth.CheckPassword(h, "correct horse"); err != nil || !ok {
			t.Fatalf("CheckPassword = %v, %v; want true", ok, err)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		if ok, err := auth.CheckPassword(h, "correct horsE"); err != nil || ok {
			t.Fatalf("CheckPassword = %v, %v; want false", ok, err)
		}
	})
	t.Run("SaltIsFresh", func(t *testing.T) {
		h2, _ := auth.HashPassword("correct horse")
		if h2 == h {
			t.Fatal("two hashes of one password are equal")
		}
	})
	t.Run("ErrMalformedHash", func(t *testing.T) {
		for _, bad := range []string{"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
			"$argon2id$v=19$m=0,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA"} {
			if _, err := auth.CheckPassword(bad, "x"); err != auth.ErrMalformedHash {
				t.Errorf("CheckPassword(%q) error = %v; want ErrMalformedHash", bad, err)
			}
		}
	})
}

func TestBearerToken(t *testing.T) {
	tok, hash, err := auth.NewBearerToken()
	if err != nil {
		t.Fatal(err)
	}
	if !auth.ValidBearerTokenShape(tok) {
		t.Fatalf("token %q has not the valid shape", tok)
	}
	if string(auth.HashBearerToken(tok)) != string(hash) {
		t.Fatal("HashBearerToken differs from the hash NewBearerToken returned")
	}
	tok2, _, _ := auth.NewBearerToken()
	if tok2 == tok {
		t.Fatal("two tokens are equal")
	}
	for _, bad := range []string{"", "short", strings.Repeat("a", 42) + "!", strings.Repeat("a", 44)} {
		if auth.ValidBearerTokenShape(bad) {
			t.Errorf("ValidBearerTokenShape(%q) = true", bad)
		}
	}
}

func TestTeamToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	tok := s.Sign(auth.TeamToken{DBID: 2981, TeamID: 24728})
	payload, _, _ := strings.Cut(tok, ".")
	// The published example payload.
	if payload != "eyJkYl9pZCI6Mjk4MSwidGVhbV9pZCI6MjQ3Mjh9" {
		t.Fatalf("payload = %q; want the published shape", payload)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := s.Verify(tok)
		if err != nil || got != (auth.TeamToken{DBID: 2981, TeamID: 24728}) {
			t.Fatalf("Verify = %+v, %v", got, err)
		}
	})
	other, _ := auth.NewTeamTokenSigner([]byte("another key of at least 32 bytes!"))
	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"db_id":1,"team_id":24728}`))
	_, sig, _ := strings.Cut(tok, ".")
	for name, bad := range map[string]string{
		"Empty":         "",
		"NoDot":         payload,
		"OtherKey":      other.Sign(auth.TeamToken{DBID: 2981, TeamID: 24728}),
		"TamperedBody":  forgedPayload + "." + sig,
		"TamperedSig":   payload + "." + sig[:len(sig)-2] + "AA",
		"PaddedSig":     tok + "=",
		"Long":          tok + strings.Repeat("A", 300),
		"ZeroIDs":       zeroIDs(s),
		"NotBase64":     "***." + sig,
		"ExtraDotInSig": tok + ".x",
	} {
		t.Run("ErrBadTeamToken/"+name, func(t *testing.T) {
			if _, err := s.Verify(bad); err != auth.ErrBadTeamToken {
				t.Fatalf("Verify(%q) error = %v; want ErrBadTeamToken", bad, err)
			}
		})
	}
	if _, err := auth.NewTeamTokenSigner([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}

func zeroIDs(s *auth.TeamTokenSigner) string { return s.Sign(auth.TeamToken{}) }

func FuzzTeamTokenVerify(f *testing.F) {
	s, _ := auth.NewTeamTokenSigner([]byte("0123456789abcdef0123456789abcdef"))
	f.Add(s.Sign(auth.TeamToken{DBID: 1, TeamID: 2}))
	f.Add("eyJkYl9pZCI6Mjk4MSwidGVhbV9pZCI6MjQ3Mjh9.LpZ9LEpy123lwzYjzypStjdk123")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		got, err := s.Verify(tok)
		if err == nil && s.Sign(got) != tok {
			t.Fatalf("Verify accepted %q, which is not what Sign makes for %+v", tok, got)
		}
	})
}

// BenchmarkTeamTokenVerify measures a token seen before (remembered) and
// a token's first check (a fresh signer each time, so the HMAC, base64 and
// JSON work is counted).
func BenchmarkTeamTokenVerify(b *testing.B) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, _ := auth.NewTeamTokenSigner(key)
	tok := s.Sign(auth.TeamToken{DBID: 2981, TeamID: 24728})
	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		signers := make([]*auth.TeamTokenSigner, 1024)
		for i := range signers {
			signers[i], _ = auth.NewTeamTokenSigner(key)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := signers[i%len(signers)].Verify(tok + ""); err != nil {
				b.Fatal(err)
			}
			i++
			if i%len(signers) == 0 {
				b.StopTimer()
				for j := range signers {
					signers[j], _ = auth.NewTeamTokenSigner(key)
				}
				b.StartTimer()
			}
		}
	})
}

// A remembered token is still refused after any change to it.
func TestTeamTokenVerifyRemembered(t *testing.T) {
	s, _ := auth.NewTeamTokenSigner([]byte("0123456789abcdef0123456789abcdef"))
	tok := s.Sign(auth.TeamToken{DBID: 7, TeamID: 9})
	for range 2 {
		if got, err := s.Verify(tok); err != nil || got != (auth.TeamToken{DBID: 7, TeamID: 9}) {
			t.Fatalf("Verify = %+v, %v", got, err)
		}
	}
	for _, bad := range []string{tok[:len(tok)-1], tok + "A", "x" + tok, tok[:len(tok)-1] + "\n"} {
		if _, err := s.Verify(bad); err == nil {
			t.Fatalf("Verify(%q) accepted a changed token", bad)
		}
	}
	other, _ := auth.NewTeamTokenSigner([]byte("another key, also thirty-two bytes!"))
	if _, err := other.Verify(tok); err == nil {
		t.Fatal("a signer with another key accepted the token")
	}
}
