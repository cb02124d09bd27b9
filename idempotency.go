package salesmania

import (
	"context"
	"time"
)

// Idempotency keys (§1.2): a client may send Idempotency-Key on a POST, and
// a repeat of the request with the same key gets the first answer again
// instead of doing the work twice.
const (
	// IdempotencyTTL is how long a key's answer is kept.
	IdempotencyTTL = 24 * time.Hour
	// MaxIdempotencyKey is the longest key accepted.
	MaxIdempotencyKey = 255
)

// IdempotencyClaim is one request's hold on a key: the key's scope (the
// user in the database), the hash of the request, and Owner, a random token
// that tells this request's hold from a later one's.
type IdempotencyClaim struct {
	DBID        int64
	UserID      int64
	Key         string
	RequestHash []byte
	Owner       string
}

// IdempotencyState is what a key's record says when a request arrives.
type IdempotencyState int

const (
	// IdempotencyReserved: the key is this request's now; do the work.
	IdempotencyReserved IdempotencyState = iota
	// IdempotencyReplay: the work was done; answer Response again.
	IdempotencyReplay
	// IdempotencyCommitted: the work was committed (Resource) but its
	// answer was not recorded, as when the process died between the two;
	// answer with the resource as it is now.
	IdempotencyCommitted
	// IdempotencyInFlight: an earlier request with the key is still at
	// work (409).
	IdempotencyInFlight
	// IdempotencyMismatch: the key was used for a different request (422).
	IdempotencyMismatch
)

// StoredResponse is the answer recorded for a key.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// IdempotencyOutcome is the answer of reserving a key.
type IdempotencyOutcome struct {
	State        IdempotencyState
	Response     *StoredResponse // for IdempotencyReplay
	ResourceKind string          // for IdempotencyCommitted
	ResourceID   int64
	// Results, for IdempotencyCommitted of a batch (ResourceCustomerBatch,
	// ResourceProductBatch), are the batch's per-item results as JSON,
	// recorded in its transaction: a batch has no one resource to answer
	// with.
	Results []byte
}

// Resource kinds a POST creates, recorded with its key in the creating
// transaction.
const (
	ResourceCustomer = "customer"
	ResourceProduct  = "product"
	ResourceVisit    = "visit"
	ResourceOrder    = "order"
	ResourceWebhook  = "webhook"
	// ResourceVisitPlan is a visit plan (§12).
	ResourceVisitPlan = "visit_plan"
)

type idempotencyKey struct{}

// NewContextWithIdempotency returns a copy of ctx carrying the request's
// claim on an idempotency key. A store that creates a resource under such a
// context records, in the same transaction, that the key's work is done.
func NewContextWithIdempotency(ctx context.Context, c *IdempotencyClaim) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, c)
}

// IdempotencyFromContext returns the claim carried by ctx, or nil.
func IdempotencyFromContext(ctx context.Context) *IdempotencyClaim {
	c, _ := ctx.Value(idempotencyKey{}).(*IdempotencyClaim)
	return c
}
