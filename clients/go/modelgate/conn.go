package modelgate

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"modelgate.dev/client/frame"
	v1 "modelgate.dev/client/modelgatev1"
)

// Limits are the client's side of the protocol limits, sent in its SETTINGS.
// Zero fields take the protocol's defaults.
type Limits struct {
	// MaxFrameSize is the largest frame the client accepts from the server.
	MaxFrameSize uint32
	// StreamWindow is the receive credit each stream starts with.
	StreamWindow uint32
	// ConnectionWindow is the receive credit the connection starts with.
	ConnectionWindow uint32
}

func (l Limits) withDefaults() Limits {
	if l.MaxFrameSize == 0 {
		l.MaxFrameSize = frame.DefaultMaxFrameSize
	}
	if l.StreamWindow == 0 {
		l.StreamWindow = frame.DefaultStreamWindow
	}
	if l.ConnectionWindow == 0 {
		l.ConnectionWindow = frame.DefaultConnectionWindow
	}
	return l
}

// cost is a MESSAGE's flow-control cost: its length, or 1 when empty, so that
// empty messages are bounded too.
func cost(n int) int64 {
	if n == 0 {
		return 1
	}
	return int64(n)
}

// Conn is one ModelGate/1 connection; many concurrent calls (streams) share it.
// It moves encoded messages and knows nothing of the services; Client builds
// the calls on it. All methods are safe for concurrent use.
//
// One goroutine reads frames and one writes them. Writes are queued, never
// blocking the caller beyond flow control: the reader must always be able to
// queue WINDOW_UPDATE and PING answers, or a server blocked on writing to us
// and a client blocked on writing to it would wait for each other.
type Conn struct {
	nc     net.Conn
	limits Limits
	reader *frame.Reader
	// tlsFailure, over TLS, explains a TLS error seen after the handshake: a
	// TLS 1.3 server refusing the client's certificate says so only then.
	tlsFailure func(error) *Error

	mu               sync.Mutex
	changed          chan struct{} // closed and replaced when credit, slots or the connection's state change
	streams          map[uint32]*Stream
	nextID           uint32
	closedErr        *Error
	goingAway        string
	settingsReceived bool
	ready            chan struct{}
	readyErr         *Error
	// What the server allows; SETTINGS fields left 0 keep the protocol's defaults.
	peerMaxFrameSize     uint32
	peerMaxConcurrent    uint32
	peerStreamWindow     int64
	sendCredit           int64 // connection-level credit the server granted us
	recvCredit           int64 // connection-level credit we granted the server
	connUnreturned       int64
	writeMu              sync.Mutex
	pending              []byte
	writeSignal          chan struct{}
	closing              chan struct{}
	writerDone, readDone chan struct{}
}

// DialOptions configure a connection.
type DialOptions struct {
	Limits Limits
	// TLS, when set, connects over TLS verifying the server (see TLSOptions).
	TLS *TLSOptions
	// TLSConfig, when set, is the TLS configuration to use instead of the one
	// TLS would build; DialConn completes it with ALPN modelgate/1, TLS 1.2 as
	// the minimum and the server name (TLS.ServerName, else the host dialled)
	// where it leaves them out.
	TLSConfig *tls.Config
}

// DialConn connects to address ("host:port"), exchanges prefaces and SETTINGS,
// and returns once the server's SETTINGS arrived. A server that cannot be
// reached, fails the TLS handshake, or sends no handshake before ctx ends, is
// UNAVAILABLE with a message saying why; unusable TLS files are INVALID_ARGUMENT.
func DialConn(ctx context.Context, address string, options DialOptions) (*Conn, error) {
	config, err := options.clientConfig(address)
	if err != nil {
		return nil, err
	}
	var dialer net.Dialer
	nc, err := dialer.DialContext(ctx, "tcp", address)
	if err != nil {
		return nil, unavailable("cannot connect to %s: %v", address, err)
	}
	var tlsFailure func(error) *Error
	if config != nil {
		tlsConn := tls.Client(nc, config)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, tlsError(address, config, options.TLS, err)
		}
		nc = tlsConn
		tlsFailure = func(err error) *Error { return tlsError(address, config, options.TLS, err) }
	}
	c := newConn(nc, options.Limits, tlsFailure)
	select {
	case <-c.ready:
	case <-ctx.Done():
		c.tearDown(unavailable("%s sent no ModelGate/1 handshake in time", address))
	}
	c.mu.Lock()
	readyErr := c.readyErr
	c.mu.Unlock()
	if readyErr != nil {
		c.Close()
		return nil, readyErr
	}
	return c, nil
}

