// tessera on Hono 4, served on Node by @hono/node-server: a visit counter, a
// login and flash messages. The app itself uses Web APIs only, so the same
// `app` runs on Bun (`export default app`), Deno and Workers.
// Run from this folder, after `npm run build` at the repository root:
//   node server.ts            (TESSERA_SECRET, PORT and HOST are read from the environment)
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createSessions, type Flashed, type Session } from "tessera";
import { sessionMiddleware } from "tessera/hono";

type Data = { visits?: number; user?: string };
type Flash = { success: string; error: string };

// Types c.get("session") for the whole app.
declare global {
  interface TesseraTypes {
    session: Session<Data, Flash>;
  }
}

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
  return `<!doctype html><title>tessera + Hono</title>${messages.join("")}<p>Visits: ${visits}</p>${form}`;
}

const app = new Hono();
app.use(sessionMiddleware(sessions));

app.get("/", (c) => {
  const session = c.get("session");
  const visits = (session.get("visits") ?? 0) + 1;
  session.set("visits", visits);
  return c.html(page(visits, session.get("user"), session.flashes()));
});

app.post("/login", async (c) => {
  const session = c.get("session");
  const user = String((await c.req.parseBody()).user ?? "").trim();
  if (!/^[\w.-]{1,32}$/.test(user)) {
    session.flash("error", "Pick a name of 1 to 32 letters, digits, _ . or -");
  } else {
    await sessions.login(session, user); // a new session id, against fixation
    session.set("user", user);
    session.flash("success", `Welcome, ${user}!`);
  }
  return c.redirect("/", 303);
});

app.post("/logout", async (c) => {
  await c.get("session").destroy();
  return c.redirect("/", 303);
});

const hostname = process.env.HOST ?? "localhost";
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname }, ({ port }) => {
  console.log(`listening on http://${hostname}:${port}`);
});
