package salesmania

import (
	"context"
	"time"
)

// Store is the persistence of the server. Package sqlstore implements it over
// SQLite and PostgreSQL.
//
// Every method on tenant data takes the database id first: a row of another
// database is reported as ENOTFOUND, exactly as a row that does not exist.
// Methods return *Error values with the codes of errors.go; any other error is
// internal.
type Store interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// CanWrite reports ESTORAGEFULL while writes fail for want of disk
	// space. It is cheap enough for every health check.
	CanWrite(ctx context.Context) error
	// Close releases the connections.
	Close() error

	AccountStore
	TeamStore
	CustomerStore
	ProductStore
	VisitStore
	VisitPlanStore
	FeedStore
	SettingsStore
	OrderStore
	WebhookStore
	IdempotencyStore
	ConsoleSessionStore
}

// AccountStore holds databases, users, memberships, bearer tokens and server
// secrets.
type AccountStore interface {
	// CreateDatabase stores a new database; EINVALID for a bad name.
	CreateDatabase(ctx context.Context, d *Database) error
	// FindDatabase returns one database; ENOTFOUND if it does not exist.
	FindDatabase(ctx context.Context, dbID int64) (*Database, error)

	// CreateUser stores a user whose PasswordHash is already set; Email must
	// be normalized. ECONFLICT if the email is taken.
	CreateUser(ctx context.Context, u *User) error
	// FindUserByEmail returns the user with that (normalized) email;
	// ENOTFOUND if there is none.
	FindUserByEmail(ctx context.Context, email string) (*User, error)

	// PutMember adds the user to the database, or changes its team and role
	// if it is a member already. EINVALID (field user_id or team_id) when the
	// user does not exist or the team is not a team of the database;
	// ENOTFOUND when the database does not exist.
	PutMember(ctx context.Context, m *Membership) error
	// RemoveMember takes the user out of the database; ENOTFOUND if it was
	// not a member. Its team tokens for the database stop working at once.
	RemoveMember(ctx context.Context, dbID, userID int64) error
	// ListUserDatabases returns the databases the user is a member of,
	// ordered by id.
	ListUserDatabases(ctx context.Context, userID int64) ([]UserDatabase, error)

	// CreateToken stores the hash of a new bearer token of the user and
	// deletes the user's expired tokens.
	CreateToken(ctx context.Context, userID int64, tokenHash []byte, expiresAt time.Time) error
	// FindTokenOwner returns who a bearer token (by hash) belongs to and, if
	// dbID is not 0, the owner's membership in that database.
	// EUNAUTHENTICATED if the token is unknown, revoked or expired at now.
	FindTokenOwner(ctx context.Context, tokenHash []byte, dbID int64, now time.Time) (*TokenOwner, error)
	// RevokeToken deletes a bearer token; revoking an unknown token is no
	// error.
	RevokeToken(ctx context.Context, tokenHash []byte) error

	// LoginLockedUntil returns the latest time until which any of the
	// subjects ("email:…", "addr:…") is locked out of logging in; the zero
	// time when none is.
	LoginLockedUntil(ctx context.Context, subjects []string, now time.Time) (time.Time, error)
	// RecordLoginFailure counts a failed login of subject; the limit-th
	// within window locks it for lockout.
	RecordLoginFailure(ctx context.Context, subject string, limit int, window, lockout time.Duration, now time.Time) error
	// ResetLoginFailures forgets subject's failures after a good login.
	ResetLoginFailures(ctx context.Context, subject string) error

	// Secret returns the server secret with that name, generating it with
	// newSecret and storing it on first use, so every server process sharing
	// the database agrees on it.
	Secret(ctx context.Context, name string, newSecret func() ([]byte, error)) ([]byte, error)
}

// TeamStore holds the teams of each database.
type TeamStore interface {
	// CreateTeam stores a new team in database dbID as given (callers set
	// Status true for a new active team); ENOTFOUND if the database does
	// not exist, EINVALID for bad fields.
	CreateTeam(ctx context.Context, dbID int64, t *Team) error
	// ListTeams returns the teams of the database ordered by id.
	ListTeams(ctx context.Context, dbID int64) ([]Team, error)
}

