package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"modelgate.dev/client/modelgate"
)

// The server every test here shares: started once by TestMain, with the
// example deployed twice (key auth and token auth) by the modelgate CLI.

const (
	workspace    = "go-e2e"
	keyService   = "linreg-go"
	tokenService = "linreg-go-token"
)

var (
	repo    = mustAbs(filepath.Join("..", "..", ".."))
	example = filepath.Join(repo, "examples", "linear-regression")

	serverAddress   string
	credentialsPath string
	cliBinary       string
	skipReason      string
)

func mustAbs(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		panic(err)
	}
	return abs
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	cliBinary = os.Getenv("MODELGATE_BIN")
	if cliBinary == "" {
		cliBinary = filepath.Join(repo, ".build", "debug", "modelgate")
	}
	if info, err := os.Stat(cliBinary); err != nil || info.IsDir() {
		message := "no modelgate binary at " + cliBinary + ": run `swift build --product modelgate` (or set MODELGATE_BIN)"
		if os.Getenv("MODELGATE_REQUIRE_E2E") == "1" {
			fmt.Fprintln(os.Stderr, "FAIL:", message)
			return 1
		}
		skipReason = message
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "modelgate-goclient-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	server, exited, logPath, err := startServer(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: starting the server:", err, "\n", tail(logPath))
		return 1
	}
	defer func() {
		server.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			server.Kill()
			<-exited
		}
	}()
	if err := deployExample(dir); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: deploying the example:", err, "\nserver log:\n", tail(logPath))
		return 1
	}
	code := m.Run()
	stopTLS()
	if code != 0 {
		fmt.Fprintln(os.Stderr, "server log:\n", tail(logPath))
	}
	return code
}

// startServer runs `modelgate serve` on a free port with its data in dir and
// waits for it to write its address to credentials.json.
func startServer(dir string) (*os.Process, <-chan error, string, error) {
	server, err := launchServer(dir)
	if err != nil {
		return nil, nil, server.logPath, err
	}
	serverAddress, credentialsPath = server.address, server.credentials
	return server.process, server.exited, server.logPath, nil
}

// launchedServer is a `modelgate serve` process and where to reach it.
type launchedServer struct {
	process              *os.Process
	exited               <-chan error
	logPath              string
	address, credentials string
}

// launchServer runs `modelgate serve [options]` on a free port with its data in
// dir and waits for it to write its address to credentials.json.
func launchServer(dir string, options ...string) (launchedServer, error) {
	launched := launchedServer{logPath: filepath.Join(dir, "server.log")}
	log, err := os.Create(launched.logPath)
	if err != nil {
		return launched, err
	}
	dataDir := filepath.Join(dir, "data")
	server := exec.Command(cliBinary, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir}, options...)...)
	server.Stdout, server.Stderr = log, log
	server.Env = cleanEnvironment()
	if err := server.Start(); err != nil {
		return launched, err
	}
	exited := make(chan error, 1)
	go func() { exited <- server.Wait(); log.Close() }()
	launched.process, launched.exited = server.Process, exited
	launched.credentials = filepath.Join(dataDir, "credentials.json")
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			return launched, fmt.Errorf("modelgate serve exited: %v", err)
		default:
		}
		if credentials, err := modelgate.LoadCredentials(launched.credentials); err == nil && credentials.Server != "" {
			launched.address = credentials.Server
			return launched, nil
		}
		if time.Now().After(deadline) {
			server.Process.Kill()
			<-exited
			return launched, fmt.Errorf("modelgate serve wrote no address within 60 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server (SIGINT, then SIGKILL after 20 s).
func (s launchedServer) stop() {
	if s.process == nil {
		return
	}
	s.process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.process.Kill()
		<-s.exited
	}
}

func cleanEnvironment() []string {
	var env []string
	for _, entry := range os.Environ() {
		if !strings.HasPrefix(entry, "MODELGATE_") {
			env = append(env, entry)
		}
	}
	return env
}

// cli runs the modelgate command against the test server.
func cli(args ...string) (string, error) {
	return cliWith([]string{"MODELGATE_SERVER=" + serverAddress, "MODELGATE_CREDENTIALS=" + credentialsPath}, args...)
}

// cliWith runs the modelgate command with env (the server, credentials, TLS) added.
func cliWith(env []string, args ...string) (string, error) {
	command := exec.Command(cliBinary, args...)
	command.Env = append(append(cleanEnvironment(), "MODELGATE_WORKSPACE="+workspace), env...)
	out, err := command.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("modelgate %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// deployExample registers the example model, attaches an AKS cluster and
// deploys the example twice: with its own config (key auth) and with token auth.
func deployExample(dir string) error {
	steps := [][]string{
		{"workspace", "create", "--name", workspace, "--region", "westeurope"},
		{"model", "register", "--name", "linreg", "--path", filepath.Join(example, "model")},
		{"compute", "attach", "aks", "--name", "aks1", "--cores", "4", "--memory-gb", "8"},
	}
	for _, step := range steps {
		if _, err := cli(step...); err != nil {
			return err
		}
	}
	var config map[string]any
	data, err := os.ReadFile(filepath.Join(example, "deploymentconfig.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &config); err != nil {
		return err
	}
	config["authEnabled"], config["tokenAuthEnabled"] = false, true
	tokenConfig := filepath.Join(dir, "token-deploymentconfig.json")
	data, _ = json.Marshal(config)
	if err := os.WriteFile(tokenConfig, data, 0o600); err != nil {
		return err
	}
	deploys := map[string]string{
		keyService:   filepath.Join(example, "deploymentconfig.json"),
		tokenService: tokenConfig,
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(deploys))
	for name, deploymentConfig := range deploys {
		wg.Add(1)
		go func(name, deploymentConfig string) {
			defer wg.Done()
			_, err := cli("model", "deploy", "-n", name, "-m", "linreg:1", "-ic", filepath.Join(example, "inferenceconfig.json"),
				"-dc", deploymentConfig, "-ct", "aks1")
			errs <- err
		}(name, deploymentConfig)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func tail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// Shared helpers for the tests.

func requireServer(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// connect is a client signed in as the server's Owner.
func connect(t *testing.T) *modelgate.Client {
	t.Helper()
	requireServer(t)
	credentials, err := modelgate.LoadCredentials(credentialsPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := modelgate.Dial(ctx, serverAddress, modelgate.Options{Credentials: credentials})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

type weights struct {
	Coefficients []float64 `json:"coefficients"`
	Intercept    float64   `json:"intercept"`
}

func loadWeights(t *testing.T) weights {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(example, "model", "weights.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w weights
	if err := json.Unmarshal(data, &w); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w weights) predict(row []float64) float64 {
	y := w.Intercept
	for i, x := range row {
		y += w.Coefficients[i] * x
	}
	return y
}

// checkPredictions checks a response body against the weights for rows.
func checkPredictions(t *testing.T, w weights, body []byte, rows [][]float64) {
	t.Helper()
	var output struct {
		Predictions []float64 `json:"predictions"`
	}
	if err := json.Unmarshal(body, &output); err != nil {
		t.Fatalf("not a predictions object: %q (%v)", body, err)
	}
	if len(output.Predictions) != len(rows) {
		t.Fatalf("%d predictions for %d rows: %s", len(output.Predictions), len(rows), body)
	}
	for i, row := range rows {
		want := w.predict(row)
		if got := output.Predictions[i]; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("row %v: predicted %v, the weights give %v", row, got, want)
		}
	}
}

func requestBody(rows [][]float64) []byte {
	data, _ := json.Marshal(map[string]any{"data": rows})
	return data
}
