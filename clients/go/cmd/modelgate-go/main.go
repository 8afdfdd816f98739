// Command modelgate-go scores a ModelGate service from the Go client.
//
//	modelgate-go score  -w WORKSPACE -n SERVICE [--key KEY] '{"data": [[1, 2, 3]]}'   (or @request.json)
//	modelgate-go stream -w WORKSPACE -n SERVICE [--key KEY] requests.jsonl            (or - for stdin)
//
// score prints the answer's body. stream sends every line (one JSON request
// each) on one ScoreStream call with many requests in flight and prints one
// line per request in the order of the input (request id = line number,
// from 0): the body, or {"error": {"code": ..., "message": ...}}; it exits 1
// when any request failed.
//
// Without --key it signs in (--credentials, else MODELGATE_CREDENTIALS, else
// <MODELGATE_DATA_DIR or ~/.modelgate>/credentials.json) and uses the
// service's primary key, or a scoring token when the service has token auth.
// The server is --server, else MODELGATE_SERVER, else the credentials file's,
// else 127.0.0.1:7070.
//
// TLS (a server started with --tls-cert/--tls-key): --tls (the system trust
// store), --tls-ca FILE (verify the server against this CA), --tls-server-name
// NAME (the name its certificate must carry; default: the host dialled),
// --tls-cert FILE --tls-key FILE (a client certificate); any of the --tls-*
// options turns TLS on. Defaults come from MODELGATE_TLS, MODELGATE_TLS_CA,
// MODELGATE_TLS_SERVER_NAME, MODELGATE_TLS_CERT and MODELGATE_TLS_KEY.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"modelgate.dev/client/modelgate"
	v1 "modelgate.dev/client/modelgatev1"
)

const usage = `usage: modelgate-go score  -w WORKSPACE -n SERVICE [--key KEY] [--server HOST:PORT] [--credentials FILE] [TLS] JSON|@FILE
       modelgate-go stream -w WORKSPACE -n SERVICE [--key KEY] [--server HOST:PORT] [--credentials FILE] [TLS] FILE|-
TLS:   [--tls] [--tls-ca FILE] [--tls-server-name NAME] [--tls-cert FILE --tls-key FILE]`

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "score" && os.Args[1] != "stream") {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code, err := run(ctx, os.Args[1], os.Args[2:], os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
	}
	os.Exit(code)
}

type options struct {
	workspace, service, key, server, credentials string
	timeout                                      time.Duration
	tls                                          *modelgate.TLSOptions
}

func parse(command string, args []string) (options, string, error) {
	var o options
	flags := flag.NewFlagSet(command, flag.ContinueOnError)
	flags.StringVar(&o.workspace, "w", os.Getenv("MODELGATE_WORKSPACE"), "workspace")
	flags.StringVar(&o.workspace, "workspace", os.Getenv("MODELGATE_WORKSPACE"), "workspace")
	flags.StringVar(&o.service, "n", "", "service name")
	flags.StringVar(&o.service, "name", "", "service name")
	flags.StringVar(&o.key, "key", "", "service key or scoring token (default: fetched after signing in)")
	flags.StringVar(&o.server, "server", "", "server HOST:PORT")
	flags.StringVar(&o.credentials, "credentials", "", "credentials file")
	flags.DurationVar(&o.timeout, "timeout", 0, "time allowed for the whole command (0: none)")
	fromEnv, err := modelgate.TLSOptionsFromEnv()
	if err != nil {
		return o, "", err
	}
	var tlsOptions modelgate.TLSOptions
	if fromEnv != nil {
		tlsOptions = *fromEnv
	}
	useTLS := flags.Bool("tls", fromEnv != nil, "connect over TLS (verifying the server against the system trust store unless --tls-ca)")
	flags.StringVar(&tlsOptions.CAFile, "tls-ca", tlsOptions.CAFile, "PEM file of the CA that issued the server's certificate")
	flags.StringVar(&tlsOptions.ServerName, "tls-server-name", tlsOptions.ServerName, "the name the server's certificate must carry (default: the host dialled)")
	flags.StringVar(&tlsOptions.CertFile, "tls-cert", tlsOptions.CertFile, "client certificate (PEM), for a server that requires one")
	flags.StringVar(&tlsOptions.KeyFile, "tls-key", tlsOptions.KeyFile, "the client certificate's key (PEM)")
	if err := flags.Parse(args); err != nil {
		return o, "", err
	}
	if *useTLS || tlsOptions != (modelgate.TLSOptions{}) {
		o.tls = &tlsOptions
	}
	if flags.NArg() != 1 || o.workspace == "" || o.service == "" {
		return o, "", errors.New("give -w WORKSPACE, -n SERVICE and one input\n" + usage)
	}
	return o, flags.Arg(0), nil
}

