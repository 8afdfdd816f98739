package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"modelgate.dev/client/modelgate"
	v1 "modelgate.dev/client/modelgatev1"
)

func testContext(t *testing.T, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}

func expectCode(t *testing.T, err error, code v1.StatusCode) {
	t.Helper()
	var status *modelgate.Error
	if !errors.As(err, &status) {
		t.Fatalf("got %v, want %s", err, modelgate.CodeName(code))
	}
	if status.Code != code || status.Message == "" {
		t.Fatalf("got %s %q, want %s with a message", status.CodeName(), status.Message, modelgate.CodeName(code))
	}
}

func TestAKeyAuthServiceScoresTheSampleWithBothKeys(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 30*time.Second)
	w := loadWeights(t)
	keys, err := client.GetKeys(ctx, workspace, keyService)
	if err != nil {
		t.Fatal(err)
	}
	if keys.PrimaryKey == "" || keys.SecondaryKey == "" || keys.PrimaryKey == keys.SecondaryKey {
		t.Fatalf("keys %q and %q", keys.PrimaryKey, keys.SecondaryKey)
	}
	sample, err := os.ReadFile(filepath.Join(example, "sample-request.json"))
	if err != nil {
		t.Fatal(err)
	}
	var request struct{ Data [][]float64 }
	if err := json.Unmarshal(sample, &request); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{keys.PrimaryKey, keys.SecondaryKey} {
		response, err := client.Score(ctx, workspace, keyService, key, sample)
		if err != nil {
			t.Fatal(err)
		}
		checkPredictions(t, w, response.Body, request.Data)
		if response.RequestId == "" || response.ReplicaId == "" {
			t.Fatalf("response without request or replica id: %v", response)
		}
	}
}

func TestABadKeyIsUnauthenticated(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 30*time.Second)
	for _, key := range []string{"not-the-key", ""} {
		_, err := client.Score(ctx, workspace, keyService, key, requestBody([][]float64{{1, 2, 3}}))
		expectCode(t, err, v1.StatusCode_STATUS_CODE_UNAUTHENTICATED)
	}
	// The connection carries on after a failed call.
	if _, err := client.Health(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestATokenAuthServiceScoresWithATokenAndHasNoKeys(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 30*time.Second)
	token, err := client.GetToken(ctx, workspace, tokenService)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(token.Token, ".") != 2 || token.TokenType != "Bearer" {
		t.Fatalf("not a JWT bearer token: %q %q", token.Token, token.TokenType)
	}
	if refreshBy := time.UnixMilli(token.RefreshByUnixMs); !refreshBy.After(time.Now()) || token.ExpiresAtUnixMs < token.RefreshByUnixMs {
		t.Fatalf("refresh by %v, expires at %d", refreshBy, token.ExpiresAtUnixMs)
	}
	rows := [][]float64{{1, 1, 1}, {-3.5, 0.25, 8}}
	response, err := client.Score(ctx, workspace, tokenService, token.Token, requestBody(rows))
	if err != nil {
		t.Fatal(err)
	}
	checkPredictions(t, loadWeights(t), response.Body, rows)
	_, err = client.Score(ctx, workspace, tokenService, token.Token[:len(token.Token)-4]+"AAAA", requestBody(rows))
	expectCode(t, err, v1.StatusCode_STATUS_CODE_UNAUTHENTICATED)
	_, err = client.GetKeys(ctx, workspace, tokenService)
	expectCode(t, err, v1.StatusCode_STATUS_CODE_FAILED_PRECONDITION)
}

