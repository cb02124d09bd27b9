package httpapi

import "net/http"

// AuthLevel is what a route asks of the caller before its handler runs.
type AuthLevel int

const (
	// AuthNone: open to anyone (health, metrics, the API document).
	AuthNone AuthLevel = iota
	// AuthBasic: the handler checks HTTP Basic credentials itself.
	AuthBasic
	// AuthBearer: a valid bearer token.
	AuthBearer
	// AuthTeam: a valid bearer token and a team token of a database its
	// user is a member of, in the team the token names; the handler gets a
	// salesmania.Principal in its context.
	AuthTeam
)

type route struct {
	Method  string
	Path    string
	Auth    AuthLevel
	Handler http.Handler
}

// MaxBatchBodyBytes is the body limit of the batch endpoints (§13): 1000
// items of up to about 16 KiB each.
const MaxBatchBodyBytes = 16 << 20

// bodyLimited is a route's handler whose body may be larger than
// MaxBodyBytes: up to max (see limitBody).
type bodyLimited struct {
	http.Handler
	max int64
}

// withBodyLimit gives a route of the table the body limit max instead of
// MaxBodyBytes.
func withBodyLimit(max int64, h http.Handler) http.Handler { return &bodyLimited{Handler: h, max: max} }

// maxBody returns the body limit of a route.
func (rt route) maxBody() int64 {
	if b, ok := rt.Handler.(*bodyLimited); ok {
		return b.max
	}
	return MaxBodyBytes
}

