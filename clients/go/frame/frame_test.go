package frame

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestPrefaceIsTheFifteenBytesOfTheSpec(t *testing.T) {
	if Preface != "MODELGATE/1\r\n\r\n" || len(Preface) != 15 {
		t.Fatalf("preface %q", Preface)
	}
}

func TestHeaderIsBigEndianLengthTypeFlagsStreamID(t *testing.T) {
	got := Encode(Message, EndStream, 7, []byte("abc"))
	want := append([]byte{0, 0, 0, 3, 2, 1, 0, 0, 0, 7}, "abc"...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x, want % x", got, want)
	}
	big := Encode(Headers, 0, 0x01020304, nil)
	if !bytes.Equal(big, []byte{0, 0, 0, 0, 1, 0, 1, 2, 3, 4}) {
		t.Fatalf("stream id not big-endian: % x", big)
	}
}

func TestFramesRoundTripThroughTheReader(t *testing.T) {
	var data []byte
	data = append(data, Preface...)
	data = Append(data, Headers, 0, 1, []byte("h"))
	data = Append(data, Message, EndStream, 1, nil)
	data = append(data, EncodeWindowUpdate(0, 65536)...)
	data = Append(data, Ping, Ack, 0, []byte("12345678"))
	// One byte at a time: frames split anywhere decode the same.
	r := NewReader(iotest.OneByteReader(bytes.NewReader(data)), DefaultMaxFrameSize)
	if err := r.ReadPreface(); err != nil {
		t.Fatal(err)
	}
	want := []Frame{
		{Headers, 0, 1, []byte("h")},
		{Message, EndStream, 1, []byte{}},
		{WindowUpdate, 0, 0, []byte{0, 1, 0, 0}},
		{Ping, Ack, 0, []byte("12345678")},
	}
	for i, w := range want {
		f, err := r.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !reflect.DeepEqual(f, w) {
			t.Fatalf("frame %d: got %+v, want %+v", i, f, w)
		}
	}
	if increment, err := DecodeWindowUpdate(Frame{Type: WindowUpdate, Payload: []byte{0, 1, 0, 0}}); err != nil || increment != 65536 {
		t.Fatalf("increment %d, %v", increment, err)
	}
	if _, err := r.ReadFrame(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func expectProtocolError(t *testing.T, err error, fragment string) {
	t.Helper()
	var protocol *ProtocolError
	if !errors.As(err, &protocol) {
		t.Fatalf("got %v, want a ProtocolError containing %q", err, fragment)
	}
	if !strings.Contains(protocol.Reason, fragment) {
		t.Fatalf("got %q, want it to contain %q", protocol.Reason, fragment)
	}
}

func readOne(data []byte, maxFrameSize uint32) (Frame, error) {
	return NewReader(bytes.NewReader(data), maxFrameSize).ReadFrame()
}

func TestAWrongPrefaceIsRefused(t *testing.T) {
	for _, peer := range []string{"MODELGATE/2\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "PRI * HTTP/2.0\r\n"} {
		err := NewReader(strings.NewReader(peer), DefaultMaxFrameSize).ReadPreface()
		expectProtocolError(t, err, "preface")
	}
}

func TestATruncatedPrefaceIsAnEOFNotAProtocolError(t *testing.T) {
	err := NewReader(strings.NewReader("MODEL"), DefaultMaxFrameSize).ReadPreface()
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v", err)
	}
}

func TestAnOversizedFrameIsRefusedFromItsHeaderAlone(t *testing.T) {
	// Only the header: the reader must refuse before waiting for the 2 KiB payload.
	header := Encode(Message, 0, 1, make([]byte, 2048))[:HeaderSize]
	_, err := readOne(header, 1024)
	expectProtocolError(t, err, "exceeds the limit of 1024")
}

func TestAFrameAtTheLimitIsAccepted(t *testing.T) {
	f, err := readOne(Encode(Message, 0, 1, bytes.Repeat([]byte("x"), 16)), 16)
	if err != nil || len(f.Payload) != 16 {
		t.Fatalf("%v, %d bytes", err, len(f.Payload))
	}
}

func TestAFourGigabyteLengthIsRefusedWithoutAllocating(t *testing.T) {
	header := []byte{0xff, 0xff, 0xff, 0xff, byte(Message), 0, 0, 0, 0, 1}
	_, err := readOne(header, DefaultMaxFrameSize)
	expectProtocolError(t, err, "exceeds")
}

func TestUnknownFrameTypesAreRefused(t *testing.T) {
	for _, ty := range []Type{0, 9, 0x7f, 0xff} {
		_, err := readOne(Encode(ty, 0, 1, nil), DefaultMaxFrameSize)
		expectProtocolError(t, err, "unknown frame type")
	}
}

func TestConnectionFramesOnAStreamAreRefused(t *testing.T) {
	for _, ty := range []Type{Ping, GoAway, Settings} {
		payload := []byte{}
		if ty == Ping {
			payload = make([]byte, 8)
		}
		_, err := readOne(Encode(ty, 0, 3, payload), DefaultMaxFrameSize)
		expectProtocolError(t, err, "belongs on stream 0")
	}
}

func TestStreamFramesOnStreamZeroAreRefused(t *testing.T) {
	for _, ty := range []Type{Headers, Message, Trailers, Cancel} {
		_, err := readOne(Encode(ty, 0, 0, nil), DefaultMaxFrameSize)
		expectProtocolError(t, err, "on stream 0")
	}
}

func TestAPingMustCarryEightBytes(t *testing.T) {
	_, err := readOne(Encode(Ping, 0, 0, []byte("1234")), DefaultMaxFrameSize)
	expectProtocolError(t, err, "PING payload of 4 bytes")
}

func TestAWindowUpdateMustCarryFourBytesAndGrantSomething(t *testing.T) {
	_, err := readOne(Encode(WindowUpdate, 0, 1, []byte{0, 1}), DefaultMaxFrameSize)
	expectProtocolError(t, err, "expected 4")
	_, err = DecodeWindowUpdate(Frame{Type: WindowUpdate, Payload: []byte{0, 0, 0, 0}})
	expectProtocolError(t, err, "zero increment")
	if got := EncodeWindowUpdate(1, 0xFFFFFFFF); !bytes.Equal(got[HeaderSize:], []byte{0xff, 0xff, 0xff, 0xff}) {
		t.Fatalf("% x", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a zero increment was encoded")
		}
	}()
	EncodeWindowUpdate(1, 0)
}

func TestATruncatedFrameIsAnUnexpectedEOF(t *testing.T) {
	data := Encode(Message, 0, 1, []byte("0123456789"))
	if _, err := readOne(data[:len(data)-1], DefaultMaxFrameSize); err != io.ErrUnexpectedEOF {
		t.Fatalf("truncated payload: %v", err)
	}
	if _, err := readOne(data[:4], DefaultMaxFrameSize); err != io.ErrUnexpectedEOF {
		t.Fatalf("truncated header: %v", err)
	}
}
