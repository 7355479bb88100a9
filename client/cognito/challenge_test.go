package cognito

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-amplify/data/client/cognito/internal/fakecognito"
)

// TestChallenges signs in through the double (SRP, with a client secret, so
// every answer must carry the right USERNAME and SECRET_HASH), meets each
// challenge as a typed *ChallengeError and answers it with RespondToChallenge.
func TestChallenges(t *testing.T) {
	ctx := context.Background()
	const (
		pw     = "Corr3ct-Horse!"
		secret = "app-client-secret"
		code   = "246810"
	)
	type step struct {
		name      string
		keys      []string          // ResponseKeys
		message   string            // in Error()
		responses map[string]string // the answer
	}
	for _, tc := range []struct {
		name  string
		chain []string
		steps []step
	}{
		{"SMS_MFA", []string{"SMS_MFA"}, []step{
			{"SMS_MFA", []string{"SMS_MFA_CODE"}, "call RespondToChallenge with SMS_MFA_CODE", map[string]string{"SMS_MFA_CODE": code}},
		}},
		{"SOFTWARE_TOKEN_MFA", []string{"SOFTWARE_TOKEN_MFA"}, []step{
			{"SOFTWARE_TOKEN_MFA", []string{"SOFTWARE_TOKEN_MFA_CODE"}, "SOFTWARE_TOKEN_MFA_CODE", map[string]string{"SOFTWARE_TOKEN_MFA_CODE": code}},
		}},
		{"EMAIL_OTP", []string{"EMAIL_OTP"}, []step{
			{"EMAIL_OTP", []string{"EMAIL_OTP_CODE"}, "EMAIL_OTP_CODE", map[string]string{"EMAIL_OTP_CODE": code}},
		}},
		{"SELECT_MFA_TYPE then SOFTWARE_TOKEN_MFA", []string{"SELECT_MFA_TYPE"}, []step{
			{"SELECT_MFA_TYPE", []string{"ANSWER"}, "ANSWER set to one of MFAS_CAN_CHOOSE", map[string]string{"ANSWER": "SOFTWARE_TOKEN_MFA"}},
			{"SOFTWARE_TOKEN_MFA", []string{"SOFTWARE_TOKEN_MFA_CODE"}, "SOFTWARE_TOKEN_MFA_CODE", map[string]string{"SOFTWARE_TOKEN_MFA_CODE": code}},
		}},
		{"CUSTOM_CHALLENGE", []string{"CUSTOM_CHALLENGE"}, []step{
			{"CUSTOM_CHALLENGE", []string{"ANSWER"}, "call RespondToChallenge with ANSWER", map[string]string{"ANSWER": code}},
		}},
		{"NEW_PASSWORD_REQUIRED then SMS_MFA", []string{"NEW_PASSWORD_REQUIRED", "SMS_MFA"}, []step{
			{"NEW_PASSWORD_REQUIRED", []string{"NEW_PASSWORD"}, "RespondNewPassword", map[string]string{"NEW_PASSWORD": "Brand-New-Pw1!"}},
			{"SMS_MFA", []string{"SMS_MFA_CODE"}, "SMS_MFA_CODE", map[string]string{"SMS_MFA_CODE": code}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakecognito.New(t, fakecognito.Options{ClientSecret: secret})
			srv.AddUser(fakecognito.User{Username: "u-internal-1", Alias: "mfa@example.com", Password: pw, Challenges: tc.chain, Code: code})
			ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, ClientSecret: secret, UserPoolID: srv.PoolID})
			err := ts.SignInSRP(ctx, "mfa@example.com", pw)
			for i, st := range tc.steps {
				var ce *ChallengeError
				require.ErrorAs(t, err, &ce, "step %d", i)
				assert.Equal(t, st.name, ce.Name)
				assert.Equal(t, st.keys, ce.ResponseKeys())
				assert.Contains(t, ce.Error(), st.name)
				assert.Contains(t, ce.Error(), st.message)
				assert.NotContains(t, ce.Error(), ce.Session)
				require.NotEmpty(t, ce.Session)
				_, terr := ts.Token(ctx)
				require.ErrorIs(t, terr, ErrNotSignedIn, "no tokens while a challenge is open")

				if st.name != "SELECT_MFA_TYPE" && st.name != "NEW_PASSWORD_REQUIRED" {
					// A wrong answer is a typed error, and the challenge can be answered again.
					wrong := map[string]string{}
					for k := range st.responses {
						wrong[k] = "000000"
					}
					werr := ts.RespondToChallenge(ctx, ce, wrong)
					var se *SignInError
					require.ErrorAs(t, werr, &se)
					assert.Equal(t, st.name, se.Flow)
					assert.Equal(t, "RespondToAuthChallenge", se.Op)
					if st.name == "CUSTOM_CHALLENGE" {
						assert.ErrorIs(t, werr, ErrNotAuthorized)
					} else {
						assert.Equal(t, "CodeMismatchException", se.Code)
						assert.Contains(t, werr.Error(), "the code is wrong or expired")
					}
				}
				given := map[string]string{}
				for k, v := range st.responses {
					given[k] = v
				}
				err = ts.RespondToChallenge(ctx, ce, st.responses)
				assert.Equal(t, given, st.responses, "responses not modified")
			}
			require.NoError(t, err)
			claims, err := ts.Claims(ctx)
			require.NoError(t, err)
			assert.Equal(t, "u-internal-1", claims["cognito:username"])

			// Every answer named the user's internal name, with its SECRET_HASH.
			for _, c := range srv.Calls() {
				if c.Op != "RespondToAuthChallenge" {
					continue
				}
				r := requestParams(t, c)
				assert.Equal(t, "u-internal-1", r["USERNAME"])
				assert.Equal(t, secretHashFor(secret, "u-internal-1", srv.ClientID), r["SECRET_HASH"])
			}
		})
	}

	t.Run("MFA_SETUP", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		srv.AddUser(fakecognito.User{Username: "newmfa", Password: pw, Challenges: []string{"MFA_SETUP"}, Code: code})
		idp := srv.Client()
		ts := NewTokenSource(idp, Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID})
		err := ts.SignInSRP(ctx, "newmfa", pw)
		var ce *ChallengeError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "MFA_SETUP", ce.Name)
		assert.Empty(t, ce.ResponseKeys())
		assert.Contains(t, ce.Error(), "AssociateSoftwareToken and VerifySoftwareToken")
		assert.Equal(t, `["SOFTWARE_TOKEN_MFA"]`, ce.Parameters["MFAS_CAN_SETUP"])

		// Answering before setting up TOTP is refused by the double.
		require.Error(t, ts.RespondToChallenge(ctx, ce, nil))

		assoc, err := idp.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: aws.String(ce.Session)})
		require.NoError(t, err)
		require.NotEmpty(t, aws.ToString(assoc.SecretCode)) // the TOTP seed for the authenticator app
		ver, err := idp.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(code)})
		require.NoError(t, err)
		assert.Equal(t, types.VerifySoftwareTokenResponseTypeSuccess, ver.Status)
		ce.Session = aws.ToString(ver.Session)
		require.NoError(t, ts.RespondToChallenge(ctx, ce, nil))
		_, err = ts.Token(ctx)
		require.NoError(t, err)
	})

	t.Run("DEVICE_SRP_AUTH is typed and explained", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{})
		srv.AddUser(fakecognito.User{Username: "dev", Password: pw, Challenges: []string{"DEVICE_SRP_AUTH"}})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, UserPoolID: srv.PoolID, SignInFlow: UserSRPAuth})
		err := ts.SignIn(ctx, "dev", pw)
		var ce *ChallengeError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "DEVICE_SRP_AUTH", ce.Name)
		assert.Nil(t, ce.ResponseKeys())
		assert.Contains(t, err.Error(), "device authentication (remembered devices) is not supported by this package")
	})

	t.Run("challenges after USER_PASSWORD_AUTH too", func(t *testing.T) {
		srv := fakecognito.New(t, fakecognito.Options{ClientSecret: secret})
		srv.AddUser(fakecognito.User{Username: "pwuser", Password: pw, Challenges: []string{"SOFTWARE_TOKEN_MFA"}, Code: code})
		ts := NewTokenSource(srv.Client(), Options{ClientID: srv.ClientID, ClientSecret: secret})
		err := ts.SignIn(ctx, "pwuser", pw)
		var ce *ChallengeError
		require.ErrorAs(t, err, &ce)
		require.NoError(t, ts.RespondToChallenge(ctx, ce, map[string]string{"SOFTWARE_TOKEN_MFA_CODE": code}))
		_, err = ts.Token(ctx)
		require.NoError(t, err)
	})

	t.Run("misuse", func(t *testing.T) {
		ts := NewTokenSource(&fakeAPI{}, Options{ClientID: "c"})
		require.ErrorContains(t, ts.RespondToChallenge(ctx, nil, nil), "needs the *ChallengeError")
		require.ErrorContains(t, ts.RespondToChallenge(ctx, &ChallengeError{Name: "SMS_MFA"}, nil), "has no Session")
		require.ErrorContains(t, ts.RespondNewPassword(ctx, &ChallengeError{Name: "SMS_MFA", Session: "s"}, "x"), "answer other challenges with RespondToChallenge")
	})
}
