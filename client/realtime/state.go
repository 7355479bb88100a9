package realtime

import (
	"strconv"
	"sync"
	"time"
)

// State is the state of a Client's connection.
type State int

const (
	// StateIdle: no subscription is active, so no socket is open (before
	// the first Subscribe, and after the last subscription ended).
	StateIdle State = iota
	// StateConnecting: the first connection attempt is being made (the
	// WebSocket handshake, connection_init, connection_ack).
	StateConnecting
	// StateConnected: connection_ack arrived; subscriptions are started
	// and events flow.
	StateConnected
	// StateReconnecting: the connection was lost or an attempt failed;
	// the client waits (StateChange.Wait), then makes attempt
	// StateChange.Attempt. Reported once per attempt, so a server that
	// refuses every handshake is heard of while it does.
	StateReconnecting
	// StateFailed: the reconnect policy gave up (Backoff.MaxAttempts,
	// MaxAuthFailures); every subscription ended with StateChange.Err.
	// The next Subscribe tries again.
	StateFailed
	// StateClosed: Client.Close was called.
	StateClosed
)

var stateNames = [...]string{"idle", "connecting", "connected", "reconnecting", "failed", "closed"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// StateChange is one change of a Client's connection state, as passed to
// the function of WithStateFunc.
type StateChange struct {
	State State
	// Attempt is, for StateConnecting and StateReconnecting, the number
	// of the connection attempt about to be made, counting the attempts
	// in a row since the last connection (1: the first); for StateFailed,
	// how many failed in a row.
	Attempt int
	// Wait is, for StateReconnecting, how long the client waits (the
	// backoff) before the attempt.
	Wait time.Duration
	// Err is, for StateReconnecting, why the connection was lost or the
	// last attempt failed (a *ConnectionError for a refused handshake or
	// a connection_error, ErrKeepAliveTimeout, a network error); for
	// StateFailed, the *ConnectionError every subscription ended with.
	// Its text holds no secret.
	Err error
	// At is when the change happened.
	At time.Time
}

// maxPendingStates bounds the changes waiting for a slow state function:
// past it the oldest are dropped, so that memory stays bounded however
// long the function blocks. Client.State is always current.
const maxPendingStates = 64

// notifier keeps the current state and delivers each change to the state
// function, in order, one call at a time, from a goroutine of its own
// that runs only while changes wait: the connection loop never waits for
// the function, and the function may call any method of the Client.
type notifier struct {
	f func(StateChange)

	mu      sync.Mutex
	cur     State
	queue   []StateChange
	running bool
}

func (n *notifier) state() State {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cur
}

// set records a change and hands it to the state function.
func (n *notifier) set(sc StateChange) {
	sc.At = time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cur = sc.State
	if n.f == nil {
		return
	}
	if len(n.queue) >= maxPendingStates {
		n.queue = append(n.queue[:0], n.queue[1:]...)
	}
	n.queue = append(n.queue, sc)
	if !n.running {
		n.running = true
		go n.deliver()
	}
}

func (n *notifier) deliver() {
	for {
		n.mu.Lock()
		if len(n.queue) == 0 {
			n.running = false
			n.mu.Unlock()
			return
		}
		sc := n.queue[0]
		n.queue = append(n.queue[:0], n.queue[1:]...)
		n.mu.Unlock()
		n.f(sc)
	}
}
