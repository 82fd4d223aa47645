// A hostile Lambda function for e2e/isolation_test.go: user code that has
// been compromised and tries each way to reach Tollgate (its parent
// process), its data directory and master key, and another function's
// events. It reports what each attempt got; the test asserts on it.
const fs = require("node:fs");
const http = require("node:http");

const next = "/2018-06-01/runtime/invocation/next";

// attempt runs f and reports its value (cut short) or the error's code.
function attempt(f) {
  try {
    return { ok: true, value: String(f()).slice(0, 4096) };
  } catch (e) {
    return { ok: false, code: e.code || String(e) };
  }
}

// get asks 127.0.0.1:port for path: its status and the invocation's id
// if it handed one over, or that it failed or held the request (a Runtime
// API that took it for its runtime's /next, waiting for an event).
function get(port, path, ms) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: ms }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, requestId: res.headers["lambda-runtime-aws-request-id"] });
    });
    req.on("timeout", () => {
      req.destroy();
      resolve({ held: true });
    });
    req.on("error", (e) => resolve({ error: e.code || String(e) }));
  });
}

// listeningPorts reads the loopback TCP ports in LISTEN state from
// /proc/net/tcp, as an attacker looking for Runtime APIs would.
function listeningPorts() {
  const ports = [];
  for (const line of fs.readFileSync("/proc/net/tcp", "latin1").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 3 && f[3] === "0A" && f[1].startsWith("0100007F:")) ports.push(parseInt(f[1].split(":")[1], 16));
  }
  return ports;
}

function ownAPI() {
  const [hostPort, secret] = process.env.AWS_LAMBDA_RUNTIME_API.split("/");
  return { port: Number(hostPort.split(":")[1]), secret };
}

// victim tells the test where it is: its pid and Runtime API port (not
// its secret).
exports.victim = async () => ({
  statusCode: 200,
  body: JSON.stringify({ pid: process.pid, port: ownAPI().port, uid: process.getuid() }),
});

exports.attack = async (event) => {
  const { dataDir, victimPid, victimPort } = JSON.parse(event.body);
  const tollgate = process.ppid;
  const own = ownAPI();
  const scan = {};
  await Promise.all(
    listeningPorts()
      .filter((p) => p !== own.port)
      .map(async (p) => (scan[p] = await get(p, next, 1000))),
  );
  const report = {
    uid: process.getuid(),
    tollgatePid: tollgate,
    environ: attempt(() => fs.readFileSync(`/proc/${tollgate}/environ`, "latin1")),
    mem: attempt(() => fs.closeSync(fs.openSync(`/proc/${tollgate}/mem`, "r"))),
    fds: attempt(() => fs.readdirSync(`/proc/${tollgate}/fd`).join(",")),
    cwd: attempt(() => fs.readlinkSync(`/proc/${tollgate}/cwd`)),
    cmdline: attempt(() => fs.readFileSync(`/proc/${tollgate}/cmdline`, "latin1")),
    signal: attempt(() => process.kill(tollgate, 0)),
    dataDir: attempt(() => fs.readdirSync(dataDir).join(",")),
    masterKey: attempt(() => fs.readFileSync(`${dataDir}/master.key`, "latin1")),
    database: attempt(() => fs.readFileSync(`${dataDir}/tollgate.db`).length),
    victimEnviron: attempt(() => fs.readFileSync(`/proc/${victimPid}/environ`, "latin1")),
    ownAPIWithoutSecret: await get(own.port, next, 3000),
    victimAPIWithoutSecret: await get(victimPort, next, 3000),
    victimAPIWithOwnSecret: await get(victimPort, `/${own.secret}${next}`, 3000),
    scan,
  };
  return { statusCode: 200, body: JSON.stringify(report) };
};
