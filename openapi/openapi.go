// Package openapi holds the OpenAPI 3.0 document of the salesmania HTTP API:
// the contract of API.md written down precisely, field by field. The server
// serves it at GET /openapi.json, and the tests check every request and
// response they make against it (see package openapitest), so the document
// and the server cannot drift apart.
//
// The package only embeds the document; it imports no OpenAPI library, so
// the server binary does not depend on one.
package openapi

import _ "embed"

// Document is the OpenAPI 3.0.3 document as JSON, ready to serve as is.
// Callers must not modify it.
//
//go:embed openapi.json
var Document []byte
