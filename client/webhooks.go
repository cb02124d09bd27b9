package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"

	"github.com/salesmania/salesmania"
)

const webhooksPath = "/extapi/v1.0/webhooks"

// WebhookService calls the webhook endpoints (§6.3), which only an admin
// of the database may use (a member gets a 403 *Error). Get it as
// Client.Webhooks.
type WebhookService struct{ c *Client }

// List returns the database's webhooks (GET /extapi/v1.0/webhooks). Their
// secrets are never shown.
func (s *WebhookService) List(ctx context.Context) ([]salesmania.Webhook, error) {
	out, err := get[struct {
		Data []salesmania.Webhook `json:"data"`
	}](ctx, s.c, webhooksPath, nil)
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// Create registers a webhook: an http(s) URL, a secret of 16 to 256
// characters that signs each delivery, and the events it wants (both when
// in.Events is nil). A 422 *Error lists every bad field.
func (s *WebhookService) Create(ctx context.Context, in *salesmania.WebhookCreate) (*salesmania.Webhook, error) {
	return write[salesmania.Webhook](ctx, s.c, http.MethodPost, webhooksPath, in)
}

// Delete deletes a webhook and its pending deliveries.
func (s *WebhookService) Delete(ctx context.Context, id int64) error {
	return remove(ctx, s.c, idPath(webhooksPath, id))
}

// Deliveries returns one page of a webhook's delivery attempts, newest
// first (GET /extapi/v1.0/webhooks/{id}/deliveries); opts may be nil.
func (s *WebhookService) Deliveries(ctx context.Context, id int64, opts *ListOptions) (*salesmania.Page[salesmania.WebhookAttempt], error) {
	return get[salesmania.Page[salesmania.WebhookAttempt]](ctx, s.c, idPath(webhooksPath, id)+"/deliveries", queryOf(opts))
}

// AllDeliveries returns an iterator over every delivery attempt of a
// webhook, newest first, from opts.Cursor on. On an error it yields the
// error once and stops.
func (s *WebhookService) AllDeliveries(ctx context.Context, id int64, opts *ListOptions) iter.Seq2[salesmania.WebhookAttempt, error] {
	return allPages(queryOf(opts), func(q url.Values) (*salesmania.Page[salesmania.WebhookAttempt], error) {
		return get[salesmania.Page[salesmania.WebhookAttempt]](ctx, s.c, idPath(webhooksPath, id)+"/deliveries", q)
	})
}
