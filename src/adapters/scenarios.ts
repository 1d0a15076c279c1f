// The adapter conformance scenarios, written once. Every adapter serves the
// same routes (`routes`, below) and must pass every scenario. The library is
// passed in (`Kit`), so the same file checks src/ under node:test
// (conformance.test.ts) and the built package on Node, Bun and Deno
// (runtime-check.ts). Web APIs only: no node: imports, no test framework.

import type { Hono, MiddlewareHandler } from "hono";
import type { parseSetCookie } from "../cookie/set-cookie.ts";
import type { Sessions, SessionsOptions } from "../manager/sessions.ts";
import type { Session } from "../session/session.ts";
import type { SessionStore } from "../session/store.ts";
import type { Faults } from "../testing/faulty.ts";

export type Data = { visits?: number; user?: string };
export type Flash = { success: string; error: string };
export type TestSessions = Sessions<Data, Flash>;

/** The library under test: src/ or the built package. */
export interface Kit {
  createSessions(options: SessionsOptions): TestSessions;
  memoryStore(): SessionStore;
  faultyStore(inner: SessionStore): { store: SessionStore; faults: Faults };
  parseSetCookie: typeof parseSetCookie;
}

/** What a route answers; each adapter turns it into its own response. */
export interface Reply {
  status: number;
  body: string;
  /** A redirect: send it the framework's way (`res.redirect`, `reply.redirect`, `c.redirect`). */
  location?: string;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  run(session: Session<Data, Flash>, sessions: TestSessions): Reply | Promise<Reply>;
}

const text = (body: string, status = 200): Reply => ({ status, body });
const bump = (session: Session<Data, Flash>) => {
  const visits = (session.get("visits") ?? 0) + 1;
  session.set("visits", visits);
  return visits;
};

/** The routes every adapter serves. */
export const routes: Route[] = [
  { method: "GET", path: "/count", run: (session) => text(String(bump(session))) },
  {
    method: "GET",
    path: "/read",
    run: (s) => text(JSON.stringify({ visits: s.get("visits") ?? 0, user: s.get("user") ?? null })),
  },
  {
    method: "POST",
    path: "/flash",
    run(session) {
      session.flash("success", "Saved");
      return text("ok");
    },
  },
  { method: "GET", path: "/flash", run: (s) => text(s.flashes("success").join(",")) },
  {
    method: "POST",
    path: "/login",
    async run(session, sessions) {
      await sessions.login(session, "alice");
      session.set("user", "alice");
      return text("ok");
    },
  },
  {
    method: "POST",
    path: "/logout",
    async run(session) {
      await session.destroy();
      return text("bye");
    },
  },
  {
    method: "GET",
    path: "/boom",
    run(session) {
      session.set("visits", 99);
      return text("boom", 500);
    },
  },
  {
    method: "GET",
    path: "/redirect",
    run(session) {
      bump(session);
      return { status: 303, body: "", location: "/read" };
    },
  },
];

/** Finds the route of a request, or undefined (a 404). */
export function routeOf(method: string, path: string): Route | undefined {
  return routes.find((route) => route.method === method && route.path === path);
}

/**
 * The routes as a plain fetch handler on the core (Bun.serve, Deno.serve,
 * Workers). `unavailable` answers a store outage, or returns undefined to
 * rethrow.
 */
export function fetchHandler(
  sessions: TestSessions,
  unavailable: (error: unknown) => Response | undefined = () => undefined,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const route = routeOf(request.method, new URL(request.url).pathname);
    if (route === undefined) return new Response("Not Found", { status: 404 });
    try {
      const session = await sessions.load(request);
      const reply = await route.run(session, sessions);
      const headers: HeadersInit = reply.location === undefined ? {} : { location: reply.location };
      return await sessions.commit(
        session,
        new Response(reply.body, { status: reply.status, headers }),
      );
    } catch (error) {
      const answer = unavailable(error);
      if (answer === undefined) throw error;
      return answer;
    }
  };
}

/** The routes on a Hono app, behind the session middleware. */
export function honoApp(
  HonoClass: typeof Hono,
  middleware: (sessions: TestSessions) => MiddlewareHandler,
  sessions: TestSessions,
): Hono {
  const app = new HonoClass();
  app.use(middleware(sessions));
  for (const route of routes) {
    app.on(route.method, route.path, async (c) => {
      const reply = await route.run(c.get("session") as unknown as Session<Data, Flash>, sessions);
      if (reply.location !== undefined) return c.redirect(reply.location, reply.status as 303);
      return c.text(reply.body, reply.status as 200);
    });
  }
  return app;
}

