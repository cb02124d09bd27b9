// Package client is the Go client of the SalesMania external API served by
// salesmania (see API.md and GET /openapi.json). The server's own end-to-end
// tests drive it through this package, so what works here works against the
// server.
//
// # Logging in
//
// The API has two tokens (§2): a bearer token that proves the user, got with
// HTTP Basic credentials, and a team token that selects one database and the
// user's team in it. A Client made with WithCredentials gets both by itself
// on the first call that needs them and keeps them; Login does it up front.
// The database is the one given with WithDatabase, or the user's only one;
// a user of several databases must choose (see ErrDatabaseNotChosen,
// Databases and SelectDatabase).
//
// When a data call answers 401 (the bearer token expired or was revoked) a
// client with credentials logs in again once and repeats the call. When it
// answers 403 it fetches the team token again once, and repeats the call if
// the new token differs from the old one (the user's team in the database
// changed); a 403 that a new token would not cure is returned at once. The
// team token travels in the X-Team-Token header, never in the URL, so it does
// not end up in access logs.
//
// # Calls
//
// The endpoints are grouped by resource: c.Customers, c.Products, c.Visits,
// c.VisitPlans, c.Orders, c.Webhooks and c.Settings, each with the methods
// its endpoints offer (List, All, Get, Create, Update, Delete, ListDeleted,
// the visit day's CheckIn, CheckOut, Reorder and Optimize, the plans'
// Materialize, …). The methods the resources have in common are written
// once, for all of them: in their documentation T is the service's row
// (salesmania.Customer for CustomerService), F its request body
// (salesmania.CustomerFields) and O its list options
// (*CustomerListOptions), as the fields of the service type show, and the
// service type's own documentation tells its rules. Account-level
// endpoints (Databases, TeamToken, Teams) are methods of Client. Request bodies are the
// domain types of package salesmania (salesmania.CustomerFields and so on),
// whose pointer fields say what is sent: a nil field is left out of the JSON
// body, so an Update changes only the fields that are set. To send an explicit
// null (location null clears a customer's location) name the field in the
// body's Nulls map.
//
// # Lists
//
// List returns one page (salesmania.Page) and takes the cursor of the next
// in its options. All returns an iterator over every row, fetching page
// after page by next_cursor until it is null:
//
//	for cust, err := range c.Customers.All(ctx, &client.CustomerListOptions{Q: "Semarang"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(cust.Name)
//	}
//
// # Keeping a copy
//
// Changes walks the change feed (§14) from a position: every change of the
// database's customers, products, visits, visit plans and orders, in commit
// order, deletes included, each with its row (Change.Decode gives its Go
// type). Keep the Pos of the last change handled and pass it next time:
// nothing committed later is ever skipped.
//
//	for ch, err := range c.Changes(ctx, lastPos) {
//		if err != nil {
//			return err
//		}
//		row, err := ch.Decode() // nil for a delete
//		…
//		lastPos = ch.Pos
//	}
//
// # Errors
//
// An error answer of the server is returned as an *Error carrying the fields
// of its application/problem+json body (RFC 9457), including the list of bad
// fields of a 422. IsNotFound, IsConflict, IsInvalid and the other helpers
// test for the common statuses through errors.As.
//
// # Retries and idempotency
//
// Every POST carries an Idempotency-Key header: a random 128-bit key made once
// per call (or the one given with ContextWithIdempotencyKey), and reused on
// each of the client's retries of that call, so that the server performs it
// at most once (§1.2). A call is tried up to RetryPolicy.MaxAttempts times (3 by
// default) when the request fails in transit (no answer) or the server answers
// 429 or 503, waiting as Retry-After says or backing off exponentially. That
// holds for every method:
//
//   - GET changes nothing.
//   - POST is made safe by its idempotency key: a repeat of a call the server
//     already performed gets the first answer again. A 409 "key in flight" on a
//     repeat (the first attempt is still running on the server) is waited out
//     like a 503.
//   - PATCH sets fields to given values, so applying the same body twice
//     leaves the same state (an order may report one more order.updated
//     event to its webhooks).
//   - PUT (a day's visit order) sets the whole order, so a repeat leaves the
//     same day.
//   - DELETE is idempotent in effect; when its first attempt got no answer
//     and a repeat finds the row gone (404), the call succeeds, since the
//     row is deleted either way.
//
// A Client is safe for concurrent use by several goroutines.
package client
