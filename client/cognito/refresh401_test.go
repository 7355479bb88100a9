package cognito_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/internal/testenv"
)

// The TokenSource is a client.TokenRefresher: the runtime asks it to
// refresh once when AppSync answers 401 for its token.
var _ client.TokenRefresher = (*cognito.TokenSource)(nil)

func TestRefreshRejectedToken(t *testing.T) {
	c := testenv.StartCognito(t)
	c.CreateUser(t, "carol", "Passw0rd!refresh-401")
	ts := cognito.NewTokenSource(c.Client, cognito.Options{ClientID: c.ClientID})
	ctx := context.Background()
	require.NoError(t, ts.SignIn(ctx, "carol", "Passw0rd!refresh-401"))
	first, err := ts.Token(ctx)
	require.NoError(t, err)

	// Another token was rejected (someone refreshed since): nothing to do.
	require.NoError(t, ts.Refresh(ctx, "not-the-current-token"))
	same, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, first, same)

	// The current token was rejected: it is renewed now, before its exp.
	require.NoError(t, ts.Refresh(ctx, first))
	renewed, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, first, renewed)
	_, err = c.VerifyJWT(renewed)
	require.NoError(t, err)
}
