// The tessera half of the shared-login example: a node:http server whose
// sessions live in Flask's own cookie, so logging in on either app logs you
// in on both (cookies are shared across ports on one host).
//
//   TESSERA_SECRET=... FLASK_SECRET_KEY=... PORT=3000 node examples/flask-shared-login/server.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createSessions } from "tessera";
import { flaskCookieStore } from "tessera/flask";
import { serve } from "tessera/node";

type Data = { user?: string };
type Flash = { message: string };

export interface ServerOptions {
  /** tessera's own secret (required by createSessions; the Flask store signs with the Flask key). */
  tesseraSecret: string;
  /** The Flask app's SECRET_KEY. */
  flaskSecret: string;
  port?: number;
  host?: string;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The fetch-style handler of the tessera app.
 *
 * @example
 * const handle = createHandler({ tesseraSecret, flaskSecret });
 * const response = await handle(new Request("http://localhost/whoami"));
 */
export function createHandler(options: ServerOptions): (request: Request) => Promise<Response> {
  const sessions = createSessions<Data, Flash>({
    secrets: [options.tesseraSecret],
    store: flaskCookieStore({ secretKey: options.flaskSecret }),
    // Flask's cookie: named "session", HttpOnly (tessera's default too).
    // secure: false only because this example runs on plain http://127.0.0.1.
    cookie: { name: "session", secure: false },
    // Flask ends a session only at PERMANENT_SESSION_LIFETIME (31 days); keep
    // tessera's limits the same so both apps agree on who is logged in.
    expiry: { idle: "31d", absolute: "31d", remember: "31d" },
  });

  return async (request) => {
    const url = new URL(request.url);
    const session = await sessions.load(request);
    const route = `${request.method} ${url.pathname}`;

    if (route === "GET /whoami") {
      const flashes = session.flashes().map(({ category, message }) => [category, String(message)]);
      return sessions.commit(
        session,
        Response.json({ app: "tessera", user: session.get("user") ?? null, flashes }),
      );
    }
    if (route === "POST /login") {
      const user = String((await request.formData()).get("user") ?? "").trim();
      if (user === "") return new Response("a user name is required", { status: 400 });
      // A change of privilege: regenerate, as always (a cookie session is
      // rewritten whole in any case).
      await session.regenerate();
      session.set("user", user);
      session.flash("message", `Logged in as ${user} by tessera`);
      return sessions.commit(session, redirect("/whoami"));
    }
    if (route === "POST /logout") {
      session.delete("user");
      session.flash("message", "Logged out by tessera");
      return sessions.commit(session, redirect("/whoami"));
    }
    if (route === "GET /") {
      const user = session.get("user");
      return sessions.commit(
        session,
        new Response(
          `<!doctype html><title>tessera</title><h1>tessera app</h1>
<p>Logged in as: <strong>${user ? escapeHtml(user) : "nobody"}</strong></p>
<form method="post" action="/login"><input name="user" placeholder="name"><button>Log in</button></form>
<form method="post" action="/logout"><button>Log out</button></form>
<p><a href="/whoami">/whoami</a></p>`,
          { headers: { "content-type": "text/html; charset=utf-8" } },
        ),
      );
    }
    return new Response("Not Found", { status: 404 });
  };
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

/**
 * Starts the tessera app on node:http (port 0 picks a free port).
 *
 * @example
 * const server = await startServer({ tesseraSecret, flaskSecret, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = createServer(serve(createHandler(options)));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { TESSERA_SECRET, FLASK_SECRET_KEY, PORT } = process.env;
  if (!TESSERA_SECRET || !FLASK_SECRET_KEY) {
    console.error("Set TESSERA_SECRET and FLASK_SECRET_KEY (make each with `npx tessera secret`).");
    process.exit(2);
  }
  const server = await startServer({
    tesseraSecret: TESSERA_SECRET,
    flaskSecret: FLASK_SECRET_KEY,
    port: Number(PORT ?? 3000),
  });
  console.log(`tessera listening on ${server.url}`);
}
