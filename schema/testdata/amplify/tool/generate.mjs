// generate.mjs turns Gen 2 data backends (a.schema(...) sources) into the
// outputs Amplify's own tools make for them, offline and deterministically.
//
//   node generate.mjs <backendsDir> [<outDir>]
//
// For every folder <backendsDir>/<name>/ holding a resource.ts, it writes into
// <backendsDir>/<name>/generated/ (or <outDir>/<name>/ when outDir is given):
//
//   amplify.graphql          the Amplify SDL: a.schema(...).transform().schema
//   appsync.graphql          the final AppSync SDL (the transformer's schema.graphql asset)
//   resolvers/*.vtl          every VTL template of the API (see TemplateFiles below)
//   model_introspection.json what @aws-amplify/graphql-generator makes of the Amplify SDL
//   amplify_outputs.json     the client configuration, version 1.4, for a local simulator
//   simulator.json           the wiring of amplify-appsync-simulator (see buildSimulator)
//
// resource.ts exports `schema` (the a.schema(...)), `authorizationModes` (what
// defineData receives) and, optionally, `auth` (what defineAuth receives:
// loginWith and groups, used for the auth section of amplify_outputs.json).
//
// The transformer runs as Gen 2 runs it: @aws-amplify/backend-data's defineData
// builds an AmplifyData construct (graphql-api-construct), which calls
// executeTransform with the values reproduced below; this script calls
// executeTransform itself inside a throw-away aws-cdk-lib App/Stack, records the
// assets instead of uploading them, and reads the resulting constructs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';
import { parse } from 'graphql';
import { App, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { executeTransform } from '@aws-amplify/graphql-transformer';
import { DDB_AMPLIFY_MANAGED_DATASOURCE_STRATEGY } from '@aws-amplify/graphql-transformer-core';
import { generateModels } from '@aws-amplify/graphql-generator';

const toolDir = path.dirname(fileURLToPath(import.meta.url));

// The stand-in values of the simulated backend. They appear in the outputs
// (amplify_outputs.json, simulator.json and the VTL the transformer writes),
// so they must never change without regenerating.
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const PARTITION = 'aws';
// AppSync assigns the API id at deployment; the VTL and the table names carry it.
const API_ID = 'fakeApiId123456';
// The API key AppSync would generate; `amplify mock` uses the same placeholder.
const API_KEY = 'da2-fakeApiId123456';
const USER_POOL_ID = 'us-east-1_SIMULATED';
const USER_POOL_CLIENT_ID = 'simulatedclientid';
const IDENTITY_POOL_ID = 'us-east-1:00000000-0000-0000-0000-000000000000';
// The IAM roles of the identity pool. Gen 2 passes the role names of
// defineAuth's authenticated and unauthenticated roles; the VTL of identity
// pool rules compares $ctx.identity.userArn with
// arn:aws:sts::<account>:assumed-role/<role name>/CognitoIdentityCredentials.
const AUTH_ROLE_NAME = 'amplifyAuthAuthenticatedUserRole';
const UNAUTH_ROLE_NAME = 'amplifyAuthUnauthenticatedUserRole';
// The harness rewrites this URL at run time.
const GRAPHQL_URL = 'http://127.0.0.1:20002/graphql';
// defineData's default name, which Gen 2 passes as the API's name.
const API_NAME = 'amplifyData';
// Gen 2 sets no amplifyEnvironmentName context, so the construct uses 'NONE'.
const ENVIRONMENT_NAME = 'NONE';

// The values of the CloudFormation conditions the transformer's templates use,
// as they are in a Gen 2 deployment (no environment parameter, on-demand
// billing, no point-in-time recovery).
const CONDITIONS = {
  HasEnvironmentParameter: false,
  ShouldUsePayPerRequestBilling: true,
  ShouldUsePointInTimeRecovery: false,
};

// graphql-api-construct 1.22.2's defaultTranslationBehavior
// (src/internal/default-parameters.ts), which the construct spreads under
// allowGen1Patterns: false, plus what @aws-amplify/backend-data 1.9.0's
// defineData passes as translationBehavior: sandboxModeEnabled (true only when
// there is neither defineAuth nor authorizationModes, never here) and
// allowDestructiveGraphqlSchemaUpdates: true.
const TRANSFORM_PARAMETERS = {
  shouldDeepMergeDirectiveConfigDefaults: true,
  disableResolverDeduping: true,
  sandboxModeEnabled: false,
  useSubUsernameForDefaultIdentityClaim: true,
  subscriptionsInheritPrimaryAuth: false,
  populateOwnerFieldForStaticGroupAuth: true,
  suppressApiKeyGeneration: false,
  secondaryKeyAsGSI: true,
  enableAutoIndexQueryNames: true,
  respectPrimaryKeyAttributesOnConnectionField: true,
  enableSearchNodeToNodeEncryption: false,
  enableSearchEncryptionAtRest: false,
  enableTransformerCfnOutputs: false,
  allowDestructiveGraphqlSchemaUpdates: true,
  replaceTableUponGsiUpdate: false,
  allowGen1Patterns: false,
};

// Where the recorded assets pretend to live; resolved properties that point
// here name an asset.
const ASSET_URL_PREFIX = 's3://transformer-assets/';

class GenerateError extends Error {}

function fail(message) {
  throw new GenerateError(message);
}

// ---------------------------------------------------------------------------
// Loading a backend

// loadBackend bundles resource.ts with esbuild (resolving packages from this
// tool's node_modules, as the backends live outside it) and imports it.
async function loadBackend(file) {
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    nodePaths: [path.join(toolDir, 'node_modules')],
    logLevel: 'silent',
  }).catch((err) => fail(`${file}: ${err.message}`));
  const code = result.outputFiles[0].text;
  const mod = await import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));
  if (!mod.schema || typeof mod.schema.transform !== 'function') {
    fail(`${file}: must export \`schema\`, the a.schema(...) that defineData receives`);
  }
  if (!mod.authorizationModes || typeof mod.authorizationModes !== 'object') {
    fail(`${file}: must export \`authorizationModes\`, what defineData receives as authorizationModes`);
  }
  return mod;
}

