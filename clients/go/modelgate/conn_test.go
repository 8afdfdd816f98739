package modelgate

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"modelgate.dev/client/frame"
	v1 "modelgate.dev/client/modelgatev1"
)

// The protocol layer against a scripted server on a real socket: the test
// plays the server's side frame by frame.

type peer struct {
	t      *testing.T
	conn   net.Conn
	reader *frame.Reader
}

// dialPeer connects a Conn to a scripted server that answers the handshake with settings.
func dialPeer(t *testing.T, limits Limits, settings *v1.Settings) (*Conn, *peer, *v1.Settings) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	type dialed struct {
		conn *Conn
		err  error
	}
	result := make(chan dialed, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		c, err := DialConn(ctx, listener.Addr().String(), DialOptions{Limits: limits})
		result <- dialed{c, err}
	}()
	server, err := listener.Accept()
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, conn: server, reader: frame.NewReader(server, frame.DefaultMaxFrameSize)}
	t.Cleanup(func() { server.Close() })
	if err := p.reader.ReadPreface(); err != nil {
		t.Fatalf("client preface: %v", err)
	}
	first := p.read()
	if first.Type != frame.Settings {
		t.Fatalf("client's first frame is %s, want SETTINGS", first.Type)
	}
	clientSettings := &v1.Settings{}
	if err := proto.Unmarshal(first.Payload, clientSettings); err != nil {
		t.Fatal(err)
	}
	payload, _ := proto.Marshal(settings)
	p.write(append([]byte(frame.Preface), frame.Encode(frame.Settings, 0, 0, payload)...))
	r := <-result
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { r.conn.Close() })
	return r.conn, p, clientSettings
}

func (p *peer) write(data []byte) {
	p.t.Helper()
	if _, err := p.conn.Write(data); err != nil {
		p.t.Fatal(err)
	}
}

func (p *peer) send(t frame.Type, flags uint8, stream uint32, message proto.Message) {
	p.t.Helper()
	var payload []byte
	if message != nil {
		payload, _ = proto.Marshal(message)
	}
	p.write(frame.Encode(t, flags, stream, payload))
}

func (p *peer) read() frame.Frame {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	f, err := p.reader.ReadFrame()
	if err != nil {
		p.t.Fatalf("reading the client's next frame: %v", err)
	}
	return f
}

// expectNothing checks that the client sends no frame for a while.
func (p *peer) expectNothing(d time.Duration) {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(d))
	f, err := p.reader.ReadFrame()
	var timeout net.Error
	if err == nil || !errors.As(err, &timeout) || !timeout.Timeout() {
		p.t.Fatalf("expected no frame, got %s on stream %d (%v)", f.Type, f.StreamID, err)
	}
	// A timed-out read may have consumed part of a frame; every test calls this only when nothing may come.
}

func (p *peer) expect(t frame.Type, stream uint32) frame.Frame {
	p.t.Helper()
	f := p.read()
	if f.Type != t || f.StreamID != stream {
		p.t.Fatalf("got %s on stream %d, want %s on stream %d", f.Type, f.StreamID, t, stream)
	}
	return f
}

func background(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func expectStatus(t *testing.T, err error, code v1.StatusCode, fragment string) {
	t.Helper()
	var status *Error
	if !errors.As(err, &status) || status.Code != code || !strings.Contains(status.Message, fragment) {
		t.Fatalf("got %v, want %s containing %q", err, CodeName(code), fragment)
	}
}

func TestTheHandshakeSendsTheClientsLimits(t *testing.T) {
	_, _, settings := dialPeer(t, Limits{MaxFrameSize: 1 << 16, StreamWindow: 1000, ConnectionWindow: 5000}, &v1.Settings{})
	if settings.MaxFrameSize != 1<<16 || settings.InitialStreamWindow != 1000 || settings.InitialConnectionWindow != 5000 {
		t.Fatalf("client settings %v", settings)
	}
}

func TestAUnaryCallSendsHeadersAndOneMessageAndReadsTheAnswer(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{})
	answer := make(chan []byte, 1)
	go func() {
		response, err := c.Unary(background(t), "/modelgate.v1.X/Y", []byte("ping"), map[string]string{"authorization": "Bearer k"})
		if err != nil {
			t.Error(err)
		}
		answer <- response
	}()
	headers := &v1.CallHeaders{}
	if err := proto.Unmarshal(p.expect(frame.Headers, 1).Payload, headers); err != nil {
		t.Fatal(err)
	}
	if headers.Method != "/modelgate.v1.X/Y" || headers.Metadata["authorization"] != "Bearer k" || headers.TimeoutMicros == 0 {
		t.Fatalf("headers %v", headers)
	}
	message := p.expect(frame.Message, 1)
	if string(message.Payload) != "ping" || message.Flags&frame.EndStream == 0 {
		t.Fatalf("message %q flags %d", message.Payload, message.Flags)
	}
	p.write(frame.Encode(frame.Message, 0, 1, []byte("pong")))
	p.send(frame.Trailers, 0, 1, &v1.Trailers{})
	if got := <-answer; string(got) != "pong" {
		t.Fatalf("answer %q", got)
	}
}

