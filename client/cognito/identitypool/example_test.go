package identitypool_test

import (
	"context"
	"fmt"

	"github.com/go-amplify/data/client"
	"github.com/go-amplify/data/client/cognito"
	"github.com/go-amplify/data/client/cognito/identitypool"
	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

// The examples run against fakecognito's stand-ins for Cognito on
// 127.0.0.1. Against AWS, make the clients with
//
//	ids := cognitoidentity.NewFromConfig(awsCfg)         // the identity pool's region
//	idp := cognitoidentityprovider.NewFromConfig(awsCfg) // the user pool's region
//
// and take the IDs from amplify_outputs.json: auth.identity_pool_id,
// auth.user_pool_id, auth.user_pool_client_id.

// Guest credentials, for the identityPool auth mode of signed-out users.
func ExampleNew_guest() {
	fake := fakecognito.StartIdentity(fakecognito.IdentityOptions{})
	defer fake.Close()
	ids := fake.Client()

	creds, err := identitypool.New(ids, identitypool.Options{IdentityPoolID: fake.PoolID})
	if err != nil {
		fmt.Println(err)
		return
	}
	// c, err := amplifydata.New(outputs, client.WithIdentityPool(creds))
	_ = client.WithIdentityPool(creds)

	c, err := creds.Retrieve(context.Background())
	fmt.Println(c.Source, c.CanExpire, err)
	// Output: CognitoIdentityPool true <nil>
}

// Authenticated credentials for a user signed in to the user pool: the ID
// token goes into Logins under cognito-idp.<region>.amazonaws.com/<pool>.
func ExampleNew_authenticated() {
	users := fakecognito.Start(fakecognito.Options{PoolID: "us-east-1_AbCdEf123", ClientID: "example-client-id"})
	defer users.Close()
	users.AddUser(fakecognito.User{Username: "alice", Password: "Corr3ct-Horse!"})
	fake := fakecognito.StartIdentity(fakecognito.IdentityOptions{UserPool: users})
	defer fake.Close()
	ctx := context.Background()

	ts := cognito.NewTokenSource(users.Client(), cognito.Options{ClientID: "example-client-id", UserPoolID: "us-east-1_AbCdEf123"})
	if err := ts.SignInSRP(ctx, "alice", "Corr3ct-Horse!"); err != nil {
		fmt.Println(err)
		return
	}
	creds, err := identitypool.New(fake.Client(), identitypool.Options{
		IdentityPoolID: fake.PoolID,
		Tokens:         ts, // its IDToken method, refreshed when due
		UserPoolID:     "us-east-1_AbCdEf123",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// c, err := amplifydata.New(outputs, client.WithUserPool(ts), client.WithIdentityPool(creds))

	c, err := creds.Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	issued, _ := fake.Issued(c.AccessKeyID)
	fmt.Println(creds.ProviderName())
	fmt.Println(issued.Role)
	// Output:
	// cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123
	// authenticated
}