// CustomerStore holds the customers of each database.
type CustomerStore interface {
	// CreateCustomer stores a new, validated customer in database dbID and
	// sets its ID and times. ECONFLICT if its non-empty ext_cust_no is
	// taken in the database.
	CreateCustomer(ctx context.Context, dbID int64, c *Customer) error
	// FindCustomer returns one customer; ENOTFOUND if it does not exist in
	// database dbID.
	FindCustomer(ctx context.Context, dbID, id int64) (*Customer, error)
	// UpdateCustomer applies the fields to the customer in one transaction
	// and returns it as stored. ENOTFOUND if it is not in database dbID,
	// EINVALID for bad fields, ECONFLICT for a taken ext_cust_no.
	UpdateCustomer(ctx context.Context, dbID, id int64, f *CustomerFields) (*Customer, error)
	// DeleteCustomer deletes the customer and records a tombstone.
	// ENOTFOUND if it is not in database dbID; ECONFLICT if visits or
	// orders refer to it.
	DeleteCustomer(ctx context.Context, dbID, id int64) error
	// ListCustomers returns one page of the database's customers.
	ListCustomers(ctx context.Context, dbID int64, f CustomerFilter) (*Page[Customer], error)
	// ListDeletedCustomers returns one page of the tombstones of customers
	// deleted after since, ordered by (deleted_at, id).
	ListDeletedCustomers(ctx context.Context, dbID int64, since time.Time, p ListParams) (*Page[Tombstone], error)
	// UpsertCustomers writes a batch (§13) in one transaction: an item
	// whose non-empty ext_cust_no names a customer of database dbID updates
	// it as a PATCH (unchanged, keeping its updated_at, when that changes
	// nothing), any other creates one. It returns a result per item, in
	// item order. EINVALID (NewCustomers) before anything is written.
	UpsertCustomers(ctx context.Context, dbID int64, items []CustomerFields) ([]CustomerBatchResult, error)
}

// ProductStore holds the products of each database. Its error contract is
// that of CustomerStore, with ext_product_code in place of ext_cust_no and
// order lines in place of visits and orders.
type ProductStore interface {
	CreateProduct(ctx context.Context, dbID int64, p *Product) error
	FindProduct(ctx context.Context, dbID, id int64) (*Product, error)
	UpdateProduct(ctx context.Context, dbID, id int64, f *ProductFields) (*Product, error)
	DeleteProduct(ctx context.Context, dbID, id int64) error
	ListProducts(ctx context.Context, dbID int64, f ProductFilter) (*Page[Product], error)
	ListDeletedProducts(ctx context.Context, dbID int64, since time.Time, p ListParams) (*Page[Tombstone], error)
	UpsertProducts(ctx context.Context, dbID int64, items []ProductFields) ([]ProductBatchResult, error)
}

