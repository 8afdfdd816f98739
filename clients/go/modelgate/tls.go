package modelgate

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	v1 "modelgate.dev/client/modelgatev1"
)

// ALPNProtocol is the ALPN protocol id the client offers over TLS; a ModelGate
// server refuses a TLS client that offers anything else.
const ALPNProtocol = "modelgate/1"

// TLSOptions say how to connect to a server started with
// `modelgate serve --tls-cert FILE --tls-key FILE`. The server's certificate
// and name are always verified; there is deliberately no option to skip that
// (a development server's CA comes from `modelgate tls self-signed --out DIR`).
//
//	c, err := modelgate.Dial(ctx, "models.example.com:7070", modelgate.Options{
//		Credentials: creds,
//		Dial:        modelgate.DialOptions{TLS: &modelgate.TLSOptions{CAFile: "tls/ca.pem"}},
//	})
type TLSOptions struct {
	// CAFile is a PEM file of the CA(s) that issued the server's certificate;
	// empty means the system's trust store.
	CAFile string
	// ServerName is the name the server's certificate must carry, also sent as
	// SNI; empty means the host dialled (an IP address is checked against the
	// certificate's IP addresses and sends no SNI).
	ServerName string
	// CertFile and KeyFile are a client certificate and its key, for a server
	// that requires one (`--tls-client-ca`). Both or neither.
	CertFile, KeyFile string
}

// TLSOptionsFromEnv reads MODELGATE_TLS (1/true/yes/on, 0/false/no/off),
// MODELGATE_TLS_CA, MODELGATE_TLS_SERVER_NAME, MODELGATE_TLS_CERT and
// MODELGATE_TLS_KEY. It returns nil (plaintext) when none is set or
// MODELGATE_TLS turns TLS off; any of the others turns it on.
func TLSOptionsFromEnv() (*TLSOptions, error) {
	flag := strings.ToLower(strings.TrimSpace(os.Getenv("MODELGATE_TLS")))
	switch flag {
	case "0", "false", "no", "off":
		return nil, nil
	case "", "1", "true", "yes", "on":
	default:
		return nil, newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "MODELGATE_TLS is %q: expected 1 or 0", os.Getenv("MODELGATE_TLS"))
	}
	options := TLSOptions{
		CAFile:     os.Getenv("MODELGATE_TLS_CA"),
		ServerName: os.Getenv("MODELGATE_TLS_SERVER_NAME"),
		CertFile:   os.Getenv("MODELGATE_TLS_CERT"),
		KeyFile:    os.Getenv("MODELGATE_TLS_KEY"),
	}
	if flag == "" && options == (TLSOptions{}) {
		return nil, nil
	}
	return &options, nil
}

// Config builds the tls.Config for these options: TLS 1.2 or later, ALPN
// modelgate/1, the server verified against CAFile (or the system's roots).
// host is the host dialled, used when ServerName is empty. A file that cannot
// be used is INVALID_ARGUMENT naming it.
func (o TLSOptions) Config(host string) (*tls.Config, error) {
	config := &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{ALPNProtocol},
		ServerName: o.serverName(host),
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "cannot read TLS CA file %q: %v", o.CAFile, unwrapPathError(err))
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "TLS CA file %q holds no PEM certificate", o.CAFile)
		}
		config.RootCAs = roots
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "a TLS client certificate needs both a certificate file and a key file")
	}
	if o.CertFile != "" {
		certificate, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "cannot load TLS client certificate %q and key %q: %v",
				o.CertFile, o.KeyFile, unwrapPathError(err))
		}
		config.Certificates = []tls.Certificate{certificate}
	}
	return config, nil
}

func (o TLSOptions) serverName(host string) string {
	if o.ServerName != "" {
		return o.ServerName
	}
	return strings.Trim(host, "[]")
}

// clientConfig is the tls.Config DialConn uses: TLSConfig (completed with
// ALPN, TLS 1.2 and the server name where it leaves them out), else one built
// from TLS, else nil (plaintext).
func (options DialOptions) clientConfig(address string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	if options.TLSConfig != nil {
		config := options.TLSConfig.Clone()
		if len(config.NextProtos) == 0 {
			config.NextProtos = []string{ALPNProtocol}
		}
		if config.MinVersion < tls.VersionTLS12 {
			config.MinVersion = tls.VersionTLS12
		}
		if config.ServerName == "" {
			config.ServerName = host
			if options.TLS != nil {
				config.ServerName = options.TLS.serverName(host)
			}
		}
		return config, nil
	}
	if options.TLS != nil {
		return options.TLS.Config(host)
	}
	return nil, nil
}

// tlsError says why a TLS connection failed, and what to change, as UNAVAILABLE.
func tlsError(address string, config *tls.Config, options *TLSOptions, err error) *Error {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &hostname):
		return unavailable("TLS to %s: the server's certificate is not valid for %q (%v); connect by a name "+
			"the certificate carries or set ServerName", address, config.ServerName, hostname)
	case errors.As(err, &unknown):
		trust := "the system trust store"
		if options != nil && options.CAFile != "" {
			trust = fmt.Sprintf("CA file %q", options.CAFile)
		} else if config.RootCAs != nil {
			trust = "the given RootCAs"
		}
		return unavailable("TLS to %s: the server's certificate is not trusted by %s (%v); pass the CA that "+
			"issued it as CAFile", address, trust, unknown)
	case errors.As(err, &invalid):
		return unavailable("TLS to %s: the server's certificate is not valid: %v", address, invalid)
	}
	text := err.Error()
	hint := ""
	switch {
	case strings.Contains(text, "certificate required"), strings.Contains(text, "bad certificate"),
		strings.Contains(text, "unknown certificate authority"), strings.Contains(text, "handshake failure"):
		hint = "; the server may require a client certificate it trusts (CertFile, KeyFile)"
	case strings.Contains(text, "does not look like a TLS handshake"):
		hint = "; is the server serving TLS on this port?"
	case strings.Contains(text, "no application protocol"):
		hint = "; the server does not speak ALPN " + ALPNProtocol
	}
	return unavailable("TLS to %s failed: %v%s", address, err, hint)
}

func unwrapPathError(err error) error {
	var path *os.PathError
	if errors.As(err, &path) {
		return path.Err
	}
	return err
}

// isTLSAlert says whether err is an alert from the server or a TLS-level
// failure (crypto/tls does not export its alert type).
func isTLSAlert(err error) bool {
	var record tls.RecordHeaderError
	return errors.As(err, &record) || strings.Contains(err.Error(), "tls: ")
}