// TLSConnectionState is the TLS session's state (version, the ALPN protocol the
// server chose, its certificates); false for a plaintext connection.
func (c *Conn) TLSConnectionState() (tls.ConnectionState, bool) {
	if tlsConn, ok := c.nc.(*tls.Conn); ok {
		return tlsConn.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// newConn starts the protocol on an open byte stream: sends the preface and
// SETTINGS and starts the reader and writer.
func newConn(nc net.Conn, limits Limits, tlsFailure func(error) *Error) *Conn {
	limits = limits.withDefaults()
	c := &Conn{
		nc:                nc,
		tlsFailure:        tlsFailure,
		limits:            limits,
		reader:            frame.NewReader(nc, limits.MaxFrameSize),
		changed:           make(chan struct{}),
		streams:           map[uint32]*Stream{},
		nextID:            1,
		ready:             make(chan struct{}),
		peerMaxFrameSize:  frame.DefaultMaxFrameSize,
		peerMaxConcurrent: 100,
		peerStreamWindow:  frame.DefaultStreamWindow,
		sendCredit:        frame.DefaultConnectionWindow,
		recvCredit:        int64(limits.ConnectionWindow),
		writeSignal:       make(chan struct{}, 1),
		closing:           make(chan struct{}),
		writerDone:        make(chan struct{}),
		readDone:          make(chan struct{}),
	}
	settings, _ := proto.Marshal(&v1.Settings{
		MaxFrameSize:            limits.MaxFrameSize,
		InitialStreamWindow:     limits.StreamWindow,
		InitialConnectionWindow: limits.ConnectionWindow,
	})
	c.enqueue(append([]byte(frame.Preface), frame.Encode(frame.Settings, 0, 0, settings)...))
	go c.writeLoop()
	go c.readLoop()
	return c
}

// Usable says whether new calls can start here (not closed, no GO_AWAY received).
func (c *Conn) Usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closedErr == nil && c.goingAway == ""
}

// Close closes the connection; open calls fail with UNAVAILABLE.
func (c *Conn) Close() error {
	c.tearDown(unavailable("connection closed by the client"))
	<-c.writerDone
	<-c.readDone
	return nil
}

// Err is why the connection closed, or nil while it is open.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closedErr == nil {
		return nil
	}
	return c.closedErr
}

// broadcastLocked wakes everyone waiting on c.changed. c.mu must be held.
func (c *Conn) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Writing.

func (c *Conn) enqueue(data []byte) {
	c.writeMu.Lock()
	c.pending = append(c.pending, data...)
	c.writeMu.Unlock()
	select {
	case c.writeSignal <- struct{}{}:
	default:
	}
}

func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	for {
		closing := false
		select {
		case <-c.writeSignal:
		case <-c.closing:
			closing = true
		}
		c.writeMu.Lock()
		data := c.pending
		c.pending = nil
		c.writeMu.Unlock()
		if closing {
			// Last words (a GO_AWAY after a protocol error, CANCELs) go out if they can, quickly.
			if len(data) > 0 {
				c.nc.SetWriteDeadline(time.Now().Add(time.Second))
				c.nc.Write(data)
			}
			c.nc.Close()
			return
		}
		if len(data) == 0 {
			continue
		}
		if _, err := c.nc.Write(data); err != nil {
			c.tearDown(unavailable("connection lost: %v", err))
		}
	}
}

// Streams.