// ---------------------------------------------------------------------------
// Authorization modes, as Gen 2 converts them

const MODE_TO_APPSYNC = {
  iam: 'AWS_IAM',
  identityPool: 'AWS_IAM',
  userPool: 'AMAZON_COGNITO_USER_POOLS',
  apiKey: 'API_KEY',
  oidc: 'OPENID_CONNECT',
  lambda: 'AWS_LAMBDA',
};

// authorizationConfig reproduces @aws-amplify/backend-data's
// convertAuthorizationModesToCDK (with defineAuth present: a user pool and an
// identity pool, IAM always enabled) followed by graphql-api-construct's
// convertAuthorizationModesToTransformerAuthConfig. It returns the
// transformer's authConfig and auth synth parameters.
function authorizationConfig(file, modes) {
  for (const key of Object.keys(modes)) {
    if (!['defaultAuthorizationMode', 'apiKeyAuthorizationMode'].includes(key)) {
      fail(`${file}: authorizationModes.${key} is not supported by this tool (only defaultAuthorizationMode and apiKeyAuthorizationMode)`);
    }
  }
  const defaultMode = modes.defaultAuthorizationMode;
  if (!defaultMode) {
    // Gen 2 refuses this too when defineAuth is present.
    fail(`${file}: authorizationModes.defaultAuthorizationMode is required`);
  }
  const defaultType = MODE_TO_APPSYNC[defaultMode];
  if (!defaultType || defaultType === 'OPENID_CONNECT' || defaultType === 'AWS_LAMBDA') {
    fail(`${file}: defaultAuthorizationMode ${JSON.stringify(defaultMode)} is not supported by this tool (iam, identityPool, userPool, apiKey)`);
  }
  const apiKey = modes.apiKeyAuthorizationMode || defaultMode === 'apiKey'
    ? { description: modes.apiKeyAuthorizationMode?.description, expiresInDays: modes.apiKeyAuthorizationMode?.expiresInDays ?? 7 }
    : undefined;
  // The construct's order: API key, Lambda, OIDC, user pool, IAM.
  const providers = [
    apiKey ? {
      authenticationType: 'API_KEY',
      apiKeyConfig: { description: apiKey.description, apiKeyExpirationDays: apiKey.expiresInDays },
    } : null,
    { authenticationType: 'AMAZON_COGNITO_USER_POOLS', userPoolConfig: { userPoolId: USER_POOL_ID } },
    { authenticationType: 'AWS_IAM' },
  ].filter(Boolean);
  const defaultAuthentication = providers.find((p) => p.authenticationType === defaultType);
  if (!defaultAuthentication) {
    fail(`${file}: defaultAuthorizationMode ${defaultMode} is not among the configured modes`);
  }
  return {
    authConfig: {
      defaultAuthentication,
      additionalAuthenticationProviders: providers.filter((p) => p !== defaultAuthentication),
    },
    synthParameters: {
      adminRoles: [],
      identityPoolId: IDENTITY_POOL_ID,
      enableIamAccess: true,
      userPoolId: USER_POOL_ID,
      authenticatedUserRoleName: AUTH_ROLE_NAME,
      unauthenticatedUserRoleName: UNAUTH_ROLE_NAME,
    },
  };
}