func TestTrailersWithAnErrorEndTheCallWithTheirStatus(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{})
	done := make(chan error, 1)
	go func() {
		_, err := c.Unary(background(t), "/m", nil, nil)
		done <- err
	}()
	p.expect(frame.Headers, 1)
	p.expect(frame.Message, 1)
	p.send(frame.Trailers, 0, 1, &v1.Trailers{Code: v1.StatusCode_STATUS_CODE_UNAUTHENTICATED, Message: "bad key", RequestId: "r1"})
	err := <-done
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAUTHENTICATED, "bad key")
	var status *Error
	errors.As(err, &status)
	if status.RequestID != "r1" {
		t.Fatalf("request id %q", status.RequestID)
	}
}

func TestASenderWaitsForStreamCreditAndResumesOnWindowUpdate(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{InitialStreamWindow: 10})
	s, err := c.OpenStream(background(t), "/m", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	p.expect(frame.Headers, 1)
	sent := make(chan error, 3)
	go func() {
		for i := 0; i < 3; i++ {
			sent <- s.Send(background(t), []byte("12345678"), false)
		}
	}()
	// 10 bytes of credit: the first message leaves 2, the second may still go (credit above zero) and leaves -6.
	p.expect(frame.Message, 1)
	p.expect(frame.Message, 1)
	p.expectNothing(200 * time.Millisecond)
	p.write(frame.EncodeWindowUpdate(1, 7)) // -6 + 7 = 1: enough for one more
	p.expect(frame.Message, 1)
	for i := 0; i < 3; i++ {
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	}
}

func TestASenderWaitsForConnectionCreditToo(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{InitialConnectionWindow: 4})
	a, _ := c.OpenStream(background(t), "/a", nil, "")
	b, _ := c.OpenStream(background(t), "/b", nil, "")
	p.expect(frame.Headers, 1)
	p.expect(frame.Headers, 3)
	if err := a.Send(background(t), []byte("1234"), false); err != nil {
		t.Fatal(err)
	}
	p.expect(frame.Message, 1)
	sent := make(chan error, 1)
	go func() { sent <- b.Send(background(t), []byte("x"), false) }()
	p.expectNothing(200 * time.Millisecond)
	p.write(frame.EncodeWindowUpdate(0, 1))
	p.expect(frame.Message, 3)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

func TestReadingReturnsCreditInBatches(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{StreamWindow: 100, ConnectionWindow: 1000}, &v1.Settings{})
	s, _ := c.OpenStream(background(t), "/m", nil, "")
	p.expect(frame.Headers, 1)
	for i := 0; i < 4; i++ {
		p.write(frame.Encode(frame.Message, 0, 1, []byte("0123456789")))
	}
	for i := 0; i < 2; i++ {
		if _, err := s.Recv(background(t)); err != nil {
			t.Fatal(err)
		}
	}
	p.expectNothing(100 * time.Millisecond) // 20 bytes read: below a quarter of the window
	if _, err := s.Recv(background(t)); err != nil {
		t.Fatal(err)
	}
	update := p.expect(frame.WindowUpdate, 1)
	if increment, _ := frame.DecodeWindowUpdate(update); increment != 30 {
		t.Fatalf("stream credit returned %d, want 30", increment)
	}
}

func TestAMessageBeyondTheWindowClosesTheConnectionWithGoAway(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{StreamWindow: 16}, &v1.Settings{})
	s, _ := c.OpenStream(background(t), "/m", nil, "")
	p.expect(frame.Headers, 1)
	p.write(frame.Encode(frame.Message, 0, 1, make([]byte, 16))) // uses all the credit
	p.write(frame.Encode(frame.Message, 0, 1, []byte("x")))      // beyond it
	goAway := &v1.GoAway{}
	if err := proto.Unmarshal(p.expect(frame.GoAway, 0).Payload, goAway); err != nil || !strings.Contains(goAway.Message, "flow control") {
		t.Fatalf("go away %v (%v)", goAway, err)
	}
	// The message within the window was delivered; then the call fails with the connection.
	if message, err := s.Recv(background(t)); err != nil || len(message) != 16 {
		t.Fatalf("%d bytes, %v", len(message), err)
	}
	_, err := s.Recv(background(t))
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "flow control")
	_, err = c.OpenStream(background(t), "/m", nil, "")
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "protocol error")
}

