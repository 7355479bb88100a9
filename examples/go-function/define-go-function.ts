// defineGoFunction: an Amplify Gen 2 function written in Go.
//
// Copy this file into your app's amplify/ folder and use it where you would
// use defineFunction:
//
//   // amplify/data/add-user-to-group/resource.ts
//   import { defineGoFunction } from "../../define-go-function"
//
//   export const addUserToGroup = defineGoFunction({
//     name: "add-user-to-group",
//     entry: "../../../function/cmd/add-user-to-group-function",
//     resourceGroupName: "auth",
//   })
//
// It is Amplify's custom-function recipe ("Custom functions" in the Gen 2
// docs: defineFunction((scope) => new Function(scope, name, { runtime:
// Runtime.PROVIDED_AL2023, handler: "bootstrap", code: Code.fromAsset(...)
// }))), with the Go build done by the CDK's local bundling at synth time:
// `go build -trimpath -buildvcs=false -tags lambda.norpc -ldflags="-s -w"
// -o <asset>/bootstrap .` in the entry folder, with GOOS=linux, GOARCH from
// architecture and CGO_ENABLED=0. So Go (the version your go.mod asks for)
// must be on the PATH of whoever runs `npx ampx sandbox` or the pipeline
// deploy (for Amplify Hosting: the build image, see its build settings); no
// Docker is used.
//
// It adds one thing the recipe lacks. Amplify gives a TypeScript function
// granted access to a resource (defineAuth's access, allow.resource(fn) on a
// data schema) environment variables such as AMPLIFY_AUTH_USERPOOL_ID and
// AMPLIFY_DATA_GRAPHQL_ENDPOINT, but through SSM: the variable holds a
// placeholder that a Node.js shim bundled into the function replaces at cold
// start. A custom function gets the IAM policy of the grant and none of the
// variables. defineGoFunction sets each of them to the resource's value
// itself (a CloudFormation reference resolved at deploy time), so that
// os.Getenv works in Go as env.AMPLIFY_AUTH_USERPOOL_ID does in TypeScript.
// A reference between two stacks would form a cycle with the grant's policy
// (which lives in the resource's stack and names the function's role), so the
// function must be in the granting resource's stack: resourceGroupName
// "auth" for defineAuth's access, "data" for allow.resource on the schema.
// defineGoFunction says so at synth time when it is not.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { defineFunction } from "@aws-amplify/backend"
import { AssetHashType, DockerImage, Duration, Stack } from "aws-cdk-lib"
import { Architecture, Code, Function, Runtime } from "aws-cdk-lib/aws-lambda"
import { CfnParameter } from "aws-cdk-lib/aws-ssm"
import type { IConstruct } from "constructs"

/** What defineGoFunction returns: what defineFunction returns. */
export type GoFunction = ReturnType<typeof defineFunction>

/** The props of defineGoFunction. */
export type GoFunctionProps = {
  /**
   * The function's name, as defineFunction's: the id of the Lambda construct
   * and the name Amplify shows. Required: there is no TypeScript entry file
   * to take it from.
   */
  name: string
  /**
   * The Go main package (a folder) to build, relative to the file that calls
   * defineGoFunction, as defineFunction's entry is, or absolute. `go build`
   * runs in it, so the go.mod above it decides the module and its
   * dependencies.
   */
  entry: string
  /** The instruction set the binary is built for. Default "arm64". */
  architecture?: "arm64" | "x86_64"
  /** The Lambda timeout in seconds. Default 3, as defineFunction's. */
  timeoutSeconds?: number
  /** The Lambda memory in MB. Default 512, as defineFunction's. */
  memoryMB?: number
  /**
   * The stack the function is put in, as defineFunction's: "function" by
   * default; "auth" or "data" when that resource grants the function access.
   */
  resourceGroupName?: "auth" | "data" | "storage" | "function" | (string & {})
}

/**
 * defineGoFunction defines an Amplify function whose code is the Go main
 * package at props.entry, built for Lambda's provided.al2023 runtime.
 */
