package modelgate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	v1 "modelgate.dev/client/modelgatev1"
)

// Error is a failed call or a failed scoring request: a gRPC-style status code
// and the server's message. Use errors.As to get one, or CodeOf.
type Error struct {
	Code      v1.StatusCode
	Message   string
	Details   map[string]string
	RequestID string
}

// CodeName is the code without its prefix: "UNAUTHENTICATED", "NOT_FOUND", ...
func (e *Error) CodeName() string { return CodeName(e.Code) }

func (e *Error) Error() string {
	if e.Message == "" {
		return e.CodeName()
	}
	return e.CodeName() + ": " + e.Message
}

// CodeName is a status code's name without the STATUS_CODE_ prefix.
func CodeName(code v1.StatusCode) string {
	name := code.String()
	if strings.HasPrefix(name, "STATUS_CODE_") {
		return strings.TrimPrefix(name, "STATUS_CODE_")
	}
	return fmt.Sprintf("CODE_%d", int32(code))
}

// CodeOf is the status code of err: OK for nil, the code of an *Error, UNKNOWN otherwise.
func CodeOf(err error) v1.StatusCode {
	if err == nil {
		return v1.StatusCode_STATUS_CODE_OK
	}
	var status *Error
	if errors.As(err, &status) {
		return status.Code
	}
	return v1.StatusCode_STATUS_CODE_UNKNOWN
}

func newError(code v1.StatusCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func unavailable(format string, args ...any) *Error {
	return newError(v1.StatusCode_STATUS_CODE_UNAVAILABLE, format, args...)
}

// contextError maps a finished context to DEADLINE_EXCEEDED or CANCELLED.
func contextError(ctx context.Context, what string) *Error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return newError(v1.StatusCode_STATUS_CODE_DEADLINE_EXCEEDED, "%s: deadline exceeded", what)
	}
	return newError(v1.StatusCode_STATUS_CODE_CANCELLED, "%s: cancelled by the caller", what)
}
