package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildCommand builds cmd/modelgate-go into a temporary directory.
func buildCommand(t *testing.T) string {
	t.Helper()
	requireServer(t)
	binary := filepath.Join(t.TempDir(), "modelgate-go")
	build := exec.Command("go", "build", "-o", binary, "modelgate.dev/client/cmd/modelgate-go")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return binary
}

func runCommand(t *testing.T, binary string, args ...string) (string, string, int) {
	t.Helper()
	return runCommandWith(t, binary, credentialsPath, args...)
}

// runCommandWith runs the command signing in with another server's credentials file.
func runCommandWith(t *testing.T, binary, credentials string, args ...string) (string, string, int) {
	t.Helper()
	command := exec.Command(binary, args...)
	command.Env = append(cleanEnvironment(), "MODELGATE_CREDENTIALS="+credentials)
	var stdout, stderr strings.Builder
	command.Stdout, command.Stderr = &stdout, &stderr
	err := command.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func TestTheCommandScoresOneRequestAndStreamsAFileInOrder(t *testing.T) {
	binary := buildCommand(t)
	w := loadWeights(t)

	// One request, the key fetched after signing in with the credentials file.
	out, stderr, code := runCommand(t, binary, "score", "-w", workspace, "-n", keyService, "@"+filepath.Join(example, "sample-request.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	checkPredictions(t, w, []byte(out), [][]float64{{1, 2, 3}, {0, 0, 0}, {-2.5, 4, 10}})

	// A file of 2,000 requests, one JSON per line, to the token-auth service: answers in input order.
	var lines strings.Builder
	rows := make([][]float64, 2000)
	for i := range rows {
		rows[i] = []float64{float64(i), float64(-i) / 3, 0.5}
		fmt.Fprintf(&lines, "%s\n", requestBody(rows[i:i+1]))
	}
	input := filepath.Join(t.TempDir(), "requests.jsonl")
	if err := os.WriteFile(input, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = runCommand(t, binary, "stream", "-w", workspace, "-n", tokenService, "--server", serverAddress, input)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	answers := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(answers) != len(rows) {
		t.Fatalf("%d answer lines for %d requests", len(answers), len(rows))
	}
	for i, answer := range answers {
		checkPredictions(t, w, []byte(answer), rows[i:i+1])
	}
}

func TestTheCommandReportsAFailedLineAndABadKey(t *testing.T) {
	binary := buildCommand(t)
	input := filepath.Join(t.TempDir(), "requests.jsonl")
	if err := os.WriteFile(input, []byte("{\"data\": [[1, 2, 3]]}\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCommand(t, binary, "stream", "-w", workspace, "-n", keyService, input)
	answers := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 1 || len(answers) != 2 || !strings.Contains(stderr, "1 of 2 requests failed") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	var failure struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(answers[1]), &failure); err != nil || failure.Error.Code != "INTERNAL" {
		t.Fatalf("second line %q", answers[1])
	}
	_, stderr, code = runCommand(t, binary, "score", "-w", workspace, "-n", keyService, "--key", "wrong", `{"data": [[1, 2, 3]]}`)
	if code != 1 || !strings.Contains(stderr, "UNAUTHENTICATED") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
