// Tollgate's Node.js runtime for Lambda functions: it loads the handler
// named by _HANDLER from LAMBDA_TASK_ROOT and serves invocations from the
// Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as the AWS Node.js runtime
// does. Handlers may be async or take a callback; modules may be CommonJS
// (.js, .cjs) or ES modules (.mjs, or .js under "type": "module").
import net from "node:net";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

// AWS_LAMBDA_RUNTIME_API is host:port, and under Tollgate a path after it
// ("127.0.0.1:PORT/SECRET"): the instance's secret, which every request
// carries as the first segment of its path, as clients that build their
// URLs by concatenation ("http://" + api + "/2018-06-01/…") send it.
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const slash = api.indexOf("/");
const hostPort = slash < 0 ? api : api.slice(0, slash);
const [apiHost, apiPort] = [hostPort.slice(0, hostPort.lastIndexOf(":")), Number(hostPort.slice(hostPort.lastIndexOf(":") + 1))];
const base = (slash < 0 ? "" : api.slice(slash)) + "/2018-06-01/runtime";

// The Runtime API client: one keep-alive connection, one request at a
// time, HTTP/1.1 with Content-Length bodies (Tollgate's Runtime API always
// sends one). Node's http module would do, at several times the cost per
// invocation: the AWS runtime uses a native client for the same reason.
let sock = null;
let chunks = []; // what has arrived of the response, not yet parsed
let have = 0; // their total length
let head = null; // the parsed status and headers, once complete
let waiting = null; // {resolve, reject} of the request in flight

function connect() {
  const mine = net.createConnection({ host: apiHost, port: apiPort, noDelay: true });
  sock = mine;
  sock.on("data", (d) => {
    chunks.push(d);
    have += d.length;
    parse();
  });
  const fail = (err) => {
    if (sock !== mine) return; // an earlier connection, already given up
    sock = null;
    chunks = [];
    have = 0;
    head = null;
    if (waiting) {
      const w = waiting;
      waiting = null;
      w.reject(err || new Error("the runtime API closed the connection"));
    }
  };
  sock.on("error", fail);
  sock.on("close", () => fail());
}

// parse settles the request in flight once its whole response is in:
// headers first, then Content-Length bytes of body (joined once, so a
// large event costs one copy).
function parse() {
  if (!waiting) return;
  if (!head) {
    const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
    chunks = [buf];
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const lines = buf.toString("latin1", 0, end).split("\r\n");
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i].indexOf(":");
      if (c > 0) headers[lines[i].slice(0, c).trim().toLowerCase()] = lines[i].slice(c + 1).trim();
    }
    head = { status: Number(lines[0].split(" ")[1]), headers, start: end + 4, length: Number(headers["content-length"] || 0) };
  }
  if (have < head.start + head.length) return;
  const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
  const body = buf.toString("utf8", head.start, head.start + head.length);
  const rest = buf.subarray(head.start + head.length);
  chunks = rest.length ? [rest] : [];
  have = rest.length;
  const { status, headers } = head;
  head = null;
  if (headers.connection === "close") {
    // The server will close: the next request goes on a new connection.
    const old = sock;
    sock = null;
    chunks = [];
    have = 0;
    old.destroy();
  }
  const w = waiting;
  waiting = null;
  w.resolve({ status, headers, body });
}

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    if (!sock) connect();
    waiting = { resolve, reject };
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body, "utf8");
    let head = `${method} ${base}${p} HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Length: ${payload.length}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    sock.write(payload.length ? Buffer.concat([Buffer.from(head + "\r\n", "latin1"), payload]) : head + "\r\n");
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
