// Starts each small example (express, fastify, hono, bun, deno) the way its
// header says, on a free port, and walks through counter, login, flash and
// logout over HTTP. The examples import the built package: `npm run build`
// first. Bun and Deno run when their binaries are in ~/.cache (see
// .ci/run); without them those tests are skipped with a warning, and fail
// under CI=true.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";

const here = import.meta.dirname;
const cache = join(homedir(), ".cache");
const bun = join(cache, "bun/node_modules/.bin/bun");
const deno = join(cache, "deno/node_modules/.bin/deno");

interface Example {
  name: string;
  command: string;
  args: string[];
  /** Why it cannot run here, if it cannot. */
  missing?: string | undefined;
}

const examples: Example[] = [
  { name: "express", command: process.execPath, args: ["server.ts"] },
  { name: "fastify", command: process.execPath, args: ["server.ts"] },
  { name: "hono", command: process.execPath, args: ["server.ts"] },
  {
    name: "bun",
    command: bun,
    args: ["server.ts"],
    missing: existsSync(bun) ? undefined : `no Bun at ${bun}`,
  },
  {
    name: "deno",
    command: deno,
    args: ["run", "--allow-net", "--allow-env", "server.ts"],
    missing: existsSync(deno) ? undefined : `no Deno at ${deno}`,
  },
];

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill();
});

interface Running {
  url: string;
  stderr: () => string;
}

// Starts an example from its folder and waits for its "listening on <url>" line.
function start(example: Example, env: Record<string, string>): Promise<Running> {
  const child = spawn(example.command, example.args, {
    cwd: join(here, example.name),
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${example.name} did not start in 20 s:\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stderr: () => stderr });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${example.name} exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

const sessionCookie = (response: Response) =>
  response.headers.getSetCookie().find((value) => value.startsWith("__Host-session="));

async function walkThrough(url: string): Promise<void> {
  let cookie: string | undefined;
  const get = async () => {
    const response = await fetch(`${url}/`, { headers: cookie ? { cookie } : {} });
    assert.equal(response.status, 200);
    const set = sessionCookie(response);
    if (set) cookie = set.split(";")[0];
    return response.text();
  };
  const post = async (path: string, form: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: cookie!, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    assert.equal(response.status, 303, `POST ${path}`);
    assert.equal(response.headers.get("location"), "/");
    const set = sessionCookie(response);
    if (set) cookie = set.split(";")[0];
    return response;
  };

  assert.match(await get(), /Visits: 1\b/);
  assert.match(await get(), /Visits: 2\b/);
  const before = cookie;

  const login = await post("/login", { user: "alice" });
  assert.ok(sessionCookie(login), "login sets a cookie");
  assert.notEqual(cookie, before, "login gives a new session cookie");
  const welcome = await get();
  assert.match(welcome, /Welcome, alice!/);
  assert.match(welcome, /Logged in as alice/);
  assert.match(welcome, /Visits: 3\b/);
  const again = await get();
  assert.doesNotMatch(again, /Welcome/, "a flash shows once");
  assert.match(again, /Visits: 4\b/);

  await post("/login", { user: "<bad name>" });
  assert.match(await get(), /Pick a name/);

  const logout = await post("/logout");
  assert.match(sessionCookie(logout) ?? "", /Max-Age=0/, "logout deletes the cookie");
  cookie = undefined;
  assert.match(await get(), /Visits: 1\b/);
}

for (const example of examples) {
  const reason = example.missing;
  if (reason !== undefined) {
    if (process.env.CI === "true") {
      test(`examples/${example.name}`, () => assert.fail(`cannot run under CI: ${reason}`));
      continue;
    }
    console.warn(`[examples] SKIPPING examples/${example.name}: ${reason}`);
  }
  const skip = reason === undefined ? false : `SKIPPED: ${reason}`;
  describe(`examples/${example.name}`, () => {
    test("counter, login, flash and logout over HTTP", { skip }, async () => {
      const running = await start(example, {
        TESSERA_SECRET: randomBytes(32).toString("base64url"),
      });
      await walkThrough(running.url);
      assert.doesNotMatch(running.stderr(), /TESSERA_SECRET is not set/);
    });

    test("without TESSERA_SECRET it warns and runs on a generated secret", { skip }, async () => {
      const running = await start(example, { TESSERA_SECRET: "" });
      assert.match(running.stderr(), /TESSERA_SECRET is not set/);
      const response = await fetch(`${running.url}/`);
      assert.match(await response.text(), /Visits: 1\b/);
    });
  });
}