/** A started app, asked through fetch. */
export interface Client {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** One adapter: starts the routes with these sessions. */
export interface Target {
  name: string;
  start(sessions: TestSessions): Client | Promise<Client>;
}

/** A client of a server listening at `url`. Redirects are not followed. */
export function httpClient(url: string, close: () => Promise<void>): Client {
  return { fetch: (path, init) => fetch(url + path, { redirect: "manual", ...init }), close };
}

/** A client that calls a fetch handler in-process, without a server. */
export function handlerClient(handler: (request: Request) => Response | Promise<Response>): Client {
  return {
    fetch: async (path, init) => handler(new Request(`http://localhost${path}`, init)),
    close: async () => {},
  };
}

// --- the scenarios ---

type StoreKind = "cookie" | "memory";

interface Run {
  client: Client;
  store: StoreKind;
  faults: Faults;
  kit: Kit;
}

export interface Scenario {
  name: string;
  stores: StoreKind[];
  run(t: Run): Promise<void>;
}

const NAME = "__Host-session";
const RETRY_AFTER = 7;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function equal(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) {
    throw new Error(
      `${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
  }
}

/** The session Set-Cookie of a response, whole, if any. */
function setCookieOf(response: Response): string | undefined {
  return response.headers.getSetCookie().find((value) => value.startsWith(`${NAME}=`));
}

/** The `name=value` pair to send back. */
function cookieOf(response: Response): string {
  const value = setCookieOf(response);
  check(value !== undefined, `expected a ${NAME} Set-Cookie (status ${response.status})`);
  return value.split(";")[0]!;
}

const withCookie = (cookie: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { cookie },
});
const POST: RequestInit = { method: "POST" };

async function readOf(client: Client, cookie: string | undefined) {
  const response = await client.fetch("/read", cookie === undefined ? {} : withCookie(cookie));
  equal(response.status, 200, "GET /read status");
  return JSON.parse(await response.text()) as { visits: number; user: string | null };
}

function varies(response: Response): boolean {
  return (response.headers.get("vary") ?? "").toLowerCase().includes("cookie");
}

export const scenarios: Scenario[] = [
  {
    name: "the visit counter counts",
    stores: ["cookie", "memory"],
    async run({ client }) {
      let cookie: string | undefined;
      for (let i = 1; i <= 3; i++) {
        const response = await client.fetch("/count", cookie ? withCookie(cookie) : {});
        equal(await response.text(), String(i), "visit count");
        if (setCookieOf(response) !== undefined) {
          equal(response.headers.get("cache-control"), "no-store", "Cache-Control with Set-Cookie");
          cookie = cookieOf(response);
        }
        check(cookie !== undefined, "the first visit sets the cookie");
        check(varies(response), "Vary: Cookie on a counted visit");
      }
    },
  },
  {
    name: "a read sends Vary: Cookie and no Set-Cookie",
    stores: ["cookie", "memory"],
    async run({ client }) {
      const cookie = cookieOf(await client.fetch("/count"));
      for (const sent of [cookie, undefined]) {
        const response = await client.fetch("/read", sent ? withCookie(sent) : {});
        equal(response.status, 200, "status");
        equal(setCookieOf(response), undefined, "Set-Cookie after a read");
        check(varies(response), `Vary: Cookie after a read (got ${response.headers.get("vary")})`);
        await response.text();
      }
      equal((await readOf(client, cookie)).visits, 1, "the session is intact");
    },
  },
  {
    name: "a flash is shown once",
    stores: ["cookie", "memory"],
    async run({ client }) {
      let cookie = cookieOf(await client.fetch("/flash", POST));
      const first = await client.fetch("/flash", withCookie(cookie));
      equal(await first.text(), "Saved", "the flash, first read");
      if (setCookieOf(first) !== undefined) cookie = cookieOf(first);
      const second = await client.fetch("/flash", withCookie(cookie));
      equal(await second.text(), "", "the flash, second read");
    },
  },
  {
    name: "login regenerates the id and keeps the data",
    stores: ["cookie", "memory"],
    async run({ client, store }) {
      const before = cookieOf(await client.fetch("/count"));
      const login = await client.fetch("/login", withCookie(before, POST));
      equal(login.status, 200, "login status");
      const after = cookieOf(login);
      check(after !== before, "login sends a new cookie");
      const state = await readOf(client, after);
      equal(state.visits, 1, "data kept across login");
      equal(state.user, "alice", "user after login");
      // A sealed cookie cannot be revoked; a server session's old id can.
      if (store === "memory") equal((await readOf(client, before)).visits, 0, "the old id is dead");
    },
  },
  {
    name: "logout clears the cookie with the same attributes",
    stores: ["cookie", "memory"],
    async run({ client, store, kit }) {
      const first = await client.fetch("/count");
      const set = kit.parseSetCookie(setCookieOf(first) ?? "");
      const cookie = cookieOf(first);
      const logout = await client.fetch("/logout", withCookie(cookie, POST));
      equal(await logout.text(), "bye", "logout body");
      const cleared = kit.parseSetCookie(setCookieOf(logout) ?? "");
      equal(cleared.name, NAME, "deleted cookie name");
      equal(cleared.value, "", "deleted cookie value");
      equal(cleared.maxAge, 0, "deleted cookie Max-Age");
      for (const key of ["path", "domain", "secure", "httpOnly", "sameSite"] as const) {
        equal(cleared[key], set[key], `deleted cookie ${key}`);
      }
      if (store === "memory") equal((await readOf(client, cookie)).visits, 0, "the record is gone");
    },
  },
  {
    name: "a 5xx writes nothing",
    stores: ["cookie", "memory"],
    async run({ client }) {
      const cookie = cookieOf(await client.fetch("/count"));
      const boom = await client.fetch("/boom", withCookie(cookie));
      equal(boom.status, 500, "status");
      equal(setCookieOf(boom), undefined, "Set-Cookie on a 500");
      await boom.text();
      equal((await readOf(client, cookie)).visits, 1, "the change was not stored");
    },
  },
  {
    name: "a redirect carries the cookie, written before it went out",
    stores: ["cookie", "memory"],
    async run({ client, faults }) {
      faults.delayMs = 30; // a slow store: expressjs/session#360
      const redirect = await client.fetch("/redirect");
      equal(redirect.status, 303, "status");
      check(redirect.headers.get("location")?.endsWith("/read"), "Location");
      await redirect.text();
      const cookie = cookieOf(redirect);
      equal((await readOf(client, cookie)).visits, 1, "the follow-up sees the write");
    },
  },
  {
    name: "a store outage answers 503 with Retry-After, then recovers",
    stores: ["memory"],
    async run({ client, faults }) {
      const cookie = cookieOf(await client.fetch("/count"));
      faults.down = true;
      // The load fails (a known cookie), then the commit (a new session).
      for (const init of [withCookie(cookie), {}]) {
        const response = await client.fetch("/count", init);
        equal(response.status, 503, "status while the store is down");
        equal(response.headers.get("retry-after"), String(RETRY_AFTER), "Retry-After");
        equal(setCookieOf(response), undefined, "Set-Cookie on a 503");
        await response.text();
      }
      faults.down = false;
      const back = await client.fetch("/count", withCookie(cookie));
      equal(await back.text(), "2", "the count after recovery");
    },
  },
  {
    name: "a tampered cookie gives an anonymous session",
    stores: ["cookie", "memory"],
    async run({ client }) {
      const cookie = cookieOf(await client.fetch("/count"));
      const at = NAME.length + 1 + Math.floor((cookie.length - NAME.length - 1) / 2);
      const tampered =
        cookie.slice(0, at) + (cookie[at] === "A" ? "B" : "A") + cookie.slice(at + 1);
      equal((await readOf(client, tampered)).visits, 0, "visits with a tampered cookie");
      const response = await client.fetch("/count", withCookie(tampered));
      equal(await response.text(), "1", "a fresh count");
      check(cookieOf(response) !== tampered, "the bad cookie is replaced");
    },
  },
];

function randomSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/** Every (scenario, store) pair, named, ready to run against a target. */
export function cases(kit: Kit): { name: string; run(target: Target): Promise<void> }[] {
  return scenarios.flatMap((scenario) =>
    scenario.stores.map((store) => ({
      name: `${scenario.name} (${store === "cookie" ? "sealed cookie" : "memory store"})`,
      async run(target: Target) {
        const inner = store === "memory" ? kit.memoryStore() : undefined;
        const faulty = inner === undefined ? undefined : kit.faultyStore(inner);
        const sessions = kit.createSessions({
          secrets: [randomSecret()],
          retryAfter: RETRY_AFTER,
          ...(faulty === undefined ? {} : { store: faulty.store }),
        });
        const faults = faulty?.faults ?? { down: false, delayMs: 0, calls: {} };
        const client = await target.start(sessions);
        try {
          await scenario.run({ client, store, faults, kit });
        } finally {
          await client.close();
        }
      },
    })),
  );
}
