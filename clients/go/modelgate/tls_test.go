package modelgate

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "modelgate.dev/client/modelgatev1"
)

func expectInvalid(t *testing.T, err error, want string) {
	t.Helper()
	status, ok := err.(*Error)
	if !ok || status.Code != v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT || !strings.Contains(status.Message, want) {
		t.Fatalf("got %v, want INVALID_ARGUMENT saying %q", err, want)
	}
}

func TestTLSConfigIsTLS12OrLaterWithALPNAndTheHostAsServerName(t *testing.T) {
	config, err := TLSOptions{}.Config("[::1]")
	if err != nil {
		t.Fatal(err)
	}
	if config.MinVersion != tls.VersionTLS12 || len(config.NextProtos) != 1 || config.NextProtos[0] != "modelgate/1" ||
		config.ServerName != "::1" || config.InsecureSkipVerify || config.RootCAs != nil {
		t.Fatalf("config %+v", config)
	}
	config, _ = TLSOptions{ServerName: "models.example.com"}.Config("10.0.0.5")
	if config.ServerName != "models.example.com" {
		t.Fatalf("server name %q", config.ServerName)
	}
}

func TestAGivenTLSConfigIsCompletedNotWeakened(t *testing.T) {
	config, err := DialOptions{TLSConfig: &tls.Config{MinVersion: tls.VersionTLS10}}.clientConfig("localhost:7070")
	if err != nil {
		t.Fatal(err)
	}
	if config.MinVersion != tls.VersionTLS12 || config.NextProtos[0] != ALPNProtocol || config.ServerName != "localhost" {
		t.Fatalf("config %+v", config)
	}
	if config, _ := (DialOptions{}).clientConfig("localhost:7070"); config != nil {
		t.Fatal("no TLS options, yet a TLS config")
	}
}

func TestUnusableTLSFilesAreInvalidArgumentsNamingThem(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	_, err := TLSOptions{CAFile: missing}.Config("localhost")
	expectInvalid(t, err, missing)
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = TLSOptions{CAFile: junk}.Config("localhost")
	expectInvalid(t, err, "holds no PEM certificate")
	_, err = TLSOptions{CertFile: junk, KeyFile: junk}.Config("localhost")
	expectInvalid(t, err, junk)
	_, err = TLSOptions{CertFile: junk}.Config("localhost")
	expectInvalid(t, err, "both a certificate file and a key file")
	_, err = DialConn(background(t), "127.0.0.1:1", DialOptions{TLS: &TLSOptions{CAFile: missing}})
	expectInvalid(t, err, missing)
}

func TestTLSOptionsComeFromTheEnvironment(t *testing.T) {
	for _, name := range []string{"MODELGATE_TLS", "MODELGATE_TLS_CA", "MODELGATE_TLS_SERVER_NAME", "MODELGATE_TLS_CERT", "MODELGATE_TLS_KEY"} {
		t.Setenv(name, "")
	}
	if options, err := TLSOptionsFromEnv(); options != nil || err != nil {
		t.Fatalf("nothing set: %v, %v", options, err)
	}
	t.Setenv("MODELGATE_TLS", "yes")
	if options, err := TLSOptionsFromEnv(); options == nil || *options != (TLSOptions{}) || err != nil {
		t.Fatalf("MODELGATE_TLS=yes: %v, %v", options, err)
	}
	t.Setenv("MODELGATE_TLS", "")
	t.Setenv("MODELGATE_TLS_CA", "/etc/ca.pem")
	if options, _ := TLSOptionsFromEnv(); options == nil || options.CAFile != "/etc/ca.pem" {
		t.Fatalf("MODELGATE_TLS_CA: %v", options)
	}
	t.Setenv("MODELGATE_TLS", "off")
	if options, _ := TLSOptionsFromEnv(); options != nil {
		t.Fatalf("MODELGATE_TLS=off: %v", options)
	}
	t.Setenv("MODELGATE_TLS", "maybe")
	_, err := TLSOptionsFromEnv()
	expectInvalid(t, err, "MODELGATE_TLS")
}
