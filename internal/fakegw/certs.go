package fakegw

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// CA is a certificate authority generated on the fly (a root, or an
// intermediate signed by another CA).
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	DER  []byte
}

// NewRootCA makes a self-signed root valid from ten years ago for ten
// years more (long enough to cover every leaf a scenario makes).
func NewRootCA(name string) (*CA, error) {
	return newCA(name, nil)
}

// NewIntermediate makes a CA signed by ca.
func (ca *CA) NewIntermediate(name string) (*CA, error) {
	return newCA(name, ca)
}

func newCA(name string, parent *CA) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"khompctl test PKI"}},
		NotBefore:             now.Add(-10 * 365 * 24 * time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, fmt.Errorf("create CA %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, DER: der}, nil
}

// PEM is the CA certificate in PEM form (what a --cacert file holds).
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.DER})
}

// Pool is a cert pool trusting only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// LeafOptions describe a server certificate.
type LeafOptions struct {
	Hosts     []string // DNS names and IP addresses
	NotBefore time.Time
	NotAfter  time.Time
	// Chain are the CA certificates the server sends after the leaf
	// (leave out an intermediate to make an incomplete chain).
	Chain []*CA
}

// Issue makes a server certificate signed by ca. Zero times mean "valid
// from an hour ago for 90 days".
func (ca *CA) Issue(o LeafOptions) (tls.Certificate, error) {
	return issue(o, ca)
}

// SelfSigned makes a server certificate that signs itself.
func SelfSigned(o LeafOptions) (tls.Certificate, error) {
	return issue(o, nil)
}

func issue(o LeafOptions, ca *CA) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	cn := "khomp gateway"
	if len(o.Hosts) > 0 {
		cn = o.Hosts[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"khompctl fake gateway"}},
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range o.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	signer, signerKey := tmpl, key
	if ca != nil {
		signer, signerKey = ca.Cert, ca.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("create server certificate: %w", err)
	}
	chain := [][]byte{der}
	for _, c := range o.Chain {
		chain = append(chain, c.DER)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// CertKind names the certificate scenarios check-ssl must tell apart.
type CertKind string

// The scenarios. Every kind but Valid and ValidChain makes a verifying
// client (VICIdial with check_ssl => 1) fail.
const (
	Valid        CertKind = "valid"         // leaf signed by the root, for 127.0.0.1 and localhost
	ValidChain   CertKind = "valid-chain"   // leaf + intermediate sent, root trusted
	SelfSign     CertKind = "self-signed"   // leaf signs itself
	UnknownCA    CertKind = "unknown-ca"    // signed by (and sent with) a root nobody trusts
	Expired      CertKind = "expired"       // NotAfter yesterday
	NotYetValid  CertKind = "not-yet-valid" // NotBefore tomorrow
	WrongHost    CertKind = "wrong-host"    // for gateway.invalid only
	IncompleteCh CertKind = "incomplete"    // leaf signed by an intermediate the server does not send
)

// CertKinds lists every scenario.
var CertKinds = []CertKind{Valid, ValidChain, SelfSign, UnknownCA, Expired, NotYetValid, WrongHost, IncompleteCh}

// PKI is a trusted root plus an intermediate, from which every scenario's
// server certificate is made.
type PKI struct {
	Root         *CA
	Intermediate *CA
}

// NewPKI makes a fresh root and intermediate.
func NewPKI() (*PKI, error) {
	root, err := NewRootCA("khompctl test root")
	if err != nil {
		return nil, err
	}
	inter, err := root.NewIntermediate("khompctl test intermediate")
	if err != nil {
		return nil, err
	}
	return &PKI{Root: root, Intermediate: inter}, nil
}

// LoopbackHosts are the names a loopback test server's certificate covers.
var LoopbackHosts = []string{"127.0.0.1", "localhost", "::1"}

// Cert makes the server certificate for a scenario.
func (p *PKI) Cert(kind CertKind) (tls.Certificate, error) {
	now := time.Now()
	switch kind {
	case Valid:
		return p.Root.Issue(LeafOptions{Hosts: LoopbackHosts})
	case ValidChain:
		return p.Intermediate.Issue(LeafOptions{Hosts: LoopbackHosts, Chain: []*CA{p.Intermediate}})
	case SelfSign:
		return SelfSigned(LeafOptions{Hosts: LoopbackHosts})
	case UnknownCA:
		other, err := NewRootCA("untrusted root")
		if err != nil {
			return tls.Certificate{}, err
		}
		// A private CA's server usually sends its root along.
		return other.Issue(LeafOptions{Hosts: LoopbackHosts, Chain: []*CA{other}})
	case Expired:
		return p.Root.Issue(LeafOptions{Hosts: LoopbackHosts, NotBefore: now.Add(-30 * 24 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	case NotYetValid:
		return p.Root.Issue(LeafOptions{Hosts: LoopbackHosts, NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(90 * 24 * time.Hour)})
	case WrongHost:
		return p.Root.Issue(LeafOptions{Hosts: []string{"gateway.invalid"}})
	case IncompleteCh:
		return p.Intermediate.Issue(LeafOptions{Hosts: LoopbackHosts})
	}
	return tls.Certificate{}, fmt.Errorf("unknown certificate kind %q", kind)
}
