package client

import (
	"slices"
	"time"
)

// SubscriptionAuth tells a realtime subscription how to authorize as this
// client's HTTP calls do: the endpoint, the auth mode the client chooses for
// operation op under the call's opts (the same choice as for a query), and
// an Option that carries the client's options with opts applied
// (credentials, token sources, API key, region, and the clock with the
// skew the client learnt from AppSync). Generated code
// passes them to realtime.AuthorizerFor.
func (c *Client) SubscriptionAuth(op string, opts ...Option) (Endpoint, AuthMode, Option, error) {
	o := c.opts
	o.explicitMode = false
	for _, opt := range opts {
		opt(&o)
	}
	mode, err := c.chooseMode(op, &o)
	if err != nil {
		return Endpoint{}, "", nil, &OperationError{Operation: op, AuthMode: o.AuthMode, Err: err}
	}
	ep := Endpoint{URL: c.url, Region: o.Region, APIKey: o.APIKey, DefaultAuthMode: c.opts.AuthMode, Operations: c.operations}
	// Realtime signs with the clock the HTTP calls sign with: the given
	// one, corrected by the skew learnt from AppSync's refusals, read at
	// each signing so that a skew learnt later applies to later connects
	// and starts.
	base := o.Clock
	if base == nil {
		base = time.Now
	}
	o.Clock = func() time.Time { return base().Add(time.Duration(c.skew.Load())) }
	carry := func(dst *Options) { *dst = o }
	return ep, mode, carry, nil
}

// RealtimeOptions returns the options of package realtime given to New
// (see Options.Realtime), for realtime.NewSession.
func (c *Client) RealtimeOptions() []any { return slices.Clone(c.opts.Realtime) }
