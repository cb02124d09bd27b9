// Package genclient is a client of the salesmania API generated from its
// OpenAPI document by oapi-codegen, exactly as an integrator would generate
// one from GET /openapi.json, with no edit of the generated code. Its tests
// drive it against a real server, so a change of the document that breaks
// generated clients (a type name generated twice, an amount that loses
// digits, a parameter a client cannot send) fails here.
//
// client.gen.go is generated: do not edit it. oapi-codegen runs from the
// tools module in tools/ (its own go.mod, so the generator and its
// dependencies stay out of the main module), with oapi-codegen.yaml; the
// test TestGeneratedCodeUpToDate generates the code anew and fails if
// client.gen.go differs. To regenerate after changing the document:
//
//	go generate ./internal/genclient
//
// The project's own hand-written client is package client; this one exists
// to prove that the document serves generators.
package genclient

//go:generate go test -run ^TestGeneratedCodeUpToDate$ . -args -update