// OpenStream opens a call: it waits for a free stream slot (the server's
// max_concurrent_streams), then sends the HEADERS. The context's deadline
// becomes the call's timeout_micros.
func (c *Conn) OpenStream(ctx context.Context, method string, metadata map[string]string, requestID string) (*Stream, error) {
	headers := &v1.CallHeaders{Method: method, Metadata: metadata, RequestId: requestID}
	if deadline, ok := ctx.Deadline(); ok {
		micros := time.Until(deadline).Microseconds()
		if micros < 1 {
			micros = 1
		}
		headers.TimeoutMicros = uint64(micros)
	}
	payload, err := proto.Marshal(headers)
	if err != nil {
		return nil, newError(v1.StatusCode_STATUS_CODE_INTERNAL, "cannot encode the call headers: %v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if err := c.checkOpenLocked(); err != nil {
			return nil, err
		}
		if uint32(len(c.streams)) < c.peerMaxConcurrent {
			break
		}
		if err := c.waitLocked(ctx, method); err != nil {
			return nil, err
		}
	}
	if c.nextID > frame.MaxStreamID {
		c.goingAway = "stream ids exhausted"
		return nil, unavailable("this connection has used up its stream ids; reconnect")
	}
	s := &Stream{
		conn: c, id: c.nextID, method: method, notify: make(chan struct{}),
		sendCredit: c.peerStreamWindow, recvCredit: int64(c.limits.StreamWindow),
	}
	c.nextID += 2
	c.streams[s.id] = s
	// The id is taken and the HEADERS queued under one lock, so ids go out strictly increasing.
	c.enqueue(frame.Encode(frame.Headers, 0, s.id, payload))
	return s, nil
}

