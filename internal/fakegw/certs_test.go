package fakegw

import (
	"crypto/x509"
	"errors"
	"testing"
)

// Each scenario's certificate must fail (or pass) verification the way
// its name says, so that the tests built on it test what they claim.
func TestCertKindsVerifyAsNamed(t *testing.T) {
	pki, err := NewPKI()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range CertKinds {
		cert, err := pki.Cert(kind)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		inter := x509.NewCertPool()
		for _, der := range cert.Certificate[1:] {
			c, _ := x509.ParseCertificate(der)
			inter.AddCert(c)
		}
		_, err = leaf.Verify(x509.VerifyOptions{Roots: pki.Root.Pool(), Intermediates: inter, DNSName: "127.0.0.1"})
		valid := kind == Valid || kind == ValidChain
		if (err == nil) != valid {
			t.Errorf("%s: verify error %v", kind, err)
		}
		var ua x509.UnknownAuthorityError
		var ci x509.CertificateInvalidError
		var he x509.HostnameError
		switch kind {
		case SelfSign, UnknownCA, IncompleteCh:
			if !errors.As(err, &ua) {
				t.Errorf("%s: want unknown authority, got %v", kind, err)
			}
		case Expired, NotYetValid:
			if !errors.As(err, &ci) {
				t.Errorf("%s: want invalid certificate, got %v", kind, err)
			}
		case WrongHost:
			if !errors.As(err, &he) {
				t.Errorf("%s: want host name error, got %v", kind, err)
			}
		}
	}
	if _, err := pki.Cert("bogus"); err == nil {
		t.Error("an unknown kind must be an error")
	}
}
