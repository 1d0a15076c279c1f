// Test helper: a tiny HTTP client with a cookie jar, for the demo's tests.
// It follows no redirects, so tests see every 303 and its Set-Cookie.

import { parseSetCookie, type SetCookie } from "tessera";

/** A cookie as the jar keeps it: the raw value to send back, and what parseSetCookie read. */
export interface JarCookie {
  raw: string;
  parsed: SetCookie;
}

/** What one request gave back. */
export interface Result {
  status: number;
  headers: Headers;
  text: string;
  /** This response's Set-Cookie headers, parsed. */
  setCookies: SetCookie[];
}

/**
 * A client that keeps cookies like a browser would (one host, Path=/ only).
 *
 * @example
 * const client = new Client("http://127.0.0.1:3000");
 * const token = await client.csrf("/login");
 * await client.post("/login", { username: "alice", password: "…", _csrf: token });
 */
export class Client {
  readonly base: string;
  readonly jar = new Map<string, JarCookie>();

  constructor(base: string) {
    this.base = base;
  }

  /** The cookie header the jar would send. */
  cookieHeader(): string {
    return [...this.jar].map(([name, cookie]) => `${name}=${cookie.raw}`).join("; ");
  }

  async request(
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Result> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader();
    if (cookie !== "" && !headers.has("cookie")) headers.set("cookie", cookie);
    const response = await fetch(new URL(path, this.base), {
      method: init.method ?? "GET",
      headers,
      body: init.body ?? null,
      redirect: "manual",
    });
    const setCookies: SetCookie[] = [];
    for (const header of response.headers.getSetCookie()) {
      const parsed = parseSetCookie(header);
      setCookies.push(parsed);
      const expired =
        (parsed.maxAge !== undefined && parsed.maxAge <= 0) ||
        (parsed.expires !== undefined && parsed.expires.getTime() <= Date.now());
      if (expired) this.jar.delete(parsed.name);
      else this.jar.set(parsed.name, { raw: rawValue(header), parsed });
    }
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      setCookies,
    };
  }

  get(path: string): Promise<Result> {
    return this.request(path);
  }

  /** Posts a urlencoded form. */
  post(path: string, form: Record<string, string>): Promise<Result> {
    return this.request(path, {
      method: "POST",
      body: new URLSearchParams(form).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }

  /** Loads a page with a form and returns its CSRF token. */
  async csrf(path: string): Promise<string> {
    const page = await this.get(path);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (token === undefined) throw new Error(`no CSRF token on ${path} (status ${page.status})`);
    return token;
  }

  /** Posts a form after loading `formPath` for its token. */
  async submit(formPath: string, action: string, form: Record<string, string>): Promise<Result> {
    return this.post(action, { ...form, _csrf: await this.csrf(formPath) });
  }

  cookie(name: string): JarCookie | undefined {
    return this.jar.get(name);
  }
}

function rawValue(header: string): string {
  const end = header.indexOf(";");
  const pair = end === -1 ? header : header.slice(0, end);
  return pair.slice(pair.indexOf("=") + 1).trim();
}

/**
 * Registers and logs in a user; returns the login response.
 *
 * @example
 * await login(client, "alice", "correct horse", { register: true });
 */
export async function login(
  client: Client,
  username: string,
  password: string,
  options: { register?: boolean; remember?: boolean } = {},
): Promise<Result> {
  if (options.register) {
    const registered = await client.submit("/register", "/register", { username, password });
    if (registered.headers.get("location") !== "/login") {
      throw new Error(`register ${username} failed: ${registered.status}`);
    }
  }
  const form: Record<string, string> = { username, password };
  if (options.remember) form.remember = "on";
  return client.submit("/login", "/login", form);
}

/**
 * The flash messages on a page, as "category: message" (HTML-escaped).
 *
 * @example
 * flashes((await client.get("/login")).text); // ["info: Successfully logged out."]
 */
export function flashes(html: string): string[] {
  return [...html.matchAll(/<p class="flash flash-(\w+)"[^>]*>([^<]*)<\/p>/g)].map(
    (m) => `${m[1]}: ${m[2]}`,
  );
}

/**
 * The visit counter on the home page.
 *
 * @example
 * visits((await client.get("/")).text); // 1
 */
export function visits(html: string): number {
  return Number(/id="visits">(\d+)</.exec(html)?.[1]);
}

/**
 * The decoded session data shown on /session.
 *
 * @example
 * sessionData((await client.get("/session")).text); // { username: "alice", visits: 2 }
 */
export function sessionData(html: string): Record<string, unknown> {
  const shown = /<pre id="session-data">([^<]*)<\/pre>/.exec(html)?.[1] ?? "null";
  return JSON.parse(shown.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));
}
