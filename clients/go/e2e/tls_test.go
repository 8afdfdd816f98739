package e2e

import (
	"context"
	"crypto/tls"
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

// Two more servers, serving TLS with `modelgate tls self-signed` certificates:
// one with the example deployed (key auth), and one that also requires a client
// certificate from the CA (--tls-client-ca). Started once, by the first test
// that needs them; TestMain stops them.

type tlsEndpoints struct {
	address, credentials         string // TLS, no client certificate needed; the example deployed
	mtlsAddress, mtlsCredentials string // TLS, a client certificate from the CA required
	ca, otherCA                  string // the CA of both servers (and the client certificate); an unrelated one
	clientCert, clientKey        string
}

var (
	tlsOnce    sync.Once
	tlsServer  tlsEndpoints
	tlsFailure error
	tlsDir     string
	tlsServers []launchedServer
)

// tlsSetup starts the TLS servers once for the whole package.
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
	var err error
	if tlsDir, err = os.MkdirTemp("", "modelgate-goclient-tls-"); err != nil {
		return tlsEndpoints{}, err
	}
	certs, other := filepath.Join(tlsDir, "certs"), filepath.Join(tlsDir, "other")
	for _, dir := range []string{certs, other} {
		if out, err := exec.Command(cliBinary, "tls", "self-signed", "--out", dir).CombinedOutput(); err != nil {
			return tlsEndpoints{}, fmt.Errorf("modelgate tls self-signed: %v\n%s", err, out)
		}
	}
	endpoints := tlsEndpoints{
		ca: filepath.Join(certs, "ca.pem"), otherCA: filepath.Join(other, "ca.pem"),
		clientCert: filepath.Join(certs, "client.pem"), clientKey: filepath.Join(certs, "client-key.pem"),
	}
	serving := []string{"--tls-cert", filepath.Join(certs, "cert.pem"), "--tls-key", filepath.Join(certs, "key.pem")}
	for i, options := range [][]string{serving, append(serving, "--tls-client-ca", endpoints.ca)} {
		dir := filepath.Join(tlsDir, fmt.Sprintf("server%d", i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			return endpoints, err
		}
		server, err := launchServer(dir, options...)
		if server.process != nil {
			tlsServers = append(tlsServers, server)
		}
		if err != nil {
			return endpoints, fmt.Errorf("starting a TLS server: %v\n%s", err, tail(server.logPath))
		}
		if i == 0 {
			endpoints.address, endpoints.credentials = server.address, server.credentials
		} else {
			endpoints.mtlsAddress, endpoints.mtlsCredentials = server.address, server.credentials
		}
	}
	// The example, deployed over TLS by the modelgate CLI.
	env := []string{"MODELGATE_SERVER=" + endpoints.address, "MODELGATE_CREDENTIALS=" + endpoints.credentials,
		"MODELGATE_TLS_CA=" + endpoints.ca}
	for _, step := range [][]string{
		{"workspace", "create", "--name", workspace, "--region", "westeurope"},
		{"model", "register", "--name", "linreg", "--path", filepath.Join(example, "model")},
		{"compute", "attach", "aks", "--name", "aks1", "--cores", "4", "--memory-gb", "8"},
		{"model", "deploy", "-n", keyService, "-m", "linreg:1", "-ic", filepath.Join(example, "inferenceconfig.json"),
			"-dc", filepath.Join(example, "deploymentconfig.json"), "-ct", "aks1"},
	} {
		if _, err := cliWith(env, step...); err != nil {
			return endpoints, err
		}
	}
	return endpoints, nil
}

// stopTLS ends what tlsSetup started; TestMain calls it.
func stopTLS() {
	for _, server := range tlsServers {
		server.stop()
	}
	if tlsDir != "" {
		os.RemoveAll(tlsDir)
	}
}

func dialTLS(t *testing.T, address, credentialsFile string, options modelgate.TLSOptions) (*modelgate.Client, error) {
	t.Helper()
	credentials, err := modelgate.LoadCredentials(credentialsFile)
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
	client, err := dialTLS(t, endpoints.address, endpoints.credentials, modelgate.TLSOptions{CAFile: endpoints.ca})
	if err != nil {
		t.Fatal(err)
	}
	state, ok := client.Conn().TLSConnectionState()
	if !ok || state.NegotiatedProtocol != modelgate.ALPNProtocol || state.Version < tls.VersionTLS12 {
		t.Fatalf("TLS %v: version %x, ALPN %q", ok, state.Version, state.NegotiatedProtocol)
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
	client, err := dialTLS(t, "localhost:"+port, endpoints.credentials, modelgate.TLSOptions{CAFile: endpoints.ca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Health(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
}

func TestAServerCertificateFromAnotherCAIsRefused(t *testing.T) {
	endpoints := tlsSetup(t)
	other := endpoints.otherCA
	_, err := dialTLS(t, endpoints.address, endpoints.credentials, modelgate.TLSOptions{CAFile: other})
	expectTLSRefusal(t, err, "not trusted", other)
	_, err = dialTLS(t, endpoints.address, endpoints.credentials, modelgate.TLSOptions{})
	expectTLSRefusal(t, err, "not trusted by the system trust store")
}

func TestAServerNameTheCertificateDoesNotCarryIsRefused(t *testing.T) {
	endpoints := tlsSetup(t)
	_, err := dialTLS(t, endpoints.address, endpoints.credentials, modelgate.TLSOptions{CAFile: endpoints.ca,
		ServerName: "wrong.example"})
	expectTLSRefusal(t, err, `not valid for "wrong.example"`)
}

func TestAServerRequiringAClientCertificateGetsOne(t *testing.T) {
	endpoints := tlsSetup(t)
	client, err := dialTLS(t, endpoints.mtlsAddress, endpoints.mtlsCredentials, modelgate.TLSOptions{
		CAFile: endpoints.ca, CertFile: endpoints.clientCert, KeyFile: endpoints.clientKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t, 30*time.Second)
	if _, err := client.SignIn(ctx); err != nil {
		t.Fatal(err)
	}
	// Signed in over mutual TLS; the server has no such workspace.
	_, err = client.GetKeys(ctx, workspace, keyService)
	expectCode(t, err, v1.StatusCode_STATUS_CODE_NOT_FOUND)
}

func TestWithoutAClientCertificateAServerRequiringOneRefuses(t *testing.T) {
	endpoints := tlsSetup(t)
	_, err := dialTLS(t, endpoints.mtlsAddress, endpoints.mtlsCredentials, modelgate.TLSOptions{CAFile: endpoints.ca})
	expectTLSRefusal(t, err, "client certificate")
}

func TestATLSClientOnThePlaintextPortFailsCleanly(t *testing.T) {
	endpoints := tlsSetup(t)
	_, err := dialTLS(t, serverAddress, credentialsPath, modelgate.TLSOptions{CAFile: endpoints.ca})
	expectTLSRefusal(t, err, "TLS")
}

func TestTheCommandScoresOverTLS(t *testing.T) {
	endpoints := tlsSetup(t)
	binary := buildCommand(t)
	ca := endpoints.ca
	out, stderr, code := runCommandWith(t, binary, endpoints.credentials, "score", "--server", endpoints.address, "--tls-ca", ca,
		"-w", workspace, "-n", keyService, `{"data": [[1, 1, 1]]}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkPredictions(t, loadWeights(t), []byte(out), [][]float64{{1, 1, 1}})

	_, stderr, code = runCommandWith(t, binary, endpoints.credentials, "score", "--server", endpoints.address, "--tls-ca", ca,
		"--tls-server-name", "wrong.example", "-w", workspace, "-n", keyService, `{"data": [[1, 1, 1]]}`)
	if code != 1 || !strings.Contains(stderr, "UNAVAILABLE: TLS to "+endpoints.address) {
		t.Fatalf("a wrong server name: exit %d, %s", code, stderr)
	}
}

func TestAPlaintextClientOnATLSPortFailsCleanly(t *testing.T) {
	endpoints := tlsSetup(t)
	credentials, err := modelgate.LoadCredentials(endpoints.credentials)
	if err != nil {
		t.Fatal(err)
	}
	_, err = modelgate.Dial(testContext(t, 10*time.Second), endpoints.address, modelgate.Options{Credentials: credentials})
	expectTLSRefusal(t, err, "if it serves TLS")
}
