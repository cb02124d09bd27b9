package client

import (
	"context"
	"net/http"

	"github.com/salesmania/salesmania"
)

const settingsPath = "/extapi/v1.0/settings"

// SettingsService calls the endpoints of the database's settings (§10.1):
// the geofence radius that verifies check-ins and the time zone in which
// the database's dates are days. Get it as Client.Settings.
type SettingsService struct{ c *Client }

// Get returns the database's settings; any member may read them.
func (s *SettingsService) Get(ctx context.Context) (*salesmania.Settings, error) {
	return get[salesmania.Settings](ctx, s.c, settingsPath, nil)
}

// Update changes the settings set in f (GeofenceRadiusM, a whole number of
// metres from 10 to 5000; Timezone, an IANA zone name such as
// Asia/Makassar) and returns them all. Only an admin may: a member gets a
// 403 *Error. A 422 *Error names every bad field.
func (s *SettingsService) Update(ctx context.Context, f *salesmania.SettingsFields) (*salesmania.Settings, error) {
	return write[salesmania.Settings](ctx, s.c, http.MethodPatch, settingsPath, f)
}
