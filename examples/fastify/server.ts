// tessera on Fastify 5: a visit counter, a login and flash messages.
// Run from this folder, after `npm run build` at the repository root:
//   node server.ts            (TESSERA_SECRET, PORT and HOST are read from the environment)
import { randomBytes } from "node:crypto";
import Fastify from "fastify";
import { createSessions, type Flashed, type Session } from "tessera";
import { sessionPlugin } from "tessera/fastify";

type Data = { visits?: number; user?: string };
type Flash = { success: string; error: string };

// Types request.session for the whole app.
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
  return `<!doctype html><title>tessera + Fastify</title>${messages.join("")}<p>Visits: ${visits}</p>${form}`;
}

const app = Fastify();
// HTML forms, without @fastify/formbody.
app.addContentTypeParser(
  "application/x-www-form-urlencoded",
  { parseAs: "string" },
  (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
);
await app.register(sessionPlugin, { sessions });

app.get("/", async (request, reply) => {
  const visits = (request.session.get("visits") ?? 0) + 1;
  request.session.set("visits", visits);
  return reply
    .type("text/html")
    .send(page(visits, request.session.get("user"), request.session.flashes()));
});

app.post<{ Body: { user?: string } }>("/login", async (request, reply) => {
  const user = String(request.body?.user ?? "").trim();
  if (!/^[\w.-]{1,32}$/.test(user)) {
    request.session.flash("error", "Pick a name of 1 to 32 letters, digits, _ . or -");
  } else {
    await sessions.login(request.session, user); // a new session id, against fixation
    request.session.set("user", user);
    request.session.flash("success", `Welcome, ${user}!`);
  }
  return reply.redirect("/", 303);
});

app.post("/logout", async (request, reply) => {
  await request.session.destroy();
  return reply.redirect("/", 303);
});

const host = process.env.HOST ?? "localhost";
await app.listen({ port: Number(process.env.PORT ?? 3000), host });
const { port } = app.server.address() as { port: number };
console.log(`listening on http://${host}:${port}`);