// Unary makes a call with one request and one response.
func (c *Conn) Unary(ctx context.Context, method string, request []byte, metadata map[string]string) ([]byte, error) {
	s, err := c.OpenStream(ctx, method, metadata, "")
	if err != nil {
		return nil, err
	}
	defer s.Cancel()
	if err := s.Send(ctx, request, true); err != nil {
		return nil, err
	}
	var response []byte
	received := false
	for {
		message, err := s.Recv(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if received {
			return nil, newError(v1.StatusCode_STATUS_CODE_INTERNAL, "the server sent more than one response to %s", method)
		}
		response, received = message, true
	}
	if !received {
		return nil, newError(v1.StatusCode_STATUS_CODE_INTERNAL, "the server ended %s without a response", method)
	}
	return response, nil
}

func (c *Conn) checkOpenLocked() *Error {
	if c.closedErr != nil {
		return c.closedErr
	}
	if c.goingAway != "" {
		return unavailable("server is going away: %s", c.goingAway)
	}
	return nil
}

// waitLocked waits, with c.mu released, until something changes or ctx ends.
func (c *Conn) waitLocked(ctx context.Context, what string) error {
	changed := c.changed
	c.mu.Unlock()
	defer c.mu.Lock()
	select {
	case <-changed:
		return nil
	case <-ctx.Done():
		return contextError(ctx, what)
	}
}

// Reading.

func (c *Conn) readLoop() {
	defer close(c.readDone)
	var failure *Error
	err := c.reader.ReadPreface()
	for err == nil {
		var f frame.Frame
		if f, err = c.reader.ReadFrame(); err == nil {
			c.mu.Lock()
			err = c.handleLocked(f)
			c.mu.Unlock()
		}
	}
	var protocol *frame.ProtocolError
	switch {
	case errors.As(err, &protocol):
		failure = unavailable("protocol error from the server: %s", protocol.Reason)
		goAway, _ := proto.Marshal(&v1.GoAway{Code: v1.StatusCode_STATUS_CODE_INTERNAL, Message: protocol.Reason})
		c.enqueue(frame.Encode(frame.GoAway, 0, 0, goAway))
	case err == io.EOF:
		c.mu.Lock()
		reason := ""
		if c.goingAway != "" {
			reason = ": " + c.goingAway
		}
		c.mu.Unlock()
		failure = unavailable("connection closed by the server%s", reason)
	case c.tlsFailure != nil && isTLSAlert(err):
		failure = c.tlsFailure(err)
	default:
		failure = unavailable("connection lost: %v", err)
	}
	c.mu.Lock()
	beforeSettings := !c.settingsReceived
	c.mu.Unlock()
	if c.tlsFailure != nil && beforeSettings && strings.HasPrefix(failure.Message, "connection ") {
		// A server refusing a TLS client after a TLS 1.3 handshake may just close.
		failure.Message += " before its ModelGate/1 handshake; over TLS, the server may require a client " +
			"certificate it trusts (CertFile, KeyFile)"
	} else if c.tlsFailure == nil && beforeSettings && strings.HasPrefix(failure.Message, "connection closed by the server") {
		// A TLS server closes on a plaintext client's preface.
		failure.Message += " before its ModelGate/1 handshake; if it serves TLS, dial with DialOptions.TLS"
	}
	c.tearDown(failure)
}

// tearDown ends the connection once: every open call fails with err.
func (c *Conn) tearDown(err *Error) {
	c.mu.Lock()
	if c.closedErr != nil {
		c.mu.Unlock()
		return
	}
	c.closedErr = err
	if !c.settingsReceived && c.readyErr == nil {
		c.readyErr = err
		close(c.ready)
	}
	streams := c.streams
	c.streams = map[uint32]*Stream{}
	for _, s := range streams {
		s.finishLocked(err)
	}
	c.broadcastLocked()
	c.mu.Unlock()
	close(c.closing)
}

// endStreamLocked removes a stream and finishes it; with sendCancel it tells the server.
func (c *Conn) endStreamLocked(s *Stream, err *Error, sendCancel bool) {
	if c.streams[s.id] == s {
		delete(c.streams, s.id)
		c.broadcastLocked()
	}
	if sendCancel && c.closedErr == nil {
		c.enqueue(frame.Encode(frame.Cancel, 0, s.id, nil))
		// Buffered messages will never be read: give their connection credit back now.
		for _, m := range s.messages {
			c.returnConnectionCreditLocked(cost(len(m)))
		}
		s.messages = nil
	}
	s.finishLocked(err)
}

// consumedLocked returns credit for a message the application read, in batches.
func (c *Conn) consumedLocked(s *Stream, n int64) {
	if c.closedErr != nil {
		return
	}
	if !s.finished && c.streams[s.id] == s {
		s.unreturned += n
		if s.unreturned >= max64(1, int64(c.limits.StreamWindow)/4) {
			c.enqueue(frame.EncodeWindowUpdate(s.id, uint32(s.unreturned)))
			s.recvCredit += s.unreturned
			s.unreturned = 0
		}
	}
	c.returnConnectionCreditLocked(n)
}

func (c *Conn) returnConnectionCreditLocked(n int64) {
	if c.closedErr != nil {
		return
	}
	c.connUnreturned += n
	if c.connUnreturned >= max64(1, int64(c.limits.ConnectionWindow)/4) {
		c.enqueue(frame.EncodeWindowUpdate(0, uint32(c.connUnreturned)))
		c.recvCredit += c.connUnreturned
		c.connUnreturned = 0
	}
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func (c *Conn) checkOpenedLocked(f frame.Frame) error {
	if f.StreamID%2 == 0 || f.StreamID >= c.nextID {
		return &frame.ProtocolError{Reason: f.Type.String() + " frame on a stream that was never opened"}
	}
	return nil
}

func (c *Conn) handleLocked(f frame.Frame) error {
	if c.closedErr != nil {
		return nil // torn down: the reader stops when the socket closes
	}
	if !c.settingsReceived && f.Type != frame.Settings && f.Type != frame.GoAway {
		return &frame.ProtocolError{Reason: "expected SETTINGS as the server's first frame, got " + f.Type.String()}
	}
	switch f.Type {
	case frame.Message:
		if err := c.checkOpenedLocked(f); err != nil {
			return err
		}
		n := cost(len(f.Payload))
		if c.recvCredit <= 0 {
			return &frame.ProtocolError{Reason: "flow control: message sent beyond the connection window"}
		}
		c.recvCredit -= n
		s := c.streams[f.StreamID]
		if s == nil { // a call that ended here (cancelled): drop it, but give the credit back
			c.returnConnectionCreditLocked(n)
			return nil
		}
		if s.recvCredit <= 0 {
			return &frame.ProtocolError{Reason: "flow control: message sent beyond a stream's window"}
		}
		s.recvCredit -= n
		s.messages = append(s.messages, f.Payload)
		s.wakeLocked()
	case frame.Trailers:
		if err := c.checkOpenedLocked(f); err != nil {
			return err
		}
		s := c.streams[f.StreamID]
		if s == nil {
			return nil
		}
		trailers := &v1.Trailers{}
		var status *Error
		if err := proto.Unmarshal(f.Payload, trailers); err != nil {
			status = newError(v1.StatusCode_STATUS_CODE_INTERNAL, "malformed trailers from the server: %v", err)
		} else if trailers.Code != v1.StatusCode_STATUS_CODE_OK {
			status = &Error{Code: trailers.Code, Message: trailers.Message, Details: trailers.Details, RequestID: trailers.RequestId}
		}
		s.trailers = trailers
		c.endStreamLocked(s, status, false)
	case frame.WindowUpdate:
		increment, err := frame.DecodeWindowUpdate(f)
		if err != nil {
			return err
		}
		if f.StreamID == 0 {
			c.sendCredit += int64(increment)
		} else {
			if err := c.checkOpenedLocked(f); err != nil {
				return err
			}
			if s := c.streams[f.StreamID]; s != nil {
				s.sendCredit += int64(increment)
			}
		}
		c.broadcastLocked()
	case frame.Cancel:
		if err := c.checkOpenedLocked(f); err != nil {
			return err
		}
		if s := c.streams[f.StreamID]; s != nil {
			c.endStreamLocked(s, newError(v1.StatusCode_STATUS_CODE_CANCELLED, "call cancelled by the server"), false)
		}
	case frame.Ping:
		if f.Flags&frame.Ack == 0 {
			c.enqueue(frame.Encode(frame.Ping, frame.Ack, 0, f.Payload))
		}
	case frame.Settings:
		return c.applySettingsLocked(f.Payload)
	case frame.GoAway:
		c.goAwayLocked(f.Payload)
	default: // HEADERS: only clients open streams
		return &frame.ProtocolError{Reason: f.Type.String() + " frame from the server"}
	}
	return nil
}

func (c *Conn) applySettingsLocked(payload []byte) error {
	settings := &v1.Settings{}
	if err := proto.Unmarshal(payload, settings); err != nil {
		return &frame.ProtocolError{Reason: "malformed SETTINGS: " + err.Error()}
	}
	if settings.MaxFrameSize != 0 {
		c.peerMaxFrameSize = settings.MaxFrameSize
	}
	if settings.MaxConcurrentStreams != 0 {
		c.peerMaxConcurrent = settings.MaxConcurrentStreams
	}
	if settings.InitialStreamWindow != 0 {
		c.peerStreamWindow = int64(settings.InitialStreamWindow)
	}
	if !c.settingsReceived {
		if settings.InitialConnectionWindow != 0 {
			c.sendCredit = int64(settings.InitialConnectionWindow)
		}
		c.settingsReceived = true
		if c.readyErr == nil {
			close(c.ready)
		}
	}
	c.broadcastLocked()
	return nil
}

func (c *Conn) goAwayLocked(payload []byte) {
	goAway := &v1.GoAway{}
	if proto.Unmarshal(payload, goAway) != nil {
		goAway = &v1.GoAway{}
	}
	reason := goAway.Message
	if reason == "" {
		reason = CodeName(goAway.Code)
	}
	c.goingAway = reason
	for id, s := range c.streams {
		if id > goAway.LastStreamId {
			c.endStreamLocked(s, unavailable("call not processed: server is going away (%s)", reason), false)
		}
	}
	if !c.settingsReceived && c.readyErr == nil {
		code := goAway.Code
		if code == v1.StatusCode_STATUS_CODE_OK {
			code = v1.StatusCode_STATUS_CODE_UNAVAILABLE
		}
		c.readyErr = newError(code, "server refused the connection: %s", reason)
		close(c.ready)
	}
	c.broadcastLocked()
}
