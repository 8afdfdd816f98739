package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"modelgate.dev/client/modelgate"
	v1 "modelgate.dev/client/modelgatev1"
)

// The test server reached over TLS. Test certificates and a TLS terminator in
// front of the plaintext server come from clients/python/tests/tls_fixture.py
// (the openssl binary and Python's ssl), shared with the other clients' tests.

type tlsEndpoints struct {
	address     string // TLS, no client certificate needed
	mtlsAddress string // TLS, a client certificate from the test CA required
	certs       string // ca.pem, other-ca.pem, client.pem, client-key.pem
}

var (
	tlsOnce    sync.Once
	tlsServer  tlsEndpoints
	tlsFailure error
	tlsProxies []*exec.Cmd
)

var tlsFixture = filepath.Join(repo, "clients", "python", "tests", "tls_fixture.py")

// tlsSetup starts the TLS endpoints once for the whole package.
func tlsSetup(t *testing.T) tlsEndpoints {
	t.Helper()
	requireServer(t)
	tlsOnce.Do(func() { tlsServer, tlsFailure = startTLS() })
	if tlsFailure != nil {
		t.Fatal(tlsFailure)
	}
	return tlsServer
}

func startTLS() (tlsEndpoints, error) {
	certs, err := os.MkdirTemp("", "modelgate-goclient-tls-")
	if err != nil {
		return tlsEndpoints{}, err
	}
	if out, err := exec.Command("python3", tlsFixture, "certs", certs).CombinedOutput(); err != nil {
		return tlsEndpoints{}, fmt.Errorf("making test certificates: %v\n%s", err, out)
	}
	var addresses []string
	for _, clientCA := range []string{"", filepath.Join(certs, "ca.pem")} {
		args := []string{tlsFixture, "proxy", "--upstream", serverAddress,
			"--cert", filepath.Join(certs, "cert.pem"), "--key", filepath.Join(certs, "key.pem")}
		if clientCA != "" {
			args = append(args, "--client-ca", clientCA)
		}
		proxy := exec.Command("python3", args...)
		stdout, err := proxy.StdoutPipe()
		if err != nil {
			return tlsEndpoints{}, err
		}
		if err := proxy.Start(); err != nil {
			return tlsEndpoints{}, err
		}
		tlsProxies = append(tlsProxies, proxy)
		port, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			return tlsEndpoints{}, fmt.Errorf("the TLS proxy wrote no port: %v", err)
		}
		addresses = append(addresses, "127.0.0.1:"+strings.TrimSpace(port))
	}
	return tlsEndpoints{address: addresses[0], mtlsAddress: addresses[1], certs: certs}, nil
}

// stopTLS ends what tlsSetup started; TestMain calls it.
func stopTLS() {
	for _, proxy := range tlsProxies {
		proxy.Process.Kill()
		proxy.Wait()
	}
	if tlsServer.certs != "" {
		os.RemoveAll(tlsServer.certs)
	}
}

