export const request = (ctx) => {
  ctx.stash.typeName = "Mutation";
  ctx.stash.fieldName = "chat";
  ctx.stash.conditions = [];
  ctx.stash.metadata = {};
  ctx.stash.metadata.dataSourceType = "AWS_LAMBDA";
  ctx.stash.metadata.apiId = "fakeApiId123456";
  ctx.stash.connectionAttributes = {};
  ctx.stash.lambdaFunctionArn = "arn:aws:lambda:us-east-1:123456789012:function:ChatDefaultConversationHandlerconversationHandlerFunctionBA021928";
  ctx.stash.authRole = "arn:aws:sts::123456789012:assumed-role/amplifyAuthAuthenticatedUserRole/CognitoIdentityCredentials";
  ctx.stash.unauthRole = "arn:aws:sts::123456789012:assumed-role/amplifyAuthUnauthenticatedUserRole/CognitoIdentityCredentials";
  ctx.stash.identityPoolId = "us-east-1:00000000-0000-0000-0000-000000000000";
  ctx.stash.adminRoles = [];
  return {};
}

export const response = (ctx) => {
  return ctx.prev.result;
};