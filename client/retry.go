package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// RetryOptions configure the standard retryer, the one a Client uses unless
// WithRetryer gives another. It is aws-sdk-go-v2's standard retryer
// (retry.NewStandard): exponential backoff with full jitter, a delay drawn
// uniformly from [0, min(MaxBackoff, BaseDelay·2^(attempt-1))], with a base
// of 1 s for throttling errors, as the SDK's. Zero fields take the
// defaults of DefaultRetryOptions.
type RetryOptions struct {
	// MaxAttempts bounds the attempts of one call, the first one included.
	// Default 3, as aws-sdk-go-v2's; 1 disables retries.
	MaxAttempts int

	// BaseDelay is the bound of the first backoff of an error that is not a
	// throttling error. Default 50 ms (throttling errors: 1 s), as the SDK's.
	BaseDelay time.Duration

	// MaxBackoff caps a single delay. Default 20 s, as the SDK's.
	MaxBackoff time.Duration

	// MaxElapsed bounds the time of a whole call: no retry is started whose
	// delay would end later than MaxElapsed after the call began. Default
	// 30 s, AppSync's own limit on the execution of one request; a negative
	// value removes the bound. The caller's context bounds a call in any
	// case.
	MaxElapsed time.Duration

	// RetryMutations, when set, retries mutations like queries. Leave it
	// unset unless every mutation sent with it is idempotent: by default a
	// mutation is retried only when its request provably never reached
	// the server (the connection could not be made).
	RetryMutations bool
}

// DefaultRetryOptions are the retry settings of a Client built without
// WithRetry or WithRetryer.
var DefaultRetryOptions = RetryOptions{
	MaxAttempts: retry.DefaultMaxAttempts,
	BaseDelay:   50 * time.Millisecond,
	MaxBackoff:  retry.DefaultMaxBackoff,
	MaxElapsed:  30 * time.Second,
}

func (ro RetryOptions) withDefaults() RetryOptions {
	d := DefaultRetryOptions
	if ro.MaxAttempts <= 0 {
		ro.MaxAttempts = d.MaxAttempts
	}
	if ro.BaseDelay <= 0 {
		ro.BaseDelay = d.BaseDelay
	}
	if ro.MaxBackoff <= 0 {
		ro.MaxBackoff = d.MaxBackoff
	}
	if ro.MaxElapsed == 0 {
		ro.MaxElapsed = d.MaxElapsed
	}
	return ro
}

// NewRetryer returns the standard retryer configured by ro: aws-sdk-go-v2's
// retry.NewStandard with ro's attempts and delays. Its client-side retry
// quota is off (ratelimit.None): attempts are already bounded per call by
// MaxAttempts and MaxElapsed. Pass retry.NewStandard yourself to
// WithRetryer for the SDK's token bucket.
func NewRetryer(ro RetryOptions) aws.Retryer {
	ro = ro.withDefaults()
	return &standardRetryer{retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = ro.MaxAttempts
		so.MaxBackoff = ro.MaxBackoff
		so.BaseDelay = ro.BaseDelay
		so.RateLimiter = ratelimit.None
	})}
}

// A TokenRefresher is a TokenSource that can be told that AppSync rejected
// a token it gave. The client calls Refresh once when AppSync answers a
// request made with rejected by 401 UnauthorizedException (the token
// expired early, was revoked, or the user signed out elsewhere), then asks
// Token again and resends the request once. A second 401 ends the call
// with a *TokenRejectedError; the client never loops.
//
// Refresh must make the next Token call return a token other than
// rejected, obtained anew from the issuer, even when rejected's own
// expiry is still ahead (for a Cognito user pool: REFRESH_TOKEN_AUTH with
// the refresh token, or a new sign-in), or return an error when no new
// token can be had (the refresh token is revoked or expired: the user must
// sign in again). When rejected is no longer the source's current token,
// another caller has already refreshed it and Refresh should return nil at
// once. Refresh is called concurrently by every request that got the 401,
// so an implementation should run one refresh at a time, as Token does,
// and should respect ctx. Its error is returned to the caller (wrapped in
// the *TokenRejectedError), after the client's redaction of the tokens.
type TokenRefresher interface {
	TokenSource
	Refresh(ctx context.Context, rejected string) error
}

// standardRetryer is the retryer NewRetryer builds. Its rate limiter is
// ratelimit.None, so the per-attempt token calls of the aws.Retryer
// protocol (which allocate) are skipped for it.
type standardRetryer struct{ *retry.Standard }

// quotaFree reports whether r needs none of the retry-token calls.
func quotaFree(r aws.Retryer) bool {
	_, ok := r.(*standardRetryer)
	return ok
}

// isThrottleType reports whether an AppSync error type (Throttling, or a
// data source's DynamoDB:ProvisionedThroughputExceededException,
// Lambda:TooManyRequestsException, ...) says the request was throttled.
func isThrottleType(t string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[baseErrorType(t)]
	return ok
}

// transientTypes are error types of a transient failure of AppSync or of
// a data source, besides throttling.
var transientTypes = map[string]bool{
	"RequestTimeout": true, "RequestTimeoutException": true,
	"InternalFailure": true, "InternalServerError": true, "InternalServerErrorException": true,
	"ServiceUnavailable": true, "ServiceUnavailableException": true, "ServiceException": true,
}

// isTransientType reports whether an error type says the failure was
// throttling or another transient failure worth retrying.
func isTransientType(t string) bool {
	return isThrottleType(t) || transientTypes[baseErrorType(t)]
}

// baseErrorType strips a data source's prefix: DynamoDB:X is X.
func baseErrorType(t string) string {
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		return t[i+1:]
	}
	return t
}

// retryableStatus reports whether an HTTP status is a transient failure:
// 429 and the 5xx statuses aws-sdk-go-v2 retries.
func retryableStatus(code int) bool {
	if code == http.StatusTooManyRequests {
		return true
	}
	_, ok := retry.DefaultRetryableHTTPStatusCodes[code]
	return ok
}

// neverSent reports whether err shows that the request cannot have reached
// the server: the connection was never made (DNS failure, refused, dial
// timeout, proxy connect failure).
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect") {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// retryableNetworkError classifies a failure to send or to read, as
// aws-sdk-go-v2 does (dial errors, refused and reset connections,
// timeouts), adding a reply cut short, which is transient too.
func retryableNetworkError(err error) bool {
	switch (retry.RetryableConnectionError{}).IsErrorRetryable(err) {
	case aws.TrueTernary:
		return true
	case aws.FalseTernary:
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
