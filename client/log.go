package client

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// log writes the record of a finished call.
func (cl *call) log(ctx context.Context, l *slog.Logger, err error) {
	level := slog.LevelDebug
	msg := "amplify data: call"
	if err != nil {
		level = slog.LevelWarn
		msg = "amplify data: call failed"
	}
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", cl.req.OpName),
		slog.String("auth", string(cl.mode)),
		slog.Int("status", cl.status),
		slog.Int("attempts", cl.attempts),
		slog.Duration("duration", time.Since(cl.start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", cl.logText(err)))
	}
	l.LogAttrs(ctx, level, msg, attrs...)
}

// logRetry writes the record of an attempt that is tried again.
func (cl *call) logRetry(ctx context.Context, err error, delay time.Duration, why string) {
	l := cl.o.Logger
	if l == nil || !l.Enabled(ctx, slog.LevelInfo) {
		return
	}
	l.LogAttrs(ctx, slog.LevelInfo, "amplify data: "+why,
		slog.String("operation", cl.req.OpName),
		slog.String("auth", string(cl.mode)),
		slog.Int("status", cl.status),
		slog.Int("attempt", cl.attempts),
		slog.Duration("delay", delay),
		slog.Duration("elapsed", time.Since(cl.start)),
		slog.String("error", cl.logText(err)),
	)
}

// logText is the error's text for a log line, with every secret of the call
// removed (error texts are redacted already; this is a second guard).
func (cl *call) logText(err error) string {
	var op *OperationError
	if errors.As(err, &op) {
		err = op.Err
	}
	return cl.sec.String(err.Error())
}
