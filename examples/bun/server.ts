// tessera in a plain Bun fetch handler (no framework): a visit counter, a
// login and flash messages. The core takes a Request and returns a Response,
// so this is all the glue there is.
// Run from this folder, after `npm run build` at the repository root:
//   bun server.ts             (TESSERA_SECRET, PORT and HOST are read from the environment)
import { randomBytes } from "node:crypto";
import { createSessions, type Flashed } from "tessera";

// The part of Bun's API used here (the repository type-checks without bun-types).
declare const Bun: {
  serve(options: { port: number; hostname: string; fetch(request: Request): Promise<Response> }): {
    port: number;
    hostname: string;
  };
};

type Data = { visits?: number; user?: string };
type Flash = { success: string; error: string };

function secret(): string {
  const value = process.env.TESSERA_SECRET;
  if (value) return value;
  console.warn(
    "[example] TESSERA_SECRET is not set: using a random secret, so sessions end when this process stops. Make one with `npx tessera secret`.",
  );
  return randomBytes(32).toString("base64url");
}

const sessions = createSessions<Data, Flash>({ secrets: [secret()] });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(visits: number, user: string | undefined, flashes: Flashed<Flash>[]): string {
  const messages = flashes.map((f) => `<p class="${f.category}">${escapeHtml(f.message)}</p>`);
  const form = user
    ? `<p>Logged in as ${escapeHtml(user)}</p><form method="post" action="/logout"><button>Log out</button></form>`
    : `<form method="post" action="/login"><input name="user" placeholder="name"><button>Log in</button></form>`;
  return `<!doctype html><title>tessera + Bun</title>${messages.join("")}<p>Visits: ${visits}</p>${form}`;
}

const home = () => new Response(null, { status: 303, headers: { location: "/" } });

async function handle(request: Request): Promise<Response> {
  const route = `${request.method} ${new URL(request.url).pathname}`;
  const session = await sessions.load(request);
  let response: Response;
  if (route === "GET /") {
    const visits = (session.get("visits") ?? 0) + 1;
    session.set("visits", visits);
    response = new Response(page(visits, session.get("user"), session.flashes()), {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  } else if (route === "POST /login") {
    const user = String((await request.formData()).get("user") ?? "").trim();
    if (!/^[\w.-]{1,32}$/.test(user)) {
      session.flash("error", "Pick a name of 1 to 32 letters, digits, _ . or -");
    } else {
      await sessions.login(session, user); // a new session id, against fixation
      session.set("user", user);
      session.flash("success", `Welcome, ${user}!`);
    }
    response = home();
  } else if (route === "POST /logout") {
    await session.destroy();
    response = home();
  } else {
    response = new Response("Not Found", { status: 404 });
  }
  // Adds Set-Cookie (only when something changed), Vary and Cache-Control.
  return sessions.commit(session, response);
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 3000),
  hostname: process.env.HOST ?? "localhost",
  fetch: handle,
});
console.log(`listening on http://${server.hostname}:${server.port}`);