func dialTLS(t *testing.T, address string, options modelgate.TLSOptions) (*modelgate.Client, error) {
	t.Helper()
	credentials, err := modelgate.LoadCredentials(credentialsPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := modelgate.Dial(ctx, address, modelgate.Options{Credentials: credentials,
		Dial: modelgate.DialOptions{TLS: &options}})
	if err == nil {
		t.Cleanup(func() { client.Close() })
	}
	return client, err
}

func expectTLSRefusal(t *testing.T, err error, wants ...string) {
	t.Helper()
	var status *modelgate.Error
	if !errors.As(err, &status) || status.Code != v1.StatusCode_STATUS_CODE_UNAVAILABLE {
		t.Fatalf("got %v, want UNAVAILABLE", err)
	}
	t.Logf("refused: %s", status.Message)
	for _, want := range wants {
		if !strings.Contains(status.Message, want) {
			t.Fatalf("message %q does not say %q", status.Message, want)
		}
	}
}

func TestScoresOverTLSVerifyingTheServerAgainstTheCAFile(t *testing.T) {
	endpoints := tlsSetup(t)
	client, err := dialTLS(t, endpoints.address, modelgate.TLSOptions{CAFile: filepath.Join(endpoints.certs, "ca.pem")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t, 60*time.Second)
	w := loadWeights(t)
	keys, err := client.GetKeys(ctx, workspace, keyService)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]float64{{1, 2, 3}, {-1, 0.5, 4}}
	response, err := client.Score(ctx, workspace, keyService, keys.PrimaryKey, requestBody(rows))
	if err != nil {
		t.Fatal(err)
	}
	checkPredictions(t, w, response.Body, rows)

	bodies := make([][]byte, 500)
	for i := range bodies {
		bodies[i] = requestBody([][]float64{{float64(i), -1, 0.25}})
	}
	responses, err := client.ScoreMany(ctx, workspace, keyService, keys.PrimaryKey, bodies)
	if err != nil {
		t.Fatal(err)
	}
	for i, response := range responses {
		if response.Code != v1.StatusCode_STATUS_CODE_OK {
			t.Fatalf("request %d: %s %s", i, modelgate.CodeName(response.Code), response.Message)
		}
		checkPredictions(t, w, response.Body, [][]float64{{float64(i), -1, 0.25}})
	}
}

func TestTheServerNameMayBeADNSNameInTheCertificate(t *testing.T) {
	endpoints := tlsSetup(t)
	_, port, _ := net.SplitHostPort(endpoints.address)
	client, err := dialTLS(t, "localhost:"+port, modelgate.TLSOptions{CAFile: filepath.Join(endpoints.certs, "ca.pem")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Health(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestAServerCertificateFromAnotherCAIsRefused(t *testing.T) {
	endpoints := tlsSetup(t)
	other := filepath.Join(endpoints.certs, "other-ca.pem")
	_, err := dialTLS(t, endpoints.address, modelgate.TLSOptions{CAFile: other})
	expectTLSRefusal(t, err, "not trusted", other)
	_, err = dialTLS(t, endpoints.address, modelgate.TLSOptions{})
	expectTLSRefusal(t, err, "not trusted by the system trust store")
}

func TestAServerNameTheCertificateDoesNotCarryIsRefused(t *testing.T) {
	endpoints := tlsSetup(t)
	_, err := dialTLS(t, endpoints.address, modelgate.TLSOptions{CAFile: filepath.Join(endpoints.certs, "ca.pem"),
		ServerName: "wrong.example"})
	expectTLSRefusal(t, err, `not valid for "wrong.example"`)
}

func TestAServerRequiringAClientCertificateGetsOne(t *testing.T) {
	endpoints := tlsSetup(t)
	client, err := dialTLS(t, endpoints.mtlsAddress, modelgate.TLSOptions{
		CAFile:   filepath.Join(endpoints.certs, "ca.pem"),
		CertFile: filepath.Join(endpoints.certs, "client.pem"),
		KeyFile:  filepath.Join(endpoints.certs, "client-key.pem"),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t, 30*time.Second)
	keys, err := client.GetKeys(ctx, workspace, keyService)
	if err != nil {
		t.Fatal(err)
	}
	response, err := client.Score(ctx, workspace, keyService, keys.SecondaryKey, requestBody([][]float64{{0, 1, 0}}))
	if err != nil {
		t.Fatal(err)
	}
	checkPredictions(t, loadWeights(t), response.Body, [][]float64{{0, 1, 0}})
}

func TestWithoutAClientCertificateAServerRequiringOneRefuses(t *testing.T) {
	endpoints := tlsSetup(t)
	_, err := dialTLS(t, endpoints.mtlsAddress, modelgate.TLSOptions{CAFile: filepath.Join(endpoints.certs, "ca.pem")})
	expectTLSRefusal(t, err, "client certificate")
}

func TestATLSClientOnThePlaintextPortFailsCleanly(t *testing.T) {
	endpoints := tlsSetup(t)
	_, err := dialTLS(t, serverAddress, modelgate.TLSOptions{CAFile: filepath.Join(endpoints.certs, "ca.pem")})
	expectTLSRefusal(t, err, "TLS")
}

func TestTheCommandScoresOverTLS(t *testing.T) {
	endpoints := tlsSetup(t)
	binary := buildCommand(t)
	ca := filepath.Join(endpoints.certs, "ca.pem")
	out, stderr, code := runCommand(t, binary, "score", "--server", endpoints.address, "--tls-ca", ca,
		"-w", workspace, "-n", keyService, `{"data": [[1, 1, 1]]}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkPredictions(t, loadWeights(t), []byte(out), [][]float64{{1, 1, 1}})

	_, stderr, code = runCommand(t, binary, "score", "--server", endpoints.address, "--tls-ca", ca,
		"--tls-server-name", "wrong.example", "-w", workspace, "-n", keyService, `{"data": [[1, 1, 1]]}`)
	if code != 1 || !strings.Contains(stderr, "UNAVAILABLE: TLS to "+endpoints.address) {
		t.Fatalf("a wrong server name: exit %d, %s", code, stderr)
	}
}
