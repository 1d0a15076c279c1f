// Runs the real Flask app (app.py) and the tessera app (server.ts) side by
// side on ephemeral ports, and one cookie jar for 127.0.0.1 (browsers share
// cookies across ports): a login on either app is a login on both, and so
// are flashes and logouts. Needs `npm run build` first (the example imports
// tessera through its package exports).
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { type RunningServer, startServer } from "./server.ts";

function findFlaskPython(): string | null {
  for (const candidate of [process.env.TESSERA_FLASK_PYTHON, "/usr/bin/python3", "python3"]) {
    if (candidate && spawnSync(candidate, ["-c", "import flask"], { stdio: "ignore" }).status === 0)
      return candidate;
  }
  return null;
}

const python = findFlaskPython();
let skip: string | false = false;
if (python === null) {
  skip = "python3 with Flask not found (install python3-flask, or set TESSERA_FLASK_PYTHON)";
  if (process.env.CI === "true") throw new Error(`${skip}: required when CI=true`);
  console.warn(`\n*** SKIPPING the Flask shared-login example test: ${skip} ***\n`);
}

const FLASK_SECRET = randomBytes(32).toString("base64url");
const TESSERA_SECRET = randomBytes(32).toString("base64url");
let flaskProcess: ChildProcess | undefined;
let flaskUrl = "";
let tessera: RunningServer | undefined;

async function startFlask(): Promise<string> {
  const child = spawn(python!, [new URL("./app.py", import.meta.url).pathname], {
    env: { ...process.env, FLASK_SECRET_KEY: FLASK_SECRET, PORT: "0", PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  flaskProcess = child;
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Flask did not start: ${stderr}`)), 20_000);
    child.once("exit", (code) => reject(new Error(`Flask exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}

before(async () => {
  if (skip) return;
  [flaskUrl, tessera] = await Promise.all([
    startFlask(),
    startServer({ tesseraSecret: TESSERA_SECRET, flaskSecret: FLASK_SECRET, port: 0 }),
  ]);
});

after(async () => {
  flaskProcess?.kill();
  await tessera?.close();
});

/** One browser: a cookie jar for 127.0.0.1, whatever the port. */
class Browser {
  readonly jar = new Map<string, string>();
  readonly setCookies: string[] = [];

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
    for (const header of response.headers.getSetCookie()) {
      this.setCookies.push(header);
      const [pair] = header.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const expired = /max-age=0|expires=thu, 01 jan 1970/i.test(header);
      if (value === "" || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return response;
  }

  async whoami(base: string): Promise<{ app: string; user: string | null; flashes: string[][] }> {
    const response = await this.request(`${base}/whoami`);
    assert.equal(response.status, 200);
    return response.json() as Promise<{ app: string; user: string | null; flashes: string[][] }>;
  }

  async post(base: string, path: string, form: Record<string, string> = {}): Promise<Response> {
    const response = await this.request(`${base}${path}`, {
      method: "POST",
      body: new URLSearchParams(form),
    });
    assert.equal(response.status, 303, `${base}${path}`);
    assert.equal(response.headers.get("location"), "/whoami");
    return response;
  }
}

describe("one login for a Flask app and a tessera app", { skip }, () => {
  test("log in on Flask, be logged in on tessera; flashes travel and are consumed once", async () => {
    const browser = new Browser();
    assert.deepEqual(await browser.whoami(flaskUrl), { app: "flask", user: null, flashes: [] });
    assert.deepEqual(await browser.whoami(tessera!.url), {
      app: "tessera",
      user: null,
      flashes: [],
    });

    await browser.post(flaskUrl, "/login", { user: "alice" });
    assert.deepEqual([...browser.jar.keys()], ["session"]);
    assert.deepEqual(await browser.whoami(tessera!.url), {
      app: "tessera",
      user: "alice",
      flashes: [["message", "Logged in as alice by Flask"]],
    });
    // tessera consumed the flash and wrote the cookie back; Flask agrees.
    assert.deepEqual(await browser.whoami(flaskUrl), { app: "flask", user: "alice", flashes: [] });
  });

  test("log in on tessera, be logged in on Flask; log out on Flask, be logged out on tessera", async () => {
    const browser = new Browser();
    await browser.post(tessera!.url, "/login", { user: "bob" });
    assert.deepEqual(await browser.whoami(flaskUrl), {
      app: "flask",
      user: "bob",
      flashes: [["message", "Logged in as bob by tessera"]],
    });
    assert.equal((await browser.whoami(tessera!.url)).user, "bob");

    await browser.post(flaskUrl, "/logout");
    assert.deepEqual(await browser.whoami(tessera!.url), {
      app: "tessera",
      user: null,
      flashes: [["message", "Logged out by Flask"]],
    });
    assert.equal((await browser.whoami(flaskUrl)).user, null);
  });

  test("both set the same cookie: named session, HttpOnly, Path=/", async () => {
    const browser = new Browser();
    await browser.post(flaskUrl, "/login", { user: "carol" });
    await browser.post(tessera!.url, "/login", { user: "dave" });
    const [fromFlask, fromTessera] = browser.setCookies;
    for (const header of [fromFlask!, fromTessera!]) {
      assert.match(header, /^session=[\w.-]+;/);
      assert.match(header, /HttpOnly/i);
      assert.match(header, /Path=\//i);
    }
    assert.equal((await browser.whoami(flaskUrl)).user, "dave");
  });

  test("a cookie Flask did not sign is ignored by both", async () => {
    const browser = new Browser();
    await browser.post(flaskUrl, "/login", { user: "erin" });
    const value = browser.jar.get("session")!;
    // Change a payload character (the signature's last character has unused
    // bits that Python's lenient base64 would ignore).
    const i = 5;
    browser.jar.set(
      "session",
      value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1),
    );
    assert.equal((await browser.whoami(flaskUrl)).user, null);
    assert.equal((await browser.whoami(tessera!.url)).user, null);
  });
});
