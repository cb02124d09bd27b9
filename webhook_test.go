package salesmania_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
)

func TestSpecialAddress(t *testing.T) {
	tests := []struct {
		addr, kind string
	}{
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.10", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"64:ff9b::a00:1", "private"},   // NAT64 of 10.0.0.1
		{"2002:c0a8:101::1", "private"}, // 6to4 of 192.168.1.1
		{"169.254.10.20", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"169.254.169.254", "cloud metadata"},
		{"fd00:ec2::254", "cloud metadata"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"100.64.0.1", "shared (carrier-grade NAT)"},
		{"100.127.255.255", "shared (carrier-grade NAT)"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"255.255.255.255", "reserved"},
		{"240.0.0.1", "reserved"},
		{"192.0.2.7", "documentation"},
		{"2001:db8::1", "documentation"},
		{"198.18.0.1", "benchmarking"},
		// Public.
		{"8.8.8.8", ""},
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"169.253.255.255", ""},
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},
		{"64:ff9b::808:808", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := salesmania.SpecialAddress(netip.MustParseAddr(tt.addr)); got != tt.kind {
				t.Fatalf("SpecialAddress(%s) = %q; want %q", tt.addr, got, tt.kind)
			}
		})
	}
}

func TestNewWebhookPrivateHost(t *testing.T) {
	secret := "0123456789abcdef"
	tests := []struct {
		name, url string
		want      string // in the url field's message; "" when accepted
	}{
		{"ErrLoopback", "http://127.0.0.1:5432/", "loopback address (127.0.0.1)"},
		{"ErrLoopbackIPv6", "http://[::1]:8080/hook", "loopback address (::1)"},
		{"ErrMappedLoopback", "http://[::ffff:127.0.0.1]/", "loopback"},
		{"ErrPrivate", "https://10.0.0.5/orders", "private address (10.0.0.5)"},
		{"ErrUniqueLocal", "https://[fd00::5]/orders", "private address"},
		{"ErrMetadata", "http://169.254.169.254/latest/meta-data/", "cloud metadata address"},
		{"ErrMetadataIPv6", "http://[fd00:ec2::254]/", "cloud metadata address"},
		{"ErrLinkLocalZone", "http://[fe80::1%25eth0]/", "link-local address"},
		{"ErrUnspecified", "http://0.0.0.0:8080/", "unspecified address"},
		{"ErrCGNAT", "http://100.64.1.1/", "shared (carrier-grade NAT) address"},
		{"ErrShortForm", "http://127.1/", "host name or a standard IP address"},
		{"ErrDecimalForm", "http://2130706433/", "host name or a standard IP address"},
		{"ErrHexForm", "http://0x7f.0.0.1/", "host name or a standard IP address"},
		{"ErrLeadingZeros", "http://127.000.000.001/", "host name or a standard IP address"},
		{"OK/PublicAddress", "https://203.0.114.9/orders", ""},
		{"OK/Name", "https://erp.majujaya.example/orders", ""},
		{"OK/NameWithDigits", "https://erp2.example/orders", ""},
		{"OK/NumericLabelFirst", "https://10.erp.example/orders", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := salesmania.WebhookCreate{URL: &tt.url, Secret: &secret}
			_, err := in.NewWebhook(false)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("NewWebhook(%s) = %v; want it accepted", tt.url, err)
				}
				return
			}
			se, ok := err.(*salesmania.Error)
			if !ok || se.Code != salesmania.EINVALID || len(se.Fields) != 1 || se.Fields[0].Field != "url" || !strings.Contains(se.Fields[0].Message, tt.want) {
				t.Fatalf("NewWebhook(%s) = %v; want invalid url saying %q", tt.url, err, tt.want)
			}
			// With private addresses allowed (an on-premise ERP), the same
			// URL is fine, unless it is no standard address at all.
			_, err = in.NewWebhook(true)
			if strings.Contains(tt.want, "standard IP") != (err != nil) {
				t.Fatalf("NewWebhook(%s) allowing private = %v; want refused only if not a standard address", tt.url, err)
			}
		})
	}
}
