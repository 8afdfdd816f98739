// Package frame is ModelGate's frame format (proto/modelgate/v1/transport.proto)
// without I/O policy: the preface, the 10-byte frame header, and a reader that
// checks each header before it reads (or allocates for) the payload.
//
// Every frame is a u32 big-endian payload length, a type byte, a flags byte, a
// u32 big-endian stream id, then the payload.
package frame

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// Preface opens a connection from each side.
const Preface = "MODELGATE/1\r\n\r\n"

// HeaderSize is the length of a frame header in bytes.
const HeaderSize = 10

// Type is the frame type byte (FrameType in transport.proto).
type Type uint8

// The frame types.
const (
	Headers      Type = 1
	Message      Type = 2
	Trailers     Type = 3
	Cancel       Type = 4
	WindowUpdate Type = 5
	Ping         Type = 6
	GoAway       Type = 7
	Settings     Type = 8
)

var typeNames = map[Type]string{
	Headers: "HEADERS", Message: "MESSAGE", Trailers: "TRAILERS", Cancel: "CANCEL",
	WindowUpdate: "WINDOW_UPDATE", Ping: "PING", GoAway: "GO_AWAY", Settings: "SETTINGS",
}

func (t Type) String() string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return fmt.Sprintf("type %d", uint8(t))
}

// Flag bits. END_STREAM on a client's HEADERS or MESSAGE; the same bit is ACK on PING.
const (
	EndStream uint8 = 0x1
	Ack       uint8 = 0x1
)

// The protocol's defaults, for SETTINGS fields a peer leaves 0.
const (
	DefaultMaxFrameSize            = 4 * 1024 * 1024
	DefaultStreamWindow            = 1024 * 1024
	DefaultConnectionWindow        = 16 * 1024 * 1024
	MaxStreamID             uint32 = 0x7FFFFFFF
)

// ProtocolError says the peer broke the framing rules; the connection cannot continue.
type ProtocolError struct{ Reason string }

func (e *ProtocolError) Error() string { return "protocol error: " + e.Reason }

func protocolError(format string, args ...any) error {
	return &ProtocolError{Reason: fmt.Sprintf(format, args...)}
}

// Frame is one decoded frame.
type Frame struct {
	Type     Type
	Flags    uint8
	StreamID uint32
	Payload  []byte
}

// Append appends a frame's bytes (header then payload) to dst.
func Append(dst []byte, t Type, flags uint8, streamID uint32, payload []byte) []byte {
	var header [HeaderSize]byte
	binary.BigEndian.PutUint32(header[0:4], uint32(len(payload)))
	header[4] = byte(t)
	header[5] = flags
	binary.BigEndian.PutUint32(header[6:10], streamID)
	dst = append(dst, header[:]...)
	return append(dst, payload...)
}

// Encode returns a frame's bytes.
func Encode(t Type, flags uint8, streamID uint32, payload []byte) []byte {
	return Append(make([]byte, 0, HeaderSize+len(payload)), t, flags, streamID, payload)
}

// EncodeWindowUpdate is a WINDOW_UPDATE granting increment bytes (never 0) on a stream, or the connection for 0.
func EncodeWindowUpdate(streamID uint32, increment uint32) []byte {
	if increment == 0 {
		panic("frame: a WINDOW_UPDATE increment is never 0")
	}
	var payload [4]byte
	binary.BigEndian.PutUint32(payload[:], increment)
	return Encode(WindowUpdate, 0, streamID, payload[:])
}

// DecodeWindowUpdate is the increment of a WINDOW_UPDATE frame; a ProtocolError unless it is 4 bytes and not 0.
func DecodeWindowUpdate(f Frame) (uint32, error) {
	if len(f.Payload) != 4 {
		return 0, protocolError("WINDOW_UPDATE payload of %d bytes, expected 4", len(f.Payload))
	}
	increment := binary.BigEndian.Uint32(f.Payload)
	if increment == 0 {
		return 0, protocolError("WINDOW_UPDATE with a zero increment")
	}
	return increment, nil
}

// CheckHeader returns a ProtocolError for a header no valid frame has: an
// unknown type, a length above maxFrameSize, a connection frame on a stream or
// a stream frame on stream 0, or a PING or WINDOW_UPDATE of the wrong size.
func CheckHeader(length uint32, t Type, streamID uint32, maxFrameSize uint32) error {
	if _, known := typeNames[t]; !known {
		return protocolError("unknown frame type %d", uint8(t))
	}
	if length > maxFrameSize {
		return protocolError("%s frame of %d bytes exceeds the limit of %d", t, length, maxFrameSize)
	}
	switch t {
	case Ping, GoAway, Settings:
		if streamID != 0 {
			return protocolError("%s frame on stream %d; it belongs on stream 0", t, streamID)
		}
	case Headers, Message, Trailers, Cancel:
		if streamID == 0 {
			return protocolError("%s frame on stream 0", t)
		}
	}
	if t == Ping && length != 8 {
		return protocolError("PING payload of %d bytes, expected 8", length)
	}
	if t == WindowUpdate && length != 4 {
		return protocolError("WINDOW_UPDATE payload of %d bytes, expected 4", length)
	}
	return nil
}

// Reader reads frames from a byte stream. The header is checked before the
// payload is read, so a hostile length never makes the reader allocate.
type Reader struct {
	r            *bufio.Reader
	MaxFrameSize uint32
}

// NewReader reads frames from r, refusing those above maxFrameSize.
func NewReader(r io.Reader, maxFrameSize uint32) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 256*1024), MaxFrameSize: maxFrameSize}
}

// ReadPreface reads and checks the peer's preface.
func (r *Reader) ReadPreface() error {
	var seen [len(Preface)]byte
	n, err := io.ReadFull(r.r, seen[:])
	if string(seen[:n]) != Preface[:n] {
		return protocolError("not a ModelGate/1 peer: preface %q", seen[:n])
	}
	return err
}

// ReadFrame reads the next frame. It returns io.EOF at a clean end between
// frames, io.ErrUnexpectedEOF inside one, and a *ProtocolError for a bad header.
func (r *Reader) ReadFrame() (Frame, error) {
	var header [HeaderSize]byte
	if _, err := io.ReadFull(r.r, header[:]); err != nil {
		return Frame{}, err
	}
	length := binary.BigEndian.Uint32(header[0:4])
	f := Frame{Type: Type(header[4]), Flags: header[5], StreamID: binary.BigEndian.Uint32(header[6:10])}
	if err := CheckHeader(length, f.Type, f.StreamID, r.MaxFrameSize); err != nil {
		return Frame{}, err
	}
	f.Payload = make([]byte, length)
	if _, err := io.ReadFull(r.r, f.Payload); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Frame{}, err
	}
	return f, nil
}
