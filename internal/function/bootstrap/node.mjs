// Tollgate's Node.js runtime for Lambda functions: it loads the handler
// named by _HANDLER from LAMBDA_TASK_ROOT and serves invocations from the
// Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as the AWS Node.js runtime
// does. Handlers may be async or take a callback; modules may be CommonJS
// (.js, .cjs) or ES modules (.mjs, or .js under "type": "module").
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const [apiHost, apiPort] = [api.slice(0, api.lastIndexOf(":")), Number(api.slice(api.lastIndexOf(":") + 1))];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = "/2018-06-01/runtime";

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: apiHost, port: apiPort, method, path: base + p, agent, headers },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

function errorDoc(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || "Error",
      errorMessage: err.message,
      trace: typeof err.stack === "string" ? err.stack.split("\n") : [],
    };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

async function postError(p, err, type) {
  const doc = errorDoc(err);
  if (type) doc.errorType = type;
  console.error(`${doc.errorType}: ${doc.errorMessage}`);
  await call("POST", p, JSON.stringify(doc), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": type || "Unhandled",
  });
}

class ImportModuleError extends Error {
  constructor(msg) {
    super(msg);
    this.name = "Runtime.ImportModuleError";
  }
}
class HandlerNotFound extends Error {
  constructor(msg) {
    super(msg);
    this.name = "Runtime.HandlerNotFound";
  }
}
class MalformedHandlerName extends Error {
  constructor(msg) {
    super(msg);
    this.name = "Runtime.MalformedHandlerName";
  }
}

// loadHandler resolves "dir/module.export.path" as the AWS runtime does:
// the module is the text before the first dot of the last path element,
// looked up in the task root with .js, .mjs, then .cjs.
async function loadHandler(root, handlerString) {
  const slash = handlerString.lastIndexOf("/");
  const dir = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot <= 0 || dot === rest.length - 1) {
    throw new MalformedHandlerName("Bad handler " + handlerString);
  }
  const moduleName = dir + rest.slice(0, dot);
  const exportPath = rest.slice(dot + 1).split(".");
  let file;
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const f = path.resolve(root, moduleName + ext);
    if (fs.existsSync(f)) {
      file = f;
      break;
    }
  }
  if (!file) {
    throw new ImportModuleError(`Error: Cannot find module '${moduleName}'`);
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const e = new ImportModuleError(`${err && err.name ? err.name : "Error"}: ${err && err.message ? err.message : err}`);
    e.stack = err && err.stack;
    throw e;
  }
  const pick = (obj) => exportPath.reduce((o, k) => (o == null ? undefined : o[k]), obj);
  let fn = pick(mod);
  if (typeof fn !== "function" && mod.default != null) fn = pick(mod.default);
  if (typeof fn !== "function") {
    throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  }
  return fn;
}

function makeContext(id, headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  if (headers["lambda-runtime-client-context"]) {
    context.clientContext = JSON.parse(headers["lambda-runtime-client-context"]);
  }
  if (headers["lambda-runtime-cognito-identity"]) {
    context.identity = JSON.parse(headers["lambda-runtime-cognito-identity"]);
  }
  return context;
}

// run calls the handler and settles with its result: the promise it
// returns, or what it passes to the callback (or context.succeed/fail/done).
function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = settle;
    context.succeed = (result) => settle(null, result);
    context.fail = (err) => settle(err == null ? new Error("handled") : err);
    let r;
    try {
      r = handler(event, context, settle);
    } catch (err) {
      settle(err);
      return;
    }
    if (r && typeof r.then === "function") {
      r.then((v) => settle(null, v), (err) => settle(err == null ? new Error("rejected") : err));
    } else if (handler.length < 3) {
      settle(null, r);
    }
  });
}

let current = null; // the request id being served, for uncaught errors

async function fatal(err, type) {
  try {
    if (current) await postError(`/invocation/${current}/error`, err, type);
    else await postError("/init/error", err, type);
  } finally {
    process.exit(129);
  }
}
process.on("uncaughtException", (err) => fatal(err, "Runtime.UncaughtException"));
process.on("unhandledRejection", (err) => fatal(err, "Runtime.UnhandledPromiseRejection"));

async function main() {
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
  } catch (err) {
    await postError("/init/error", err, err.name && err.name.startsWith("Runtime.") ? err.name : "Runtime.Unknown");
    process.exit(129);
  }
  for (;;) {
    const next = await call("GET", "/invocation/next");
    if (next.status !== 200) {
      throw new Error(`the runtime API answered /next with ${next.status}: ${next.body}`);
    }
    const id = next.headers["lambda-runtime-aws-request-id"];
    if (next.headers["lambda-runtime-trace-id"]) {
      process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    }
    current = id;
    try {
      const event = JSON.parse(next.body);
      const result = await run(handler, event, makeContext(id, next.headers));
      const body = JSON.stringify(result === undefined ? null : result);
      await call("POST", `/invocation/${id}/response`, body, { "Content-Type": "application/json" });
    } catch (err) {
      await postError(`/invocation/${id}/error`, err);
    }
    current = null;
  }
}

main().catch((err) => fatal(err, "Runtime.Unknown"));
