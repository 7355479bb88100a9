export const request = (ctx) => {
  ctx.stash.typeName = "Mutation";
  ctx.stash.fieldName = "createAssistantResponseChat";
  ctx.stash.conditions = [];
  ctx.stash.metadata = {};
  ctx.stash.metadata.dataSourceType = "AMAZON_DYNAMODB";
  ctx.stash.metadata.apiId = "fakeApiId123456";
  ctx.stash.connectionAttributes = {};
  ctx.stash.tableName = "ConversationMessageChat-fakeApiId123456-NONE";
  ctx.stash.authRole = "arn:aws:sts::123456789012:assumed-role/amplifyAuthAuthenticatedUserRole/CognitoIdentityCredentials";
  ctx.stash.unauthRole = "arn:aws:sts::123456789012:assumed-role/amplifyAuthUnauthenticatedUserRole/CognitoIdentityCredentials";
  ctx.stash.identityPoolId = "us-east-1:00000000-0000-0000-0000-000000000000";
  ctx.stash.adminRoles = [];
  return {};
}

export const response = (ctx) => {
  return ctx.prev.result;
};