// routeTable lists the whole API, one line per route.
func (s *Server) routeTable() []route {
	return []route{
		{"GET", "/healthz", AuthNone, s.handleHealthz()},
		{"GET", "/metrics", AuthNone, s.handleMetrics()},
		{"GET", "/openapi.json", AuthNone, s.handleOpenAPI()},
		{"GET", "/docs", AuthNone, s.handleDocs()},

		{"GET", "/extapi/v1.0/token", AuthBasic, s.handleTokenCreate()},
		{"DELETE", "/extapi/v1.0/token", AuthBearer, s.handleTokenRevoke()},
		{"GET", "/extapi/v1.0/databases", AuthBearer, s.handleDatabaseList()},
		{"GET", "/extapi/v1.0/team_token", AuthBearer, s.handleTeamToken()},

		{"GET", "/extapi/v1.0/teams", AuthTeam, s.handleTeamList()},
		{"GET", "/extapi/v1.0/settings", AuthTeam, s.handleSettingsGet()},
		{"PATCH", "/extapi/v1.0/settings", AuthTeam, s.handleSettingsUpdate()},

		{"GET", "/extapi/v1.0/customers", AuthTeam, s.handleCustomerList()},
		{"POST", "/extapi/v1.0/customers", AuthTeam, s.handleCustomerCreate()},
		{"POST", "/extapi/v1.0/customers/batch", AuthTeam, withBodyLimit(MaxBatchBodyBytes, s.handleCustomerBatch())},
		{"GET", "/extapi/v1.0/customers/deleted", AuthTeam, s.handleCustomerDeleted()},
		{"GET", "/extapi/v1.0/customers/{id}", AuthTeam, s.handleCustomerGet()},
		{"PATCH", "/extapi/v1.0/customers/{id}", AuthTeam, s.handleCustomerUpdate()},
		{"DELETE", "/extapi/v1.0/customers/{id}", AuthTeam, s.handleCustomerDelete()},

		{"GET", "/extapi/v1.0/products", AuthTeam, s.handleProductList()},
		{"POST", "/extapi/v1.0/products", AuthTeam, s.handleProductCreate()},
		{"POST", "/extapi/v1.0/products/batch", AuthTeam, withBodyLimit(MaxBatchBodyBytes, s.handleProductBatch())},
		{"GET", "/extapi/v1.0/products/deleted", AuthTeam, s.handleProductDeleted()},
		{"GET", "/extapi/v1.0/products/{id}", AuthTeam, s.handleProductGet()},
		{"PATCH", "/extapi/v1.0/products/{id}", AuthTeam, s.handleProductUpdate()},
		{"DELETE", "/extapi/v1.0/products/{id}", AuthTeam, s.handleProductDelete()},

		{"GET", "/extapi/v1.1/visits", AuthTeam, s.handleVisitList()},
		{"POST", "/extapi/v1.1/visits", AuthTeam, s.handleVisitCreate()},
		{"PUT", "/extapi/v1.1/visits/sequence", AuthTeam, s.handleVisitSequence()},
		{"POST", "/extapi/v1.1/visits/optimize", AuthTeam, s.handleVisitOptimize()},
		{"GET", "/extapi/v1.1/visits/{id}", AuthTeam, s.handleVisitGet()},
		{"PATCH", "/extapi/v1.1/visits/{id}", AuthTeam, s.handleVisitUpdate()},
		{"DELETE", "/extapi/v1.1/visits/{id}", AuthTeam, s.handleVisitDelete()},
		{"POST", "/extapi/v1.1/visits/{id}/check-in", AuthTeam, s.handleVisitCheckIn()},
		{"POST", "/extapi/v1.1/visits/{id}/check-out", AuthTeam, s.handleVisitCheckOut()},

		{"GET", "/extapi/v1.0/visits", AuthTeam, s.handleVisitList()},
		{"POST", "/extapi/v1.0/visits", AuthTeam, s.handleVisitCreate()},
		{"PUT", "/extapi/v1.0/visits/sequence", AuthTeam, s.handleVisitSequence()},
		{"POST", "/extapi/v1.0/visits/optimize", AuthTeam, s.handleVisitOptimize()},
		{"GET", "/extapi/v1.0/visits/{id}", AuthTeam, s.handleVisitGet()},
		{"PATCH", "/extapi/v1.0/visits/{id}", AuthTeam, s.handleVisitUpdate()},
		{"DELETE", "/extapi/v1.0/visits/{id}", AuthTeam, s.handleVisitDelete()},
		{"POST", "/extapi/v1.0/visits/{id}/check-in", AuthTeam, s.handleVisitCheckIn()},
		{"POST", "/extapi/v1.0/visits/{id}/check-out", AuthTeam, s.handleVisitCheckOut()},

		{"GET", "/extapi/v1.1/visit-plans", AuthTeam, s.handlePlanList()},
		{"POST", "/extapi/v1.1/visit-plans", AuthTeam, s.handlePlanCreate()},
		{"POST", "/extapi/v1.1/visit-plans/materialize", AuthTeam, s.handlePlanMaterialize()},
		{"GET", "/extapi/v1.1/visit-plans/{id}", AuthTeam, s.handlePlanGet()},
		{"PATCH", "/extapi/v1.1/visit-plans/{id}", AuthTeam, s.handlePlanUpdate()},
		{"DELETE", "/extapi/v1.1/visit-plans/{id}", AuthTeam, s.handlePlanDelete()},

		{"GET", "/extapi/v1.0/orders", AuthTeam, s.handleOrderList()},
		{"POST", "/extapi/v1.0/orders", AuthTeam, s.handleOrderCreate()},
		{"GET", "/extapi/v1.0/orders/{id}", AuthTeam, s.handleOrderGet()},
		{"PATCH", "/extapi/v1.0/orders/{id}", AuthTeam, s.handleOrderUpdate()},

		{"GET", "/extapi/v1.0/changes", AuthTeam, s.handleChanges()},

		{"GET", "/extapi/v1.0/webhooks", AuthTeam, s.handleWebhookList()},
		{"POST", "/extapi/v1.0/webhooks", AuthTeam, s.handleWebhookCreate()},
		{"DELETE", "/extapi/v1.0/webhooks/{id}", AuthTeam, s.handleWebhookDelete()},
		{"GET", "/extapi/v1.0/webhooks/{id}/deliveries", AuthTeam, s.handleWebhookDeliveries()},
	}
}