// VisitStore holds the planned visits of each database.
type VisitStore interface {
	// AppendVisit stores the visit last in its team's route for its date:
	// Seq is 1 + the highest Seq of that (team, date), atomically, so
	// concurrent appends get distinct Seqs without gaps. It fills ID,
	// Seq, Customer and times. EINVALID (customer_id, team_id) when the
	// customer or team is not in database dbID.
	AppendVisit(ctx context.Context, dbID int64, v *Visit) error
	// FindVisit returns one visit; ENOTFOUND if it is not in database dbID
	// or not of a team in teams.
	FindVisit(ctx context.Context, dbID int64, teams TeamScope, id int64) (*Visit, error)
	// ListVisits returns one page of the database's visits.
	ListVisits(ctx context.Context, dbID int64, f VisitFilter) (*Page[Visit], error)

	// The methods below change a visit of a team in teams (ENOTFOUND for
	// any other, §9) and keep every day's seqs exactly 1..n, atomically per
	// team, across server processes (§10).

	// UpdateVisit applies a PATCH (VisitFields.ApplyTo: EINVALID,
	// ECONFLICT); a new date moves the visit to the end of that day. A
	// PATCH that changes nothing keeps updated_at.
	UpdateVisit(ctx context.Context, dbID int64, teams TeamScope, id int64, f *VisitFields) (*Visit, error)
	// DeleteVisit deletes a planned or skipped visit (ECONFLICT otherwise);
	// the later visits of its day move up one place.
	DeleteVisit(ctx context.Context, dbID int64, teams TeamScope, id int64) error
	// CheckInVisit records a check-in (Visit.RecordCheckIn), verified with
	// the database's geofence radius at that moment.
	CheckInVisit(ctx context.Context, dbID int64, teams TeamScope, id int64, c *VisitCheck) (*Visit, error)
	// CheckOutVisit records a check-out (Visit.RecordCheckOut), with the
	// outcome and notes of f when sent.
	CheckOutVisit(ctx context.Context, dbID int64, teams TeamScope, id int64, c *VisitCheck, f *CheckFields) (*Visit, error)
	// ReorderDay sets the order of a team's day to the one order returns
	// for the day as it is under the team's lock, in seq order: ids that
	// are exactly its visits' (CheckSequence: EINVALID naming visit_ids
	// otherwise); the one at index i gets seq i+1, and a visit whose seq
	// stays keeps its updated_at. An error of order is returned as it is.
	// EINVALID (team_id) when the team is not in the database. It returns
	// the day in its new order.
	ReorderDay(ctx context.Context, dbID, team int64, date string, order func(day []Visit) ([]int64, error)) ([]Visit, error)
}

// VisitPlanStore holds the visit plans of each database (§12). teams is
// the caller's TeamScope: a plan of a team outside it is ENOTFOUND.
type VisitPlanStore interface {
	// CreateVisitPlan stores a new plan; EINVALID (team_id, customer_id)
	// when they are not of database dbID.
	CreateVisitPlan(ctx context.Context, dbID int64, p *VisitPlan) error
	// FindVisitPlan returns one plan.
	FindVisitPlan(ctx context.Context, dbID int64, teams TeamScope, id int64) (*VisitPlan, error)
	// UpdateVisitPlan applies a PATCH for principal p
	// (VisitPlanFields.ApplyTo) to a plan of its teams. A PATCH that
	// changes nothing keeps updated_at.
	UpdateVisitPlan(ctx context.Context, dbID int64, p Principal, id int64, f *VisitPlanFields) (*VisitPlan, error)
	// DeleteVisitPlan deletes a plan; the visits it made stay.
	DeleteVisitPlan(ctx context.Context, dbID int64, teams TeamScope, id int64) error
	// ListVisitPlans returns one page of plans.
	ListVisitPlans(ctx context.Context, dbID int64, f VisitPlanFilter) (*Page[VisitPlan], error)
	// MaterializeVisitPlans makes a visit for every occurrence from..to
	// (both included) of every active plan of the teams that was never
	// materialised before, appended after the day's visits in plan id
	// order, atomically, once per occurrence across server processes.
	MaterializeVisitPlans(ctx context.Context, dbID int64, teams TeamScope, from, to string) (*MaterializeResult, error)
}

// FeedStore serves the change feed (§14). Every write of customers,
// products, visits, visit plans and orders records its changes in the same
// transaction, with revisions in commit order.
type FeedStore interface {
	// ListChanges returns one page of the database's changes after
	// f.After, oldest first, each upsert with its row as it is now.
	// Visits, visit plans and orders of teams outside f.Teams are left out.
	ListChanges(ctx context.Context, dbID int64, f FeedFilter) (*FeedPage, error)
}

// SettingsStore holds each database's settings (§10.1).
type SettingsStore interface {
	// FindSettings returns a database's settings; ENOTFOUND if the database
	// does not exist.
	FindSettings(ctx context.Context, dbID int64) (*Settings, error)
	// UpdateSettings applies the fields (SettingsFields.ApplyTo: EINVALID)
	// and returns the settings as stored.
	UpdateSettings(ctx context.Context, dbID int64, f *SettingsFields) (*Settings, error)
}

