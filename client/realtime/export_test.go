package realtime

import "time"

// WithServerKeepAliveRange narrows the range of a server's
// connectionTimeoutMs, so that tests of the keep-alive watchdog need not
// wait 10 s.
func WithServerKeepAliveRange(lo, hi time.Duration) Option {
	return func(o *Options) { o.serverKeepAlive = [2]time.Duration{lo, hi} }
}
