// Package modelgate is a Go client for ModelGate's own RPC protocol
// (proto/modelgate/v1/transport.proto): one TCP connection carrying many
// concurrent calls, with flow control, on the official Go protobuf library.
//
//	c, err := modelgate.Dial(ctx, "127.0.0.1:7070", modelgate.Options{Credentials: creds})
//	keys, err := c.GetKeys(ctx, "ml-prod", "linreg")
//	out, err := c.Score(ctx, "ml-prod", "linreg", keys.PrimaryKey, []byte(`{"data": [[1, 2, 3]]}`))
//	results, err := c.ScoreMany(ctx, "ml-prod", "linreg", keys.PrimaryKey, bodies)
//
// Control-plane calls (GetKeys, GetToken) sign in with the principal's client
// id and secret on first use and send the access token as "authorization:
// Bearer"; scoring calls carry a service key or a scoring token instead.
package modelgate

import (
	"context"
	"io"
	"strconv"
	"sync"

	"google.golang.org/protobuf/proto"

	v1 "modelgate.dev/client/modelgatev1"
)

func method(service, name string) string { return "/modelgate.v1." + service + "/" + name }

// Options configure a Client.
type Options struct {
	// Credentials sign the client in for control-plane calls; nil for scoring only.
	Credentials *Credentials
	// Limits and TLS for the connection.
	Dial DialOptions
}

// Client is a connection to a ModelGate server and the principal it acts as.
// It is safe for concurrent use; all calls share one connection.
type Client struct {
	conn        *Conn
	credentials *Credentials

	mu          sync.Mutex
	accessToken string
}

// Dial connects to address ("host:port") and completes the handshake.
func Dial(ctx context.Context, address string, options Options) (*Client, error) {
	conn, err := DialConn(ctx, address, options.Dial)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, credentials: options.Credentials}, nil
}

// Conn is the client's connection, for calls this package has no method for.
func (c *Client) Conn() *Conn { return c.conn }

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Call makes a unary call with explicit metadata (no sign-in).
func (c *Client) Call(ctx context.Context, method string, request, response proto.Message, metadata map[string]string) error {
	payload, err := proto.Marshal(request)
	if err != nil {
		return newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "cannot encode the request: %v", err)
	}
	answer, err := c.conn.Unary(ctx, method, payload, metadata)
	if err != nil {
		return err
	}
	if err := proto.Unmarshal(answer, response); err != nil {
		return newError(v1.StatusCode_STATUS_CODE_INTERNAL, "malformed %s from the server: %v",
			response.ProtoReflect().Descriptor().FullName(), err)
	}
	return nil
}

// SignIn signs in with the client id and secret and keeps the access token for later calls.
func (c *Client) SignIn(ctx context.Context) (*v1.SignInResponse, error) {
	if c.credentials == nil {
		return nil, newError(v1.StatusCode_STATUS_CODE_UNAUTHENTICATED, "no credentials: give Options.Credentials")
	}
	response := &v1.SignInResponse{}
	request := &v1.SignInRequest{ClientId: c.credentials.ClientID, ClientSecret: c.credentials.ClientSecret}
	if err := c.Call(ctx, method("IdentityService", "SignIn"), request, response, nil); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.accessToken = response.AccessToken
	c.mu.Unlock()
	return response, nil
}

// Authorized makes a control-plane unary call with the access token, signing
// in first when there is none and once more if the server says it went stale.
func (c *Client) Authorized(ctx context.Context, method string, request, response proto.Message) error {
	c.mu.Lock()
	token := c.accessToken
	c.mu.Unlock()
	hadToken := token != ""
	if !hadToken {
		signedIn, err := c.SignIn(ctx)
		if err != nil {
			return err
		}
		token = signedIn.AccessToken
	}
	err := c.Call(ctx, method, request, response, bearer(token))
	if err == nil || !hadToken || CodeOf(err) != v1.StatusCode_STATUS_CODE_UNAUTHENTICATED {
		return err
	}
	signedIn, err := c.SignIn(ctx)
	if err != nil {
		return err
	}
	return c.Call(ctx, method, request, response, bearer(signedIn.AccessToken))
}

func bearer(credential string) map[string]string {
	if credential == "" {
		return nil
	}
	return map[string]string{"authorization": "Bearer " + credential}
}

// GetKeys is a key-auth service's primary and secondary key; FAILED_PRECONDITION without key auth.
func (c *Client) GetKeys(ctx context.Context, workspace, service string) (*v1.GetKeysResponse, error) {
	response := &v1.GetKeysResponse{}
	err := c.Authorized(ctx, method("AuthService", "GetKeys"), &v1.GetKeysRequest{Workspace: workspace, Service: service}, response)
	return response, err
}

// GetToken is a scoring token for a token-auth service, with when to refresh it.
func (c *Client) GetToken(ctx context.Context, workspace, service string) (*v1.GetTokenResponse, error) {
	response := &v1.GetTokenResponse{}
	err := c.Authorized(ctx, method("AuthService", "GetToken"), &v1.GetTokenRequest{Workspace: workspace, Service: service}, response)
	return response, err
}