func run(ctx context.Context, command string, args []string, out io.Writer) (int, error) {
	o, input, err := parse(command, args)
	if err != nil {
		return 2, err
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	client, key, err := connect(ctx, o)
	if err != nil {
		return 1, err
	}
	defer client.Close()
	if command == "score" {
		return score(ctx, client, o, key, input, out)
	}
	return stream(ctx, client, o, key, input, out)
}

// connect dials the server and finds the key: --key, else the primary key,
// else (a token-auth service) a scoring token, else none (auth off).
func connect(ctx context.Context, o options) (*modelgate.Client, string, error) {
	var credentials *modelgate.Credentials
	path := o.credentials
	if path == "" {
		path = modelgate.DefaultCredentialsPath()
	}
	if loaded, err := modelgate.LoadCredentials(path); err == nil {
		credentials = loaded
	} else if o.credentials != "" || o.key == "" {
		return nil, "", err
	}
	server := o.server
	for _, candidate := range []string{os.Getenv("MODELGATE_SERVER"), serverOf(credentials), modelgate.DefaultServer} {
		if server == "" {
			server = candidate
		}
	}
	client, err := modelgate.Dial(ctx, server, modelgate.Options{Credentials: credentials, Dial: modelgate.DialOptions{TLS: o.tls}})
	if err != nil {
		return nil, "", err
	}
	if o.key != "" {
		return client, o.key, nil
	}
	keys, err := client.GetKeys(ctx, o.workspace, o.service)
	if err == nil {
		return client, keys.PrimaryKey, nil
	}
	if modelgate.CodeOf(err) != v1.StatusCode_STATUS_CODE_FAILED_PRECONDITION {
		client.Close()
		return nil, "", err
	}
	token, err := client.GetToken(ctx, o.workspace, o.service)
	if err == nil {
		return client, token.Token, nil
	}
	if modelgate.CodeOf(err) == v1.StatusCode_STATUS_CODE_FAILED_PRECONDITION {
		return client, "", nil // neither keys nor tokens: auth is off
	}
	client.Close()
	return nil, "", err
}

func serverOf(credentials *modelgate.Credentials) string {
	if credentials == nil {
		return ""
	}
	return credentials.Server
}

func score(ctx context.Context, client *modelgate.Client, o options, key, input string, out io.Writer) (int, error) {
	body := []byte(input)
	if strings.HasPrefix(input, "@") {
		var err error
		if body, err = os.ReadFile(input[1:]); err != nil {
			return 2, err
		}
	}
	response, err := client.Score(ctx, o.workspace, o.service, key, body)
	if err != nil {
		return 1, err
	}
	fmt.Fprintln(out, strings.TrimRight(string(response.Body), "\n"))
	return 0, nil
}

// stream sends the file's lines while it prints answers; answers arriving out
// of order wait until every earlier one is printed.
func stream(ctx context.Context, client *modelgate.Client, o options, key, input string, out io.Writer) (int, error) {
	file := os.Stdin
	if input != "-" {
		var err error
		if file, err = os.Open(input); err != nil {
			return 2, err
		}
		defer file.Close()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	calls, err := client.ScoreStream(ctx, o.workspace, o.service, key)
	if err != nil {
		return 1, err
	}
	defer calls.Cancel()
	sent := make(chan error, 1)
	total := make(chan int, 1)
	go func() {
		lines := bufio.NewScanner(file)
		lines.Buffer(make([]byte, 64*1024), 64*1024*1024)
		n := 0
		for lines.Scan() {
			line := strings.TrimSpace(lines.Text())
			if line == "" {
				continue
			}
			if err := calls.SendBody(ctx, strconv.Itoa(n), []byte(line)); err != nil {
				sent <- err
				return
			}
			n++
		}
		total <- n
		if err := lines.Err(); err != nil {
			calls.Cancel()
			sent <- err
			return
		}
		sent <- calls.CloseSend()
	}()
	writer := bufio.NewWriter(out)
	defer writer.Flush()
	waiting := map[int]*v1.ScoreResponse{}
	next, failed := 0, 0
	for {
		response, err := calls.Recv(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 1, err
		}
		index, convErr := strconv.Atoi(response.RequestId)
		if convErr != nil || index < next || waiting[index] != nil {
			return 1, fmt.Errorf("the server answered an unknown or repeated request id %q", response.RequestId)
		}
		waiting[index] = response
		for waiting[next] != nil {
			if !printResult(writer, waiting[next]) {
				failed++
			}
			delete(waiting, next)
			next++
		}
	}
	if err := <-sent; err != nil {
		return 1, err
	}
	if n := <-total; next != n || len(waiting) != 0 {
		return 1, fmt.Errorf("the call ended with %d of %d answers", next+len(waiting), n)
	}
	if failed > 0 {
		writer.Flush()
		return 1, fmt.Errorf("%d of %d requests failed", failed, next)
	}
	return 0, nil
}

// printResult prints one answer line; false for a failed request.
func printResult(w io.Writer, response *v1.ScoreResponse) bool {
	if response.Code == v1.StatusCode_STATUS_CODE_OK {
		fmt.Fprintln(w, strings.TrimRight(string(response.Body), "\n"))
		return true
	}
	line, _ := json.Marshal(map[string]any{"error": map[string]string{
		"code": modelgate.CodeName(response.Code), "message": response.Message, "request_id": response.RequestId,
	}})
	fmt.Fprintln(w, string(line))
	return false
}
