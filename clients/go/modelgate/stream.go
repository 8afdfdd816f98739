package modelgate

import (
	"context"
	"io"

	"modelgate.dev/client/frame"
	v1 "modelgate.dev/client/modelgatev1"
)

// Stream is one call on a connection: send request messages, read response
// messages, then the status. Recv is what returns flow-control credit to the
// server, so a caller that stops reading stops the server from sending
// (backpressure). Send and Recv may run in different goroutines.
type Stream struct {
	conn   *Conn
	id     uint32
	method string

	// Guarded by conn.mu.
	messages   [][]byte
	notify     chan struct{} // closed and replaced when a message arrives or the call ends
	finished   bool
	err        *Error
	trailers   *v1.Trailers
	halfClosed bool
	sendCredit int64
	recvCredit int64
	unreturned int64
}

// ID is the stream id.
func (s *Stream) ID() uint32 { return s.id }

// Trailers are the server's trailers once the call ended with them, else nil.
func (s *Stream) Trailers() *v1.Trailers {
	s.conn.mu.Lock()
	defer s.conn.mu.Unlock()
	return s.trailers
}

func (s *Stream) wakeLocked() {
	close(s.notify)
	s.notify = make(chan struct{})
}

func (s *Stream) finishLocked(err *Error) {
	if s.finished {
		return
	}
	s.finished = true
	s.err = err
	s.wakeLocked()
	s.conn.broadcastLocked() // senders waiting for this stream's credit
}

// Recv returns the next response message; io.EOF when the call ended with OK,
// an *Error for any other status. When ctx ends first it returns
// DEADLINE_EXCEEDED or CANCELLED (the call goes on; Cancel ends it).
func (s *Stream) Recv(ctx context.Context) ([]byte, error) {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(s.messages) == 0 {
		if s.finished {
			if s.err != nil {
				return nil, s.err
			}
			return nil, io.EOF
		}
		notify := s.notify
		c.mu.Unlock()
		select {
		case <-notify:
			c.mu.Lock()
		case <-ctx.Done():
			c.mu.Lock()
			return nil, contextError(ctx, s.method)
		}
	}
	message := s.messages[0]
	s.messages[0] = nil
	s.messages = s.messages[1:]
	c.consumedLocked(s, cost(len(message)))
	return message, nil
}

// Send sends one request message, waiting for flow-control credit; end
// half-closes the request side with it.
func (s *Stream) Send(ctx context.Context, payload []byte, end bool) error {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if uint32(len(payload)) > c.peerMaxFrameSize || len(payload) > int(frame.MaxStreamID) {
		return newError(v1.StatusCode_STATUS_CODE_RESOURCE_EXHAUSTED,
			"message of %d bytes exceeds the server's limit of %d", len(payload), c.peerMaxFrameSize)
	}
	if s.halfClosed {
		return newError(v1.StatusCode_STATUS_CODE_FAILED_PRECONDITION, "the request side of this call is already closed")
	}
	for {
		if s.finished {
			if s.err != nil {
				return s.err
			}
			return newError(v1.StatusCode_STATUS_CODE_FAILED_PRECONDITION, "the server already ended this call")
		}
		if c.closedErr != nil {
			return c.closedErr
		}
		if s.sendCredit > 0 && c.sendCredit > 0 {
			break
		}
		if err := c.waitLocked(ctx, s.method); err != nil {
			return err
		}
	}
	n := cost(len(payload))
	s.sendCredit -= n
	c.sendCredit -= n
	var flags uint8
	if end {
		s.halfClosed = true
		flags = frame.EndStream
	}
	c.enqueue(frame.Encode(frame.Message, flags, s.id, payload))
	return nil
}

// CloseSend says no more request messages follow (an empty TRAILERS frame).
func (s *Stream) CloseSend() error {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.halfClosed || s.finished {
		s.halfClosed = true
		return nil
	}
	if c.closedErr != nil {
		return c.closedErr
	}
	s.halfClosed = true
	c.enqueue(frame.Encode(frame.Trailers, 0, s.id, nil))
	return nil
}

// Cancel ends the call at once: the server gets CANCEL and stops its work;
// later reads return CANCELLED. It does nothing once the call has ended.
func (s *Stream) Cancel() {
	c := s.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.finished {
		return
	}
	c.endStreamLocked(s, newError(v1.StatusCode_STATUS_CODE_CANCELLED, "call cancelled by the client"), true)
}
