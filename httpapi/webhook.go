package httpapi

import (
	"net/http"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/webhook"
)

// onlyAdmins wraps a webhook handler: webhooks are managed by a database
// admin (§6.3).
func (s *Server) onlyAdmins(h func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := p.RequireAdmin("manages its webhooks"); err != nil {
			return err
		}
		return h(w, r, p)
	})
}

// handleWebhookList lists the database's webhooks; secrets are never shown.
func (s *Server) handleWebhookList() http.Handler {
	type response struct {
		Data []salesmania.Webhook `json:"data"`
	}
	return s.onlyAdmins(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		hooks, err := s.store.ListWebhooks(r.Context(), p.DBID)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, response{Data: hooks})
		return nil
	})
}

// handleWebhookCreate registers a webhook. Its URL must point to a public
// address unless the server allows private ones: an IP address is checked
// by the domain, a name where it resolves now (and the dispatcher checks
// again on every connection).
func (s *Server) handleWebhookCreate() http.Handler {
	return s.onlyAdmins(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var in salesmania.WebhookCreate
		if err := decode(r, &in); err != nil {
			return err
		}
		hook, err := in.NewWebhook(s.webhookAllowPrivate)
		if err != nil {
			return err
		}
		if !s.webhookAllowPrivate {
			if err := webhook.CheckURL(r.Context(), hook.URL); err != nil {
				return err
			}
		}
		if err := s.store.CreateWebhook(r.Context(), p.DBID, hook); err != nil {
			return err
		}
		encode(w, http.StatusOK, hook)
		return nil
	})
}

// handleWebhookDelete deletes a webhook and its pending deliveries.
func (s *Server) handleWebhookDelete() http.Handler {
	return s.onlyAdmins(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		id, err := pathID(r, "Webhook")
		if err != nil {
			return err
		}
		if err := newParams(r).err(); err != nil {
			return err
		}
		if err := s.store.DeleteWebhook(r.Context(), p.DBID, id); err != nil {
			return err
		}
		encode(w, http.StatusOK, struct{}{})
		return nil
	})
}

// handleWebhookDeliveries lists a webhook's delivery attempts, newest first.
func (s *Server) handleWebhookDeliveries() http.Handler {
	return s.onlyAdmins(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		id, err := pathID(r, "Webhook")
		if err != nil {
			return err
		}
		q := newParams(r, "limit", "cursor", "include_total")
		lp := q.list()
		if err := q.err(); err != nil {
			return err
		}
		page, err := s.store.ListWebhookAttempts(r.Context(), p.DBID, id, lp)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}