// Health says whether the server is serving; it needs no credentials.
func (c *Client) Health(ctx context.Context) (*v1.HealthResponse, error) {
	response := &v1.HealthResponse{}
	err := c.Call(ctx, method("ScoringService", "Health"), &v1.HealthRequest{}, response, nil)
	return response, err
}

// Score scores one request body with a service key or scoring token (key; ""
// sends none). A failed call or a failed request is an *Error:
// UNAUTHENTICATED for a wrong key, INTERNAL when the model's run() raised.
func (c *Client) Score(ctx context.Context, workspace, service, key string, body []byte) (*v1.ScoreResponse, error) {
	return c.ScoreRequest(ctx, key, &v1.ScoreRequest{Workspace: workspace, Service: service, Body: body})
}

// ScoreRequest is Score with a whole ScoreRequest (content type, headers, version, timeout).
func (c *Client) ScoreRequest(ctx context.Context, key string, request *v1.ScoreRequest) (*v1.ScoreResponse, error) {
	response := &v1.ScoreResponse{}
	if err := c.Call(ctx, method("ScoringService", "Score"), request, response, bearer(key)); err != nil {
		return nil, err
	}
	if response.Code != v1.StatusCode_STATUS_CODE_OK {
		return response, &Error{Code: response.Code, Message: response.Message, RequestID: response.RequestId}
	}
	return response, nil
}

// ScoreStream opens one ScoringService/ScoreStream call: send many requests
// while receiving their responses, which come in any order, matched by
// request id. A failed request is a response with its code set; it never ends
// the call.
func (c *Client) ScoreStream(ctx context.Context, workspace, service, key string) (*ScoreStream, error) {
	s, err := c.conn.OpenStream(ctx, method("ScoringService", "ScoreStream"), bearer(key), "")
	if err != nil {
		return nil, err
	}
	return &ScoreStream{stream: s, workspace: workspace, service: service}, nil
}

// ScoreStream is an open streaming scoring call.
type ScoreStream struct {
	stream             *Stream
	workspace, service string
}

// Send sends one request; an empty workspace or service takes the stream's.
// It waits for flow-control credit, so a server that is behind slows the sender.
func (s *ScoreStream) Send(ctx context.Context, request *v1.ScoreRequest) error {
	if request.Workspace == "" || request.Service == "" {
		request = proto.Clone(request).(*v1.ScoreRequest)
		if request.Workspace == "" {
			request.Workspace = s.workspace
		}
		if request.Service == "" {
			request.Service = s.service
		}
	}
	payload, err := proto.Marshal(request)
	if err != nil {
		return newError(v1.StatusCode_STATUS_CODE_INVALID_ARGUMENT, "cannot encode the request: %v", err)
	}
	return s.stream.Send(ctx, payload, false)
}

// SendBody sends one body with the given request id.
func (s *ScoreStream) SendBody(ctx context.Context, requestID string, body []byte) error {
	return s.Send(ctx, &v1.ScoreRequest{RequestId: requestID, Workspace: s.workspace, Service: s.service, Body: body})
}

// CloseSend says no more requests follow; responses keep coming.
func (s *ScoreStream) CloseSend() error { return s.stream.CloseSend() }

// Recv is the next response; io.EOF when the call ended with OK, an *Error otherwise.
func (s *ScoreStream) Recv(ctx context.Context) (*v1.ScoreResponse, error) {
	payload, err := s.stream.Recv(ctx)
	if err != nil {
		return nil, err
	}
	response := &v1.ScoreResponse{}
	if err := proto.Unmarshal(payload, response); err != nil {
		return nil, newError(v1.StatusCode_STATUS_CODE_INTERNAL, "malformed ScoreResponse from the server: %v", err)
	}
	return response, nil
}

// Cancel ends the call at once.
func (s *ScoreStream) Cancel() { s.stream.Cancel() }

// ScoreMany scores every body over one ScoreStream call, sending while it
// receives, with as many requests in flight as flow control allows. The
// result at index i answers bodies[i] (request id strconv.Itoa(i)); a failed
// request has its Code and Message set. The error is for the call as a whole.
func (c *Client) ScoreMany(ctx context.Context, workspace, service, key string, bodies [][]byte) ([]*v1.ScoreResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.ScoreStream(ctx, workspace, service, key)
	if err != nil {
		return nil, err
	}
	defer stream.Cancel()
	sent := make(chan error, 1)
	go func() {
		for i, body := range bodies {
			if err := stream.SendBody(ctx, strconv.Itoa(i), body); err != nil {
				sent <- err
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	results := make([]*v1.ScoreResponse, len(bodies))
	received := 0
	for {
		response, err := stream.Recv(ctx)
		if err != nil {
			if err == io.EOF { // the call ended OK
				break
			}
			return nil, err
		}
		index, convErr := strconv.Atoi(response.RequestId)
		if convErr != nil || index < 0 || index >= len(bodies) || results[index] != nil {
			return nil, newError(v1.StatusCode_STATUS_CODE_INTERNAL, "the server answered an unknown or repeated request id %q", response.RequestId)
		}
		results[index] = response
		received++
	}
	if err := <-sent; err != nil {
		return nil, err
	}
	if received != len(bodies) {
		return nil, newError(v1.StatusCode_STATUS_CODE_INTERNAL, "the call ended with %d of %d answers", received, len(bodies))
	}
	return results, nil
}
