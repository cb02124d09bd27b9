package httpapi

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/salesmania/salesmania/apidocs"
	"github.com/salesmania/salesmania/openapi"
)

// docsPage is the HTML reference of the OpenAPI document, rendered once per
// process on first use: the document is fixed at build time.
var docsPage = sync.OnceValues(func() ([]byte, error) {
	return apidocs.Render(openapi.Document())
})

// docsPolicy lets the page use its inline styles and its one inline script
// (the copy buttons) and nothing else: it loads no file, font or image.
const docsPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

// handleDocs serves the API reference as one self-contained HTML page.
// A document that cannot be rendered is a 500, logged with the request id.
func (s *Server) handleDocs() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, err := docsPage()
		if err != nil {
			s.error(w, r, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Content-Security-Policy", docsPolicy)
		w.Write(page)
	})
}
