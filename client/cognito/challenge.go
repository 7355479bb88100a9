package cognito

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// ChallengeError is returned by SignIn, SignInSRP, RespondToChallenge and
// RespondNewPassword when Cognito answers with a challenge instead of
// tokens. It keeps the challenge's session: answer it with RespondToChallenge
// (any challenge) or RespondNewPassword (NEW_PASSWORD_REQUIRED). Its message
// names the challenge and the responses it needs, never the session.
type ChallengeError struct {
	// Name is the challenge name, e.g. "NEW_PASSWORD_REQUIRED", "SMS_MFA",
	// "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP", "CUSTOM_CHALLENGE".
	Name string
	// Session is the opaque session to answer the challenge with. For
	// MFA_SETUP, replace it with the session VerifySoftwareToken returns.
	Session string
	// Parameters are the challenge parameters Cognito sent (for example
	// CODE_DELIVERY_DESTINATION, MFAS_CAN_CHOOSE, or a custom challenge's
	// parameters).
	Parameters map[string]string

	username string
}

// challengeResponses lists, per challenge, the ChallengeResponses key (or
// keys) that carry the answer, besides USERNAME and SECRET_HASH, which
// RespondToChallenge adds.
var challengeResponses = map[string][]string{
	string(types.ChallengeNameTypeNewPasswordRequired): {"NEW_PASSWORD"},
	string(types.ChallengeNameTypeSmsMfa):              {"SMS_MFA_CODE"},
	string(types.ChallengeNameTypeEmailOtp):            {"EMAIL_OTP_CODE"},
	string(types.ChallengeNameTypeSmsOtp):              {"SMS_OTP_CODE"},
	string(types.ChallengeNameTypeSoftwareTokenMfa):    {"SOFTWARE_TOKEN_MFA_CODE"},
	string(types.ChallengeNameTypeSelectMfaType):       {"ANSWER"},
	string(types.ChallengeNameTypeSelectChallenge):     {"ANSWER"},
	string(types.ChallengeNameTypeCustomChallenge):     {"ANSWER"},
	string(types.ChallengeNameTypeMfaSetup):            {},
	string(types.ChallengeNameTypePassword):            {"PASSWORD"},
}

// ResponseKeys returns the ChallengeResponses keys that answer the
// challenge, besides USERNAME and SECRET_HASH (RespondToChallenge adds
// those): ["SMS_MFA_CODE"] for SMS_MFA, ["ANSWER"] for SELECT_MFA_TYPE and
// CUSTOM_CHALLENGE, and so on; nil for challenges this package cannot answer
// or does not know.
func (e *ChallengeError) ResponseKeys() []string {
	return append([]string(nil), challengeResponses[e.Name]...)
}

// Error implements error; it names the challenge and how to answer it.
func (e *ChallengeError) Error() string {
	msg := "cognito: sign-in requires answering challenge " + e.Name
	switch e.Name {
	case string(types.ChallengeNameTypeNewPasswordRequired):
		return msg + ": call RespondNewPassword, or RespondToChallenge with NEW_PASSWORD (and userAttributes.<name> for each of requiredAttributes)"
	case string(types.ChallengeNameTypeSelectMfaType):
		return msg + ": call RespondToChallenge with ANSWER set to one of MFAS_CAN_CHOOSE (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP); Cognito then asks for that code"
	case string(types.ChallengeNameTypeSelectChallenge):
		return msg + ": call RespondToChallenge with ANSWER set to one of AVAILABLE_CHALLENGES"
	case string(types.ChallengeNameTypeMfaSetup):
		return msg + ": set up TOTP with AssociateSoftwareToken and VerifySoftwareToken using the challenge's Session, " +
			"put the Session VerifySoftwareToken returns into ChallengeError.Session, then call RespondToChallenge with no responses"
	case string(types.ChallengeNameTypeDeviceSrpAuth), string(types.ChallengeNameTypeDevicePasswordVerifier):
		return msg + ": device authentication (remembered devices) is not supported by this package; it sends no DEVICE_KEY, " +
			"so Cognito should not ask for it: check the app client's device tracking"
	case string(types.ChallengeNameTypeWebAuthn), string(types.ChallengeNameTypePasswordSrp):
		return msg + ": not supported by this package; choose another challenge (SELECT_CHALLENGE) or sign in with SignIn/SignInSRP"
	}
	if keys := challengeResponses[e.Name]; len(keys) > 0 {
		return msg + ": call RespondToChallenge with " + strings.Join(keys, ", ")
	}
	return msg + ": call RespondToChallenge with the ChallengeResponses Cognito documents for it"
}