func TestTenThousandRequestsStreamedOnOneCallGiveTenThousandCorrectAnswers(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 60*time.Second)
	w := loadWeights(t)
	keys, err := client.GetKeys(ctx, workspace, keyService)
	if err != nil {
		t.Fatal(err)
	}
	const n = 10_000
	rows := make([][]float64, n)
	bodies := make([][]byte, n)
	for i := range rows {
		rows[i] = []float64{float64(i) * 0.5, float64(i%7) - 3, 1 / float64(i+1)}
		bodies[i] = requestBody(rows[i : i+1])
	}
	results, err := client.ScoreMany(ctx, workspace, keyService, keys.PrimaryKey, bodies)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != n {
		t.Fatalf("%d results", len(results))
	}
	replicas := map[string]bool{}
	for i, result := range results {
		if result.Code != v1.StatusCode_STATUS_CODE_OK {
			t.Fatalf("request %d: %s %s", i, result.Code, result.Message)
		}
		checkPredictions(t, w, result.Body, rows[i:i+1])
		replicas[result.ReplicaId] = true
	}
	t.Logf("%d answers from %d replica(s)", n, len(replicas))
}

func TestAFailedRequestInAStreamFailsOnlyItsOwnResult(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 30*time.Second)
	keys, err := client.GetKeys(ctx, workspace, keyService)
	if err != nil {
		t.Fatal(err)
	}
	bodies := [][]byte{requestBody([][]float64{{1, 2, 3}}), []byte("not json"), requestBody([][]float64{{0, 0, 0}})}
	results, err := client.ScoreMany(ctx, workspace, keyService, keys.PrimaryKey, bodies)
	if err != nil {
		t.Fatal(err)
	}
	codes := []v1.StatusCode{results[0].Code, results[1].Code, results[2].Code}
	if codes[0] != v1.StatusCode_STATUS_CODE_OK || codes[1] != v1.StatusCode_STATUS_CODE_INTERNAL || codes[2] != v1.StatusCode_STATUS_CODE_OK {
		t.Fatalf("codes %v", codes)
	}
	checkPredictions(t, loadWeights(t), results[2].Body, [][]float64{{0, 0, 0}})
}

func TestAStreamWithABadKeyAnswersEachRequestUnauthenticated(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 30*time.Second)
	bodies := [][]byte{requestBody([][]float64{{1, 2, 3}}), requestBody([][]float64{{3, 2, 1}})}
	results, err := client.ScoreMany(ctx, workspace, keyService, "wrong", bodies)
	if err != nil {
		t.Fatal(err)
	}
	for i, result := range results {
		if result.Code != v1.StatusCode_STATUS_CODE_UNAUTHENTICATED {
			t.Fatalf("request %d: %s", i, result.Code)
		}
	}
}

func TestManyConcurrentUnaryCallsShareOneConnection(t *testing.T) {
	client := connect(t)
	ctx := testContext(t, 60*time.Second)
	w := loadWeights(t)
	token, err := client.GetToken(ctx, workspace, tokenService)
	if err != nil {
		t.Fatal(err)
	}
	const callers = 300 // above the server's 100 concurrent streams: callers wait for a slot
	var wg sync.WaitGroup
	failures := make(chan string, callers)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rows := [][]float64{{float64(i), 2, -1}}
			response, err := client.Score(ctx, workspace, tokenService, token.Token, requestBody(rows))
			if err != nil {
				failures <- err.Error()
				return
			}
			var output struct{ Predictions []float64 }
			if json.Unmarshal(response.Body, &output) != nil || len(output.Predictions) != 1 ||
				absDiff(output.Predictions[0], w.predict(rows[0])) > 1e-9 {
				failures <- "wrong answer " + string(response.Body)
			}
		}(i)
	}
	wg.Wait()
	close(failures)
	for failure := range failures {
		t.Fatal(failure)
	}
}

func absDiff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestADeadlineEndsTheCallWithDeadlineExceeded(t *testing.T) {
	client := connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	_, err := client.Score(ctx, workspace, keyService, "any", requestBody([][]float64{{1, 2, 3}}))
	expectCode(t, err, v1.StatusCode_STATUS_CODE_DEADLINE_EXCEEDED)
	// The connection is still good.
	if _, err := client.Health(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
}
