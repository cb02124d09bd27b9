// Package auth hashes passwords with argon2id, makes and hashes bearer
// tokens, signs and checks team tokens, and checks logins with their
// throttle (Login). It holds no state but the keys it is given; its only
// I/O is Login's, through the store it is given.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP Password Storage Cheat Sheet's first
// recommended configuration (19 MiB of memory, 2 iterations, 1 lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// HashPassword returns an encoded argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), with a fresh random salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrMalformedHash is returned by CheckPassword for a hash it cannot read.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// CheckPassword reports whether password matches the encoded hash, comparing
// in constant time. Hashes made with other argon2id parameters are read with
// their own parameters, so the defaults can be raised later.
func CheckPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var memory, iterations uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil ||
		memory == 0 || memory > 1<<22 || iterations == 0 || iterations > 64 || threads == 0 {
		return false, ErrMalformedHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, ErrMalformedHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 128 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(password), salt, iterations, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a login names an unknown email, so that
// the answer takes as long as for a known email with a wrong password. It
// has the parameters of HashPassword (and so costs the same to check) but
// matches no password; it is written out rather than hashed at start-up,
// which took 54 ms and 20 MB in every process.
var dummyHash = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
	base64.RawStdEncoding.EncodeToString([]byte("salesmania-dummy")[:argonSaltLen]),
	base64.RawStdEncoding.EncodeToString(make([]byte, argonKeyLen)))

// WastePasswordCheck spends the time of one password check and returns
// false. Call it when the user does not exist.
func WastePasswordCheck(password string) bool {
	_, _ = CheckPassword(dummyHash, password)
	return false
}
