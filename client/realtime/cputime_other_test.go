//go:build !unix

package realtime_test

import "time"

// cpuTime is not measured here: the soak benchmark reports 0 CPU per event.
func cpuTime() time.Duration { return 0 }
