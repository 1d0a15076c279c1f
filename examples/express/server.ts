// tessera on Express (4 or 5): a visit counter, a login and flash messages.
// Run from this folder, after `npm run build` at the repository root:
//   node server.ts            (TESSERA_SECRET, PORT and HOST are read from the environment)
import { randomBytes } from "node:crypto";
import express from "express";
import { createSessions, type Flashed, type Session } from "tessera";
import { sessionMiddleware } from "tessera/express";

type Data = { visits?: number; user?: string };
type Flash = { success: string; error: string };

// Types req.session for the whole app.
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
  return `<!doctype html><title>tessera + Express</title>${messages.join("")}<p>Visits: ${visits}</p>${form}`;
}

const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(sessionMiddleware(sessions));

app.get("/", (req, res) => {
  const visits = (req.session.get("visits") ?? 0) + 1;
  req.session.set("visits", visits);
  res.type("html").send(page(visits, req.session.get("user"), req.session.flashes()));
});

app.post("/login", async (req, res) => {
  const user = String(req.body?.user ?? "").trim();
  if (!/^[\w.-]{1,32}$/.test(user)) {
    req.session.flash("error", "Pick a name of 1 to 32 letters, digits, _ . or -");
  } else {
    await sessions.login(req.session, user); // a new session id, against fixation
    req.session.set("user", user);
    req.session.flash("success", `Welcome, ${user}!`);
  }
  res.redirect(303, "/");
});

app.post("/logout", async (req, res) => {
  await req.session.destroy();
  res.redirect(303, "/");
});

const host = process.env.HOST ?? "localhost";
const server = app.listen(Number(process.env.PORT ?? 3000), host, () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://${host}:${port}`);
});
