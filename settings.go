package salesmania

import (
	"strings"
	"time"
)

// Settings are a database's own settings (§10.1).
type Settings struct {
	// GeofenceRadiusM is how near its customer, in metres, a check-in must
	// be, and how accurate, to be verified.
	GeofenceRadiusM int64 `json:"geofence_radius_m"`
	// Timezone is the IANA zone in which the database's dates are days.
	Timezone string `json:"timezone"`
}

// The defaults and bounds of the settings (§10.1).
const (
	DefaultGeofenceRadiusM = 200
	DefaultTimezone        = "Asia/Jakarta"
	MinGeofenceRadiusM     = 10
	MaxGeofenceRadiusM     = 5000
)

// DefaultSettings are the settings of a new database.
func DefaultSettings() Settings {
	return Settings{GeofenceRadiusM: DefaultGeofenceRadiusM, Timezone: DefaultTimezone}
}

// Location returns the settings' time zone. The zone was checked when it
// was stored; should the machine lack it now, the answer is UTC rather than
// an error on every request.
func (s Settings) Location() *time.Location {
	if loc, err := LoadTimezone(s.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// Today returns the date it is now in the settings' time zone.
func (s Settings) Today(now time.Time) string { return now.In(s.Location()).Format(time.DateOnly) }

// LoadTimezone returns the IANA time zone of that name. It refuses what
// time.LoadLocation would take that is no IANA zone of a place: "", "UTC"
// is fine, but "Local" (whatever the server's machine says) is not.
func LoadTimezone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.ContainsAny(name, "\\\x00") {
		return nil, Errorf(EINVALID, "unknown time zone %q", name)
	}
	return time.LoadLocation(name)
}

// SettingsFields is the body of PATCH /settings: either field, or both.
type SettingsFields struct {
	GeofenceRadiusM *float64        `json:"geofence_radius_m"`
	Timezone        *string         `json:"timezone"`
	Nulls           map[string]bool `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *SettingsFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// ApplyTo changes s by the fields sent and reports whether anything
// changed, or returns EINVALID naming every bad field and leaves s alone.
func (f *SettingsFields) ApplyTo(s *Settings) (changed bool, err error) {
	var p Problems
	for _, name := range sortedKeys(f.Nulls) {
		p.Add(name, "must not be null")
	}
	next := *s
	if f.GeofenceRadiusM != nil {
		r := *f.GeofenceRadiusM
		if r != float64(int64(r)) || r < MinGeofenceRadiusM || r > MaxGeofenceRadiusM {
			p.Add("geofence_radius_m", "must be a whole number of metres from "+itoa(MinGeofenceRadiusM)+" to "+itoa(MaxGeofenceRadiusM))
		} else {
			next.GeofenceRadiusM = int64(r)
		}
	}
	if f.Timezone != nil {
		name := CleanString(*f.Timezone)
		if _, err := LoadTimezone(name); err != nil {
			p.Add("timezone", "must be an IANA time zone name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura")
		} else {
			next.Timezone = name
		}
	}
	if err := p.Err(); err != nil {
		return false, err
	}
	changed = next != *s
	*s = next
	return changed, nil
}