// ---------------------------------------------------------------------------
// Running the transformer

// functionNames returns the names of every @function(name: ...) of the Amplify SDL.
function functionNames(sdl) {
  const names = new Set();
  for (const def of parse(sdl).definitions) {
    for (const field of def.fields ?? []) {
      for (const dir of field.directives ?? []) {
        if (dir.name.value !== 'function') continue;
        const arg = dir.arguments.find((a) => a.name.value === 'name');
        if (arg) names.add(arg.value.value);
      }
    }
  }
  return [...names].sort();
}

// modelNames returns the @model types of the Amplify SDL.
function modelNames(sdl) {
  return parse(sdl).definitions
    .filter((d) => d.kind === 'ObjectTypeDefinition' && (d.directives ?? []).some((x) => x.name.value === 'model'))
    .map((d) => d.name.value);
}

// transform runs executeTransform for one backend and returns the throw-away
// stack and the recorded assets (file name → contents).
function transform(file, sdl, modes, logs) {
  const { authConfig, synthParameters } = authorizationConfig(file, modes);
  const app = new App();
  const stack = new Stack(app, 'Backend', { env: { account: ACCOUNT_ID, region: REGION } });

  const assets = new Map();
  const assetProvider = {
    provide: (scope, id, { fileName, fileContent }) => {
      if (assets.has(fileName) && assets.get(fileName) !== fileContent) {
        fail(`${file}: the transformer wrote two different assets named ${fileName}`);
      }
      assets.set(fileName, fileContent);
      const url = ASSET_URL_PREFIX + fileName;
      return { assetHash: fileName, httpUrl: url, s3BucketName: 'transformer-assets', s3ObjectKey: fileName, s3ObjectUrl: url };
    },
  };

  // Gen 2 maps each function name of defineData's `functions` to its Lambda;
  // a stand-in imported by name gives the data source the ARN of a function
  // with exactly that name.
  const functionNameMap = {};
  for (const name of functionNames(sdl)) {
    functionNameMap[name] = lambda.Function.fromFunctionName(stack, `Function-${name}`, name);
  }

  executeTransform({
    scope: stack,
    nestedStackProvider: { provide: (scope, name) => new NestedStack(scope, name) },
    assetProvider,
    synthParameters: { amplifyEnvironmentName: ENVIRONMENT_NAME, apiName: API_NAME, ...synthParameters },
    schema: sdl,
    userDefinedSlots: {},
    transformersFactoryArgs: { customTransformers: [], functionNameMap },
    authConfig,
    stackMapping: {},
    transformParameters: TRANSFORM_PARAMETERS,
    dataSourceStrategies: Object.fromEntries(modelNames(sdl).map((m) => [m, DDB_AMPLIFY_MANAGED_DATASOURCE_STRATEGY])),
    sqlDirectiveDataSourceStrategies: [],
    rdsLayerMapping: undefined,
    rdsSnsTopicMapping: undefined,
    printTransformerLog: (log) => logs.push(`${log.level}: ${log.message}`),
  });
  return { stack, assets, authConfig };
}

// ---------------------------------------------------------------------------
// Reading the synthesized resources

// resources resolves every CloudFormation resource of the stack and its nested
// stacks. Resolving also makes the transformer provide its lazy assets (the
// schema). It returns a map logical id → { type, props, path }.
function resources(file, stack) {
  const byId = new Map();
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const rendered = Stack.of(c).resolve(c._toCloudFormation()).Resources;
    for (const [id, res] of Object.entries(rendered)) {
      if (byId.has(id)) {
        fail(`${file}: two CloudFormation resources share the logical id ${id} (${byId.get(id).path}, ${c.node.path})`);
      }
      byId.set(id, { type: res.Type, props: res.Properties ?? {}, path: c.node.path });
    }
  }
  return byId;
}

