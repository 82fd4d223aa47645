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
    noNewPrivs: attempt(() => fs.readFileSync("/proc/self/status", "latin1").split("\n").find((l) => l.startsWith("NoNewPrivs:"))),
    ownAPIWithoutSecret: await get(own.port, next, 3000),
    victimAPIWithoutSecret: await get(victimPort, next, 3000),
    victimAPIWithOwnSecret: await get(victimPort, `/${own.secret}${next}`, 3000),
    scan,
  };
  return { statusCode: 200, body: JSON.stringify(report) };
};

// escape leaves processes behind that outlive its instance: chains of
// python3 forks, each in a session of its own, that never keep a pid for
// long (a scan of /proc that kills the pids it listed finds none alive),
// for a minute. One that lived on with the instance's uid would read the
// environment (the Runtime API secret) of the next instance given that
// uid. It logs its uid, and the instance exits.
const hopper = `
import os, time
end = time.time() + 60
while time.time() < end:
    if os.fork():
        os._exit(0)
`;
exports.escape = async () => {
  const cp = require("node:child_process");
  for (let i = 0; i < 3; i++) {
    cp.spawn("python3", ["-c", hopper], { detached: true, stdio: "ignore" }).unref();
  }
  await new Promise((r) => setTimeout(r, 500)); // the chains are under way
  console.log(`escaper uid=${process.getuid()}`);
  process.exit(0);
};

// env reports the instance's environment (what Tollgate gave it).
exports.env = async () => ({ statusCode: 200, body: JSON.stringify(process.env) });

// inherited reads every open file descriptor of the instance that is a
// regular file, through the descriptor itself (no permission check).
exports.inherited = async () => {
  const out = {};
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    let target;
    try {
      target = fs.readlinkSync("/proc/self/fd/" + fd);
    } catch (e) {
      continue;
    }
    if (!target.startsWith("/") || target.startsWith("/dev/")) continue;
    try {
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(Number(fd), buf, 0, buf.length, 0);
      out[fd] = { target, content: buf.subarray(0, n).toString("latin1") };
    } catch (e) {
      out[fd] = { target, error: e.code };
    }
  }
  return { statusCode: 200, body: JSON.stringify(out) };
};