// challengeUsername is the USERNAME to answer e with: USER_ID_FOR_SRP or
// USERNAME from the challenge parameters (the user's internal name), else
// the name the sign-in started with.
func (e *ChallengeError) challengeUsername() string {
	for _, k := range []string{"USER_ID_FOR_SRP", "USERNAME"} {
		if u := e.Parameters[k]; u != "" {
			return u
		}
	}
	return e.username
}

// RespondToChallenge answers any challenge returned by SignIn, SignInSRP or
// an earlier RespondToChallenge, with the challenge's session and the given
// ChallengeResponses (for example {"SMS_MFA_CODE": "123456"}, see
// ChallengeError.ResponseKeys). It adds USERNAME (the user's internal name)
// and, with Options.ClientSecret, SECRET_HASH, unless responses has them.
// On success it keeps the tokens; Cognito may answer with a further
// challenge (SELECT_MFA_TYPE then SMS_MFA, for example), returned as a new
// *ChallengeError. A failed call is a *SignInError (a wrong code is
// CodeMismatchException). responses is not modified.
func (s *TokenSource) RespondToChallenge(ctx context.Context, challenge *ChallengeError, responses map[string]string) error {
	if challenge == nil || challenge.Name == "" {
		return errors.New("cognito: RespondToChallenge needs the *ChallengeError that SignIn or an earlier RespondToChallenge returned")
	}
	if challenge.Session == "" {
		return errors.New("cognito: RespondToChallenge: the challenge has no Session: pass the *ChallengeError Cognito returned, unchanged (for MFA_SETUP, with VerifySoftwareToken's session)")
	}
	resp := maps.Clone(responses)
	if resp == nil {
		resp = map[string]string{}
	}
	username := resp["USERNAME"]
	if username == "" {
		username = challenge.challengeUsername()
		resp["USERNAME"] = username
	}
	if _, ok := resp["SECRET_HASH"]; !ok {
		if h := s.secretHash(username); h != "" {
			resp["SECRET_HASH"] = h
		}
	}
	out, err := s.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName:      types.ChallengeNameType(challenge.Name),
		ClientId:           aws.String(s.opts.ClientID),
		Session:            aws.String(challenge.Session),
		ChallengeResponses: resp,
	})
	if err != nil {
		return signInError(challenge.Name, "RespondToAuthChallenge", err)
	}
	return s.accept(username, out.ChallengeName, out.Session, out.ChallengeParameters, out.AuthenticationResult)
}

// RespondNewPassword answers a NEW_PASSWORD_REQUIRED challenge with a new
// password, and keeps the resulting tokens. It is RespondToChallenge with
// NEW_PASSWORD; it may return a further *ChallengeError.
func (s *TokenSource) RespondNewPassword(ctx context.Context, challenge *ChallengeError, newPassword string) error {
	if challenge == nil || challenge.Name != string(types.ChallengeNameTypeNewPasswordRequired) {
		return errors.New("cognito: RespondNewPassword needs a NEW_PASSWORD_REQUIRED challenge; answer other challenges with RespondToChallenge")
	}
	return s.RespondToChallenge(ctx, challenge, map[string]string{"NEW_PASSWORD": newPassword})
}