// OrderStore holds the orders of each database. Every change of an order
// writes, in the same transaction, a delivery for each webhook of the
// database that wants the event (the outbox), so no acknowledged change goes
// unreported.
//
// teams, where a method takes it, is the caller's TeamScope: an order of a
// team outside it is ENOTFOUND (§9: not yours is not found).
type OrderStore interface {
	// CreateOrder matches the lines to products, computes the money and
	// stores the order. EINVALID (customer_id, team_id,
	// ordered_products[i].product_id or .unit, or a discount above what it
	// applies to) when something named is not in database dbID.
	CreateOrder(ctx context.Context, dbID int64, o *Order) error
	// FindOrder returns one order with its lines; ENOTFOUND if it is not in
	// database dbID or not of a team in teams.
	FindOrder(ctx context.Context, dbID int64, teams TeamScope, id int64) (*Order, error)
	// UpdateOrder applies a PATCH (see OrderFields.ApplyTo) in one
	// transaction. A PATCH that changes nothing keeps updated_at and sends
	// no event.
	UpdateOrder(ctx context.Context, dbID int64, teams TeamScope, id int64, f *OrderFields) (*Order, error)
	// ListOrders returns one page of orders with their lines.
	ListOrders(ctx context.Context, dbID int64, f OrderFilter) (*Page[Order], error)
}

// WebhookStore holds webhooks and their outbox.
type WebhookStore interface {
	// CreateWebhook stores a validated webhook.
	CreateWebhook(ctx context.Context, dbID int64, w *Webhook) error
	// FindWebhook returns one webhook; ENOTFOUND if it is not in database
	// dbID.
	FindWebhook(ctx context.Context, dbID, id int64) (*Webhook, error)
	// ListWebhooks returns the database's webhooks by id.
	ListWebhooks(ctx context.Context, dbID int64) ([]Webhook, error)
	// DeleteWebhook deletes a webhook and its pending deliveries;
	// ENOTFOUND if it is not in database dbID.
	DeleteWebhook(ctx context.Context, dbID, id int64) error
	// ListWebhookAttempts returns one page of the delivery attempts of a
	// webhook, newest first; ENOTFOUND if the webhook is not in database
	// dbID.
	ListWebhookAttempts(ctx context.Context, dbID, webhookID int64, p ListParams) (*Page[WebhookAttempt], error)
}

// IdempotencyStore keeps the idempotency keys of POST requests (§1.2) in the
// database itself, so they hold across server processes.
type IdempotencyStore interface {
	// ReserveIdempotencyKey looks the claim's key up and, when it is free
	// (or expired, or held by a request whose lease ran out before it
	// committed), makes it the claim's until now+lease.
	ReserveIdempotencyKey(ctx context.Context, c *IdempotencyClaim, now time.Time, lease time.Duration) (IdempotencyOutcome, error)
	// CompleteIdempotencyKey records the answer of the claim's request.
	CompleteIdempotencyKey(ctx context.Context, c *IdempotencyClaim, r StoredResponse, now time.Time) error
	// ReleaseIdempotencyKey frees a key whose request did nothing worth
	// replaying (a 429 or a 5xx), so a retry runs again.
	ReleaseIdempotencyKey(ctx context.Context, c *IdempotencyClaim) error
}

// ConsoleSessionStore keeps the sessions of the manager's console (package
// console) in the database, so every server process knows them. A session
// is found by the database it was opened for (0 until its user picks one)
// and the SHA-256 hash of its secret: the secret itself is only in the
// browser's cookie.
type ConsoleSessionStore interface {
	// CreateConsoleSession stores a new session of the user for database
	// dbID (0: none chosen yet), last seen at now.
	CreateConsoleSession(ctx context.Context, dbID int64, hash []byte, userID int64, now time.Time) error
	// FindConsoleSession returns the session with its user's email and the
	// user's membership in dbID as it is now; EUNAUTHENTICATED if there is
	// no such session.
	FindConsoleSession(ctx context.Context, dbID int64, hash []byte) (*ConsoleSession, error)
	// TouchConsoleSession records that the session was used at now.
	TouchConsoleSession(ctx context.Context, dbID int64, hash []byte, now time.Time) error
	// DeleteConsoleSession ends a session; ending an unknown one is no
	// error.
	DeleteConsoleSession(ctx context.Context, dbID int64, hash []byte) error
}