export const defineGoFunction = (props: GoFunctionProps): GoFunction => {
  const entry = path.resolve(callerDirectory(), props.entry)
  const architecture = props.architecture ?? "arm64"
  const factory = defineFunction(
    (scope) =>
      new Function(scope, props.name, {
        runtime: Runtime.PROVIDED_AL2023,
        handler: "bootstrap",
        architecture: architecture === "arm64" ? Architecture.ARM_64 : Architecture.X86_64,
        timeout: Duration.seconds(props.timeoutSeconds ?? 3),
        memorySize: props.memoryMB ?? 512,
        code: Code.fromAsset(entry, {
          // The asset's hash is the binary's, so a change that leaves the
          // binary the same deploys nothing (the build is reproducible:
          // -trimpath, no VCS stamp).
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Never pulled: local bundling below always succeeds or throws.
            image: DockerImage.fromRegistry("go-build-is-local"),
            local: { tryBundle: (outputDir) => goBuild(props.name, entry, architecture, outputDir) },
          },
        }),
      }),
    { resourceGroupName: props.resourceGroupName },
  )
  const wired = new WeakSet<object>()
  return {
    provides: factory.provides,
    getInstance: (getInstanceProps) => {
      const fn = factory.getInstance(getInstanceProps)
      if (!wired.has(fn)) {
        wired.add(fn)
        const acceptor = fn.getResourceAccessAcceptor
        Object.assign(fn, {
          getResourceAccessAcceptor: () => {
            const inner = acceptor()
            return {
              identifier: inner.identifier,
              acceptResourceAccess: (...args: Parameters<typeof inner.acceptResourceAccess>) => {
                inner.acceptResourceAccess(...args)
                for (const { name, path: parameterName } of args[1]) {
                  fn.addEnvironment(name, resourceValue(props.name, fn.resources.lambda, name, parameterName))
                }
              },
            }
          },
        })
      }
      return fn
    },
  }
}

// goBuild builds the main package in dir into outputDir/bootstrap.
const goBuild = (name: string, dir: string, architecture: "arm64" | "x86_64", outputDir: string): boolean => {
  if (!fs.existsSync(dir)) {
    throw new Error(`defineGoFunction ${name}: entry ${dir} does not exist: give the folder of the Go main package, relative to the file that calls defineGoFunction`)
  }
  try {
    execFileSync(
      "go",
      ["build", "-trimpath", "-buildvcs=false", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", path.join(outputDir, "bootstrap"), "."],
      {
        cwd: dir,
        env: { ...process.env, GOOS: "linux", GOARCH: architecture === "arm64" ? "arm64" : "amd64", CGO_ENABLED: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer; message: string }
    if (err.code === "ENOENT") {
      throw new Error(`defineGoFunction ${name}: the go command is not on PATH: install Go (https://go.dev/dl) where the backend is synthesized`)
    }
    throw new Error(`defineGoFunction ${name}: go build in ${dir} failed:\n${err.stderr?.toString() || err.message}`)
  }
  return true
}

// resourceValue returns the value Amplify stored for a granted resource in
// the SSM parameter parameterName: the CloudFormation reference it was
// created with (the user pool's ID, the API's URL, ...), found among the
// parameters of the app.
const resourceValue = (fnName: string, lambda: IConstruct, variable: string, parameterName: string): string => {
  const parameter = lambda.node.root.node
    .findAll()
    .find((c): c is CfnParameter => c instanceof CfnParameter && c.name === parameterName)
  if (!parameter) {
    throw new Error(`defineGoFunction ${fnName}: found no SSM parameter ${parameterName} for ${variable} (the Amplify version is not one this file knows)`)
  }
  const from = Stack.of(parameter)
  if (from !== Stack.of(lambda)) {
    throw new Error(
      `defineGoFunction ${fnName}: it is granted access to a resource of the "${from.node.id}" stack (${variable}), ` +
        `but is in the "${Stack.of(lambda).node.id}" stack, and a reference between the two would be circular: ` +
        `set resourceGroupName: "${from.node.id}"`,
    )
  }
  return parameter.value
}

// callerDirectory returns the folder of the file that called
// defineGoFunction, read from the stack trace as defineFunction does for its
// entry.
const callerDirectory = (): string => {
  const self = fileURLToPath(import.meta.url)
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(line.trim())
    if (!m) continue
    const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1]
    if (file !== self) return path.dirname(file)
  }
  throw new Error("defineGoFunction: cannot tell which file called it: give entry as an absolute path")
}