// Evaluator resolves the CloudFormation intrinsic functions left in the
// resolved properties, with the stand-in values above. Anything it does not
// know is an error: a new kind of reference must be looked at, not guessed.
class Evaluator {
  constructor(file, byId) {
    this.file = file;
    this.byId = byId;
  }

  resource(id) {
    const res = this.byId.get(id);
    if (!res) fail(`${this.file}: reference to an unknown resource ${id}`);
    return res;
  }

  getAtt(id, attr) {
    const res = this.resource(id);
    switch (`${res.type}.${attr}`) {
      case 'AWS::AppSync::GraphQLApi.ApiId':
        return API_ID;
      case 'AWS::AppSync::GraphQLApi.GraphQLUrl':
        return GRAPHQL_URL;
      case 'AWS::AppSync::DataSource.Name':
        return this.eval(res.props.Name);
      case 'AWS::AppSync::FunctionConfiguration.FunctionId':
        // A function is known to the simulator by its name.
        return this.eval(res.props.Name);
      case 'AWS::Lambda::Function.Arn':
        // A function the stack itself creates (the default conversation
        // handler of a.conversation) is named by its logical id.
        return `arn:${PARTITION}:lambda:${REGION}:${ACCOUNT_ID}:function:${this.eval(res.props.FunctionName) ?? id}`;
      case 'Custom::AmplifyDynamoDBTable.TableArn':
        return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT_ID}:table/${this.eval(res.props.tableName)}`;
      default:
        fail(`${this.file}: cannot evaluate Fn::GetAtt ${id}.${attr} (${res.type})`);
    }
  }

  ref(name) {
    switch (name) {
      case 'AWS::Partition': return PARTITION;
      case 'AWS::Region': return REGION;
      case 'AWS::AccountId': return ACCOUNT_ID;
      case 'AWS::NoValue': return undefined;
      default: fail(`${this.file}: cannot evaluate Ref ${name}`);
    }
  }

  // pick evaluates the given properties only (others may reference resources,
  // such as IAM roles, that the outputs do not need).
  pick(props, keys) {
    const out = {};
    for (const k of keys) {
      if (props[k] === undefined) continue;
      const x = this.eval(props[k]);
      if (x !== undefined) out[k] = x;
    }
    return out;
  }

  eval(v) {
    if (Array.isArray(v)) return v.map((x) => this.eval(x)).filter((x) => x !== undefined);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const arg = v[keys[0]];
      switch (keys[0]) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(arg[0], arg[1]);
        case 'Fn::Join': return this.eval(arg[1]).join(arg[0]);
        case 'Fn::Split': return this.eval(arg[1]).split(arg[0]);
        case 'Fn::Select': return this.eval(arg[1])[arg[0]];
        case 'Fn::If': {
          if (!(arg[0] in CONDITIONS)) fail(`${this.file}: unknown condition ${arg[0]}`);
          return this.eval(CONDITIONS[arg[0]] ? arg[1] : arg[2]);
        }
        default: fail(`${this.file}: cannot evaluate ${keys[0]}`);
      }
    }
    const out = {};
    for (const k of keys) {
      const x = this.eval(v[k]);
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Building the outputs

const json = (v) => JSON.stringify(v, null, 2) + '\n';

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// TemplateFiles collects the VTL templates under resolvers/. Templates the
// transformer writes as assets keep the asset's name (resolvers/<name>.vtl).
// Templates that CloudFormation carries inline (the pipeline resolvers'
// before and after templates, and short function templates such as
// `$util.toJson({})`) have no name; they are written as
// resolvers/inline/<Type>.<field>.{req,res}.vtl for a resolver and
// resolvers/inline/<function name>.{req,res}.vtl for a pipeline function.
class TemplateFiles {
  constructor(file, assets) {
    this.file = file;
    this.assets = assets;
    this.files = new Map();
    this.usedAssets = new Set();
  }

  add(relPath, content) {
    if (this.files.has(relPath) && this.files.get(relPath) !== content) {
      fail(`${this.file}: two different templates would both be written to ${relPath}`);
    }
    this.files.set(relPath, content);
    return relPath;
  }

  // template returns the file of the template held by props.<kind>MappingTemplate
  // or props.<kind>MappingTemplateS3Location, kind Request or Response.
  template(props, kind, inlineName) {
    const s3 = props[`${kind}MappingTemplateS3Location`];
    const inline = props[`${kind}MappingTemplate`];
    const suffix = kind === 'Request' ? 'req' : 'res';
    if (s3 !== undefined) {
      if (typeof s3 !== 'string' || !s3.startsWith(ASSET_URL_PREFIX)) {
        fail(`${this.file}: unexpected template location ${JSON.stringify(s3)}`);
      }
      const name = s3.slice(ASSET_URL_PREFIX.length);
      if (!name.startsWith('resolvers/') || name.split('/').length !== 2 || !name.endsWith('.vtl') || !this.assets.has(name)) {
        fail(`${this.file}: unexpected template asset ${name}`);
      }
      this.usedAssets.add(name);
      return this.add(name, this.assets.get(name));
    }
    if (inline !== undefined) {
      if (typeof inline !== 'string') fail(`${this.file}: unresolved inline template ${JSON.stringify(inline)}`);
      return this.add(`resolvers/inline/${inlineName}.${suffix}.vtl`, inline);
    }
    fail(`${this.file}: ${inlineName} has no ${kind.toLowerCase()} mapping template`);
  }

  // code returns the file of the JavaScript resolver code held by
  // props.Code (inline: resolvers/inline/<inlineName>.js) or
  // props.CodeS3Location (an asset: resolvers/<asset name>, as named).
  code(props, inlineName) {
    if (props.CodeS3Location !== undefined) {
      const s3 = props.CodeS3Location;
      if (typeof s3 !== 'string' || !s3.startsWith(ASSET_URL_PREFIX)) {
        fail(`${this.file}: unexpected code location ${JSON.stringify(s3)}`);
      }
      const name = s3.slice(ASSET_URL_PREFIX.length);
      if (!name.startsWith('resolvers/') || name.split('/').length !== 2 || !this.assets.has(name)) {
        fail(`${this.file}: unexpected code asset ${name}`);
      }
      this.usedAssets.add(name);
      return this.add(name, this.assets.get(name));
    }
    if (typeof props.Code !== 'string') fail(`${this.file}: ${inlineName} has no resolver code`);
    return this.add(`resolvers/inline/${inlineName}.js`, props.Code);
  }
}

// jsRuntime returns the runtime of a JavaScript resolver or function
// (APPSYNC_JS), or undefined for a VTL one.
function jsRuntime(file, what, p) {
  if (p.Runtime === undefined && p.Code === undefined && p.CodeS3Location === undefined) return undefined;
  if (p.Runtime?.Name !== 'APPSYNC_JS') fail(`${file}: ${what} has the unsupported runtime ${JSON.stringify(p.Runtime)}`);
  return { name: p.Runtime.Name, runtimeVersion: p.Runtime.RuntimeVersion };
}

// createTable turns the properties of an Amplify-managed table (the
// Custom::AmplifyDynamoDBTable resource, whose handler passes them to
// DynamoDB's CreateTable with the keys capitalised) into a CreateTable input.
function createTable(file, props) {
  const keySchema = (ks) => ks.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType }));
  const projection = (p) => {
    const out = { ProjectionType: p.projectionType };
    if (p.nonKeyAttributes) out.NonKeyAttributes = p.nonKeyAttributes;
    return out;
  };
  if (props.localSecondaryIndexes?.length) fail(`${file}: local secondary indexes are not supported by this tool`);
  if (props.billingMode !== 'PAY_PER_REQUEST') fail(`${file}: table ${props.tableName} is not on-demand`);
  const table = {
    TableName: props.tableName,
    KeySchema: keySchema(props.keySchema),
    AttributeDefinitions: props.attributeDefinitions
      .map((a) => ({ AttributeName: a.attributeName, AttributeType: a.attributeType }))
      .sort((a, b) => compare(a.AttributeName, b.AttributeName)),
  };
  if (props.globalSecondaryIndexes?.length) {
    table.GlobalSecondaryIndexes = props.globalSecondaryIndexes
      .map((g) => ({ IndexName: g.indexName, KeySchema: keySchema(g.keySchema), Projection: projection(g.projection) }))
      .sort((a, b) => compare(a.IndexName, b.IndexName));
  }
  table.BillingMode = props.billingMode;
  return table;
}

// lambdaFunctionName returns the function name of a Lambda ARN.
function lambdaFunctionName(file, arn) {
  const m = /^arn:[^:]+:lambda:[^:]+:[^:]+:function:([^:]+)$/.exec(arn);
  if (!m) fail(`${file}: unexpected Lambda ARN ${arn}`);
  return m[1];
}

// buildSimulator assembles the amplify-appsync-simulator configuration
// (AmplifyAppSyncSimulatorConfig) from the resolved resources; file
// references are relative to the generated folder. Data sources carry what
// the harness needs to build the real ones: the DynamoDB table name, the Lambda
// function name (the name of @function(name: ...)). tables holds a DynamoDB
// CreateTable input per model table, and iam the identity pool values the
// transformer's VTL compares the caller's identity with.
function buildSimulator(file, byId, assets, authConfig, sdl) {
  const ev = new Evaluator(file, byId);
  const templates = new TemplateFiles(file, assets);
  const of = (type) => [...byId.entries()].filter(([, r]) => r.type === type);

  const dataSources = of('AWS::AppSync::DataSource').map(([, r]) => {
    const p = ev.pick(r.props, ['Name', 'Type', 'DynamoDBConfig', 'LambdaConfig', 'HttpConfig']);
    switch (p.Type) {
      case 'AMAZON_DYNAMODB':
        return { type: p.Type, name: p.Name, config: { tableName: p.DynamoDBConfig.TableName } };
      case 'AWS_LAMBDA':
        return { type: p.Type, name: p.Name, functionName: lambdaFunctionName(file, p.LambdaConfig.LambdaFunctionArn) };
      case 'NONE':
        return { type: p.Type, name: p.Name };
      case 'HTTP': {
        // a.generation calls Bedrock over HTTP, signed with the API's role.
        const out = { type: p.Type, name: p.Name, endpoint: p.HttpConfig.Endpoint };
        const iamConfig = p.HttpConfig.AuthorizationConfig?.AwsIamConfig;
        if (iamConfig) out.signing = { region: iamConfig.SigningRegion, service: iamConfig.SigningServiceName };
        return out;
      }
      default:
        fail(`${file}: data source ${p.Name} has the unsupported type ${p.Type}`);
    }
  }).sort((a, b) => compare(a.name, b.name));

  // A Lambda data source invokes a function of @function(name: ...) or one
  // the stack creates itself (a conversation's default handler, which
  // appears as such).
  const declared = new Set(functionNames(sdl));
  const created = new Set(of('AWS::Lambda::Function').map(([id, r]) => ev.eval(r.props.FunctionName) ?? id));
  for (const ds of dataSources) {
    if (ds.functionName && !declared.has(ds.functionName)) {
      if (!created.has(ds.functionName)) {
        fail(`${file}: data source ${ds.name} invokes ${ds.functionName}, which no @function(name: ...) names`);
      }
      ds.createdFunction = true;
    }
  }

  const templateKeys = ['RequestMappingTemplate', 'RequestMappingTemplateS3Location', 'ResponseMappingTemplate', 'ResponseMappingTemplateS3Location'];
  const functions = of('AWS::AppSync::FunctionConfiguration').map(([, r]) => {
    const p = ev.pick(r.props, ['Name', 'DataSourceName', 'Code', 'CodeS3Location', 'Runtime', ...templateKeys]);
    const runtime = jsRuntime(file, `function ${p.Name}`, p);
    if (runtime) {
      return { name: p.Name, dataSourceName: p.DataSourceName, runtime, codeLocation: templates.code(p, p.Name) };
    }
    return {
      name: p.Name,
      dataSourceName: p.DataSourceName,
      requestMappingTemplateLocation: templates.template(p, 'Request', p.Name),
      responseMappingTemplateLocation: templates.template(p, 'Response', p.Name),
    };
  }).sort((a, b) => compare(a.name, b.name));
  for (let i = 1; i < functions.length; i++) {
    if (functions[i].name === functions[i - 1].name) fail(`${file}: two AppSync functions are named ${functions[i].name}`);
  }

  const resolvers = of('AWS::AppSync::Resolver').map(([, r]) => {
    const p = ev.pick(r.props, ['TypeName', 'FieldName', 'Kind', 'PipelineConfig', 'DataSourceName', 'Code', 'CodeS3Location', 'Runtime', ...templateKeys]);
    const inlineName = `${p.TypeName}.${p.FieldName}`;
    const runtime = jsRuntime(file, `resolver ${inlineName}`, p);
    const out = { kind: p.Kind ?? 'UNIT', typeName: p.TypeName, fieldName: p.FieldName };
    if (out.kind === 'PIPELINE') {
      out.functions = p.PipelineConfig.Functions;
    } else {
      out.dataSourceName = p.DataSourceName;
    }
    if (runtime) {
      out.runtime = runtime;
      out.codeLocation = templates.code(p, inlineName);
      return out;
    }
    out.requestMappingTemplateLocation = templates.template(p, 'Request', inlineName);
    out.responseMappingTemplateLocation = templates.template(p, 'Response', inlineName);
    return out;
  }).sort((a, b) => compare(a.typeName, b.typeName) || compare(a.fieldName, b.fieldName));

  const tables = of('Custom::AmplifyDynamoDBTable')
    .map(([, r]) => createTable(file, ev.pick(r.props, ['tableName', 'keySchema', 'attributeDefinitions', 'globalSecondaryIndexes', 'localSecondaryIndexes', 'billingMode'])))
    .sort((a, b) => compare(a.TableName, b.TableName));
  if (of('AWS::DynamoDB::Table').length) fail(`${file}: plain AWS::DynamoDB::Table resources are not supported by this tool`);

  // Every other asset must be a template or code in use, or the simulator would miss a step.
  for (const name of assets.keys()) {
    if (name !== 'schema.graphql' && !templates.usedAssets.has(name)) {
      fail(`${file}: the asset ${name} is used by no resolver or function`);
    }
  }

  const api = of('AWS::AppSync::GraphQLApi');
  if (api.length !== 1) fail(`${file}: expected one GraphQL API, found ${api.length}`);
  const apiProps = ev.pick(api[0][1].props, ['Name', 'AuthenticationType', 'AdditionalAuthenticationProviders']);
  const hasApiKey = of('AWS::AppSync::ApiKey').length > 0;
  const types = [apiProps.AuthenticationType, ...(apiProps.AdditionalAuthenticationProviders ?? []).map((p) => p.AuthenticationType)];
  const want = [authConfig.defaultAuthentication, ...authConfig.additionalAuthenticationProviders].map((p) => p.authenticationType);
  if (types.join() !== want.join()) fail(`${file}: the API's authentication types ${types} differ from the configured ${want}`);
  if (hasApiKey !== types.includes('API_KEY')) fail(`${file}: API key resource and API_KEY mode disagree`);

  const appSync = {
    name: apiProps.Name,
    defaultAuthenticationType: { authenticationType: types[0] },
    additionalAuthenticationProviders: types.slice(1).map((t) => ({ authenticationType: t })),
  };
  if (hasApiKey) appSync.apiKey = API_KEY;

  const schemas = of('AWS::AppSync::GraphQLSchema');
  const schemaLocation = schemas.length === 1 ? schemas[0][1].props.DefinitionS3Location : undefined;
  if (schemaLocation !== ASSET_URL_PREFIX + 'schema.graphql') fail(`${file}: expected one GraphQL schema from the schema.graphql asset`);

  const simulator = {
    appSync,
    schema: { path: 'appsync.graphql' },
    mappingTemplates: [...templates.files.keys()].filter((p) => p.endsWith('.vtl')).sort().map((p) => ({ path: p })),
    dataSources,
    functions,
    resolvers,
    tables,
    iam: {
      accountId: ACCOUNT_ID,
      authRoleName: AUTH_ROLE_NAME,
      unauthRoleName: UNAUTH_ROLE_NAME,
      identityPoolId: IDENTITY_POOL_ID,
    },
  };
  return { simulator, templates: templates.files, authorizationTypes: types };
}

// authSection returns the auth section of amplify_outputs.json for what
// defineAuth would receive (loginWith: { email: true } and groups by default).
function authSection(file, auth = {}) {
  const loginWith = auth.loginWith ?? { email: true };
  for (const key of Object.keys(loginWith)) {
    if (key !== 'email') fail(`${file}: auth.loginWith.${key} is not supported by this tool (only email)`);
  }
  return {
    aws_region: REGION,
    user_pool_id: USER_POOL_ID,
    user_pool_client_id: USER_POOL_CLIENT_ID,
    identity_pool_id: IDENTITY_POOL_ID,
    // Gen 2 gives the groups precedence in the order defineAuth lists them.
    groups: (auth.groups ?? []).map((g, i) => ({ [g]: { precedence: i } })),
    standard_required_attributes: ['email'],
    username_attributes: ['email'],
    user_verification_types: ['email'],
    unauthenticated_identities_enabled: true,
  };
}

async function generateBackend(dir, outDir) {
  const file = path.join(dir, 'resource.ts');
  const mod = await loadBackend(file);
  const t = mod.schema.transform();
  if (t.jsFunctions?.length) fail(`${file}: a.handler.custom (JavaScript resolvers) is not supported by this tool`);
  if (Object.keys(t.lambdaFunctions ?? {}).length) {
    fail(`${file}: a.handler.function(<defineFunction result>) needs @aws-amplify/backend; name the function with a string, a.handler.function("name")`);
  }
  if (t.functionSlots?.length) fail(`${file}: function slots are not supported by this tool`);
  if (t.customSqlDataSourceStrategies?.length) fail(`${file}: SQL data sources are not supported by this tool`);
  const sdl = t.schema;

  const logs = [];
  const { stack, assets, authConfig } = transform(file, sdl, mod.authorizationModes, logs);
  const byId = resources(file, stack);
  const { simulator, templates, authorizationTypes } = buildSimulator(file, byId, assets, authConfig, sdl);
  const appsync = assets.get('schema.graphql');
  if (appsync === undefined) fail(`${file}: the transformer wrote no schema.graphql`);

  // What Gen 2 deploys as the model introspection schema (backend-data's
  // defineData and the client config generator both run this on the Amplify SDL).
  const generated = await generateModels({ schema: sdl, target: 'introspection' });
  const introFiles = Object.values(generated);
  if (introFiles.length !== 1) fail(`${file}: expected one model introspection file, got ${introFiles.length}`);
  const introspection = JSON.parse(introFiles[0]);

  const data = {
    url: GRAPHQL_URL,
    aws_region: REGION,
  };
  if (authorizationTypes.includes('API_KEY')) data.api_key = API_KEY;
  data.default_authorization_type = authorizationTypes[0];
  // Sorted: the order of the additional modes means nothing.
  data.authorization_types = authorizationTypes.slice(1).sort();
  data.model_introspection = introspection;
  const outputs = { version: '1.4', auth: authSection(file, mod.auth), data };

  const files = new Map([
    ['amplify.graphql', sdl.endsWith('\n') ? sdl : sdl + '\n'],
    ['appsync.graphql', appsync],
    ['model_introspection.json', json(introspection)],
    ['amplify_outputs.json', json(outputs)],
    ['simulator.json', json(simulator)],
    ...templates,
  ]);

  fs.rmSync(outDir, { recursive: true, force: true });
  for (const [rel, content] of [...files].sort((a, b) => compare(a[0], b[0]))) {
    const target = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return { files: files.size, logs };
}

async function main(argv) {
  if (argv.length < 1 || argv.length > 2) {
    process.stderr.write('usage: node generate.mjs <backendsDir> [<outDir>]\n');
    process.exit(2);
  }
  const backendsDir = path.resolve(argv[0]);
  const outRoot = argv[1] ? path.resolve(argv[1]) : undefined;
  if (!fs.statSync(backendsDir, { throwIfNoEntry: false })?.isDirectory()) fail(`${argv[0]}: not a folder`);
  const names = fs.readdirSync(backendsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(backendsDir, e.name, 'resource.ts')))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) fail(`${argv[0]}: no <name>/resource.ts found`);
  for (const name of names) {
    const dir = path.join(backendsDir, name);
    const outDir = outRoot ? path.join(outRoot, name) : path.join(dir, 'generated');
    const { files, logs } = await generateBackend(dir, outDir);
    process.stdout.write(`${name}: ${files} files\n`);
    for (const log of logs) process.stderr.write(`${name}: transformer ${log}\n`);
  }
}

// CDK prints a deprecation warning for the transformer's use of
// CfnResource#addDependency; it is not ours to fix.
process.env.JSII_DEPRECATED ??= 'quiet';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(err instanceof GenerateError ? `generate: ${err.message}\n` : `generate: ${err.stack}\n`);
  process.exit(1);
});