func TestAFrameAboveTheClientsLimitClosesTheConnection(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{MaxFrameSize: 1024}, &v1.Settings{})
	s, _ := c.OpenStream(background(t), "/m", nil, "")
	p.expect(frame.Headers, 1)
	p.write(frame.Encode(frame.Message, 0, 1, make([]byte, 2048))[:frame.HeaderSize])
	_, err := s.Recv(background(t))
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "exceeds the limit of 1024")
}

func TestAFrameOnAStreamNeverOpenedClosesTheConnection(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{})
	p.write(frame.Encode(frame.Message, 0, 5, []byte("x")))
	p.expect(frame.GoAway, 0)
	<-c.readDone
	expectStatus(t, c.Err(), v1.StatusCode_STATUS_CODE_UNAVAILABLE, "never opened")
}

func TestAGracefulGoAwayFailsOnlyTheStreamsAfterItsLastID(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{})
	first, _ := c.OpenStream(background(t), "/a", nil, "")
	second, _ := c.OpenStream(background(t), "/b", nil, "")
	p.expect(frame.Headers, 1)
	p.expect(frame.Headers, 3)
	p.send(frame.GoAway, 0, 0, &v1.GoAway{LastStreamId: 1, Message: "draining"})
	_, err := second.Recv(background(t))
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "draining")
	if c.Usable() {
		t.Fatal("still usable after GO_AWAY")
	}
	_, err = c.OpenStream(background(t), "/c", nil, "")
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "going away")
	// The first call still finishes.
	p.write(frame.Encode(frame.Message, 0, 1, []byte("done")))
	p.send(frame.Trailers, 0, 1, &v1.Trailers{})
	if message, err := first.Recv(background(t)); err != nil || string(message) != "done" {
		t.Fatalf("%q %v", message, err)
	}
	if _, err := first.Recv(background(t)); err != io.EOF {
		t.Fatalf("after the trailers: %v", err)
	}
}

func TestStreamsBeyondTheServersLimitWaitForASlot(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{MaxConcurrentStreams: 1})
	if _, err := c.OpenStream(background(t), "/a", nil, ""); err != nil {
		t.Fatal(err)
	}
	p.expect(frame.Headers, 1)
	opened := make(chan *Stream, 1)
	go func() {
		s, err := c.OpenStream(background(t), "/b", nil, "")
		if err != nil {
			t.Error(err)
		}
		opened <- s
	}()
	p.expectNothing(200 * time.Millisecond)
	p.send(frame.Trailers, 0, 1, &v1.Trailers{})
	p.expect(frame.Headers, 3)
	if s := <-opened; s == nil || s.ID() != 3 {
		t.Fatalf("second stream %v", s)
	}
}

func TestAPingIsAnsweredWithAck(t *testing.T) {
	_, p, _ := dialPeer(t, Limits{}, &v1.Settings{})
	p.write(frame.Encode(frame.Ping, 0, 0, []byte("abcdefgh")))
	pong := p.expect(frame.Ping, 0)
	if pong.Flags&frame.Ack == 0 || string(pong.Payload) != "abcdefgh" {
		t.Fatalf("pong %+v", pong)
	}
}

func TestCancelSendsCancelAndEndsReads(t *testing.T) {
	c, p, _ := dialPeer(t, Limits{}, &v1.Settings{})
	s, _ := c.OpenStream(background(t), "/m", nil, "")
	p.expect(frame.Headers, 1)
	s.Cancel()
	p.expect(frame.Cancel, 1)
	_, err := s.Recv(background(t))
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_CANCELLED, "cancelled")
	// Frames for the cancelled stream are ignored, and the connection carries on.
	p.write(frame.Encode(frame.Message, 0, 1, []byte("late")))
	p.send(frame.Trailers, 0, 1, &v1.Trailers{})
	if _, err := c.OpenStream(background(t), "/n", nil, ""); err != nil {
		t.Fatal(err)
	}
	p.expect(frame.Headers, 3)
}

func TestAPeerThatIsNotModelGateIsRefused(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	go func() {
		conn, err := listener.Accept()
		if err == nil {
			conn.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			time.Sleep(time.Second)
			conn.Close()
		}
	}()
	_, err = DialConn(background(t), listener.Addr().String(), DialOptions{})
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "preface")
}

func TestNothingListeningIsUnavailable(t *testing.T) {
	listener, _ := net.Listen("tcp", "127.0.0.1:0")
	address := listener.Addr().String()
	listener.Close()
	_, err := DialConn(background(t), address, DialOptions{})
	expectStatus(t, err, v1.StatusCode_STATUS_CODE_UNAVAILABLE, "cannot connect")
}
