// The pages, as server-rendered HTML. Every interpolated value goes through
// `html`, which escapes it unless it is already markup made by `html`.

/** The hidden field that carries the CSRF token (app.ts gives it to createCsrf). */
export const CSRF_FIELD = "_csrf";

/** Markup that is safe to insert as is. Only `html` makes it. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML content and quoted attribute values.
 *
 * @example
 * escapeHtml('<b a="1">'); // "&lt;b a=&quot;1&quot;&gt;"
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

/**
 * A template tag: interpolations are escaped, nested `html` is kept, arrays
 * are joined, and null, undefined and false render as nothing.
 *
 * @example
 * html`<p>Hello ${username}</p>`;
 */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < parts.length; i++) out += render(parts[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** A flash message with its category, as the layout shows it. */
export interface FlashView {
  category: string;
  message: string;
}

/** What every page shows around its content. */
export interface Frame {
  /** The logged-in user's name, if any. */
  username: string | undefined;
  /** The session's CSRF token, for the logout form (only needed when logged in). */
  csrf: string | undefined;
  flashes: FlashView[];
  path: string;
}

const NAV = [
  ["/", "Home"],
  ["/post", "Flash messages"],
  ["/cookies", "Cookies"],
  ["/session", "Your session"],
] as const;

/**
 * The page shell: nav bar, login indicator, flashes and content.
 *
 * @example
 * layout("Home", frame, html`<h1>Hi</h1>`);
 */
export function layout(title: string, frame: Frame, content: Html): Html {
  const nav = NAV.map(
    ([href, label]) =>
      html`<a href="${href}"${frame.path === href ? new Html(' aria-current="page"') : ""}>${label}</a>`,
  );
  const who =
    frame.username !== undefined
      ? html`<span class="who">Logged in as <strong>${frame.username}</strong></span>
        <form method="post" action="/logout" class="inline">${csrfField(frame.csrf ?? "")}<button type="submit" class="link">Log out</button></form>`
      : html`<span class="who anonymous">Not logged in</span>
        <a href="/login">Log in</a> <a href="/register">Register</a>`;
  const flashes = frame.flashes.map(
    ({ category, message }) =>
      html`<p class="flash flash-${category}" role="status">${message}</p>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · tessera demo</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header>
  <nav>
    <span class="brand">tessera demo</span>
    ${nav}
    <span class="account">${who}</span>
  </nav>
</header>
<main>
${flashes}
${content}
</main>
<footer>Server-rendered with <code>tessera</code> sessions on <code>node:http</code>.</footer>
</body>
</html>
`;
}

function csrfField(token: string): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/**
 * A date as "2025-06-01 12:34:56 UTC".
 *
 * @example
 * formatDate(new Date(0)); // "1970-01-01 00:00:00 UTC"
 */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function ago(date: Date, now: number): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 0) return "in the future";
  if (seconds < 5) return "just now";
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"} ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** The previous visit, as read from the `last_visit` cookie. */
export type PreviousVisit =
  | { kind: "none" }
  | { kind: "date"; date: Date }
  | { kind: "unreadable"; raw: string };

function previousVisit(visit: PreviousVisit, now: number): Html {
  switch (visit.kind) {
    case "none":
      return html`This is your first visit (no <code>last_visit</code> cookie yet).`;
    case "date":
      return html`Your previous visit was at <strong>${formatDate(visit.date)}</strong> (${ago(visit.date, now)}).`;
    case "unreadable":
      return html`The <code>last_visit</code> cookie holds <code>${visit.raw}</code>, which is not a date. Plain cookies are easy to edit in the browser.`;
  }
}

/**
 * The greeting for a logged-in user, with the visit counter.
 *
 * @example
 * homePage({ username: "alice", visits: 3, previous: { kind: "none" }, now: Date.now() });
 */
export function homePage(props: {
  username: string;
  visits: number;
  permanent: boolean;
  previous: PreviousVisit;
  now: number;
}): Html {
  return html`<h1>Hello, ${props.username}!</h1>
<div class="card counter">
  <p class="big"><span id="visits">${props.visits}</span></p>
  <p>visit${props.visits === 1 ? "" : "s"} to this page in this session. The count lives in the session: reload to see it grow.</p>
</div>
<p>${previousVisit(props.previous, props.now)}</p>
<p>${
    props.permanent
      ? html`You ticked <em>remember me</em>: this session survives a browser restart for 7 days.`
      : html`This session ends when you close the browser (you did not tick <em>remember me</em>).`
  }</p>
<p>Try the <a href="/post">flash messages</a>, the <a href="/cookies">cookie tutorial</a>, or see <a href="/session">what your session holds</a>.</p>`;
}

/** Limits the forms show as `maxlength`; app.ts enforces the same numbers. */
export interface FieldLimits {
  username: number;
  password: number;
  title: number;
  value: number;
}

/**
 * The login form, with "remember me".
 *
 * @example
 * loginPage({ csrf, limits });
 */
export function loginPage(props: { csrf: string; limits: FieldLimits }): Html {
  const { limits } = props;
  return html`<h1>Log in</h1>
<p>Logging in stores your user id in the session and gives it a new id. Tick <em>remember me</em> and the session outlives the browser for 7 days; otherwise it ends when you close the browser.</p>
<form method="post" action="/login" class="card">
  ${csrfField(props.csrf)}
  <label>Username <input name="username" autocomplete="username" required maxlength="${limits.username}"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="${limits.password}"></label>
  <label class="check"><input type="checkbox" name="remember" value="on"> Remember me for 7 days</label>
  <button type="submit">Log in</button>
</form>
<p>No account yet? <a href="/register">Register</a>.</p>`;
}

/**
 * The registration form.
 *
 * @example
 * registerPage({ csrf, limits });
 */
export function registerPage(props: { csrf: string; limits: FieldLimits }): Html {
  const { limits } = props;
  return html`<h1>Register</h1>
<form method="post" action="/register" class="card">
  ${csrfField(props.csrf)}
  <label>Username <input name="username" autocomplete="username" required minlength="3" maxlength="${limits.username}" pattern="[A-Za-z0-9_.\\-]+"></label>
  <small>3 to 32 characters: letters, digits, <code>_</code>, <code>.</code> and <code>-</code>.</small>
  <label>Password <input name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="${limits.password}"></label>
  <small>8 to 128 characters. Stored only as a salted scrypt hash.</small>
  <button type="submit">Create account</button>
</form>
<p>Already registered? <a href="/login">Log in</a>.</p>`;
}

/**
 * The flash-message form (seed 003): an empty title flashes an error,
 * anything else a success.
 *
 * @example
 * postPage({ csrf, limits });
 */
export function postPage(props: { csrf: string; limits: FieldLimits }): Html {
  return html`<h1>Flash messages</h1>
<p>Submit the form: an empty title flashes an <span class="tag tag-error">error</span>, any other title a <span class="tag tag-success">success</span>. The message is stored in the session, shown on the next page, and then gone: reload and it has disappeared.</p>
<form method="post" action="/post" class="card">
  ${csrfField(props.csrf)}
  <label>Title <input name="title" maxlength="${props.limits.title}" placeholder="My first article"></label>
  <button type="submit">Publish</button>
</form>`;
}

/** A plain cookie as the cookies page lists it. */
export interface CookieView {
  name: string;
  value: string;
}

/**
 * The plain-cookie tutorial (seeds 000 and 001): set, read, delete, and the
 * last-visit cookie.
 *
 * @example
 * cookiesPage({ csrf, limits, tutorial: undefined, received: [], previous, now });
 */
export function cookiesPage(props: {
  csrf: string;
  limits: FieldLimits;
  tutorialName: string;
  tutorial: string | undefined;
  received: CookieView[];
  sessionCookieName: string;
  /** What the session cookie holds: the sealed session, or a signed id (server stores). */
  sessionCookieKind: "sealed" | "signed id";
  previous: PreviousVisit;
  now: number;
}): Html {
  const rows = props.received.map(
    ({ name, value }) =>
      html`<tr><td><code>${name}</code></td><td>${
        name === props.sessionCookieName
          ? html`<span class="muted">${props.sessionCookieKind}, ${value.length} characters: <code>${value.slice(0, 24)}…</code></span>`
          : html`<code>${value}</code>`
      }</td></tr>`,
  );
  return html`<h1>Cookies</h1>
<p>A plain cookie is a name and a value that the browser keeps and sends back with every request. Anyone at the keyboard can read and change it, so it is for preferences, not for secrets.</p>

<section class="card">
  <h2>Set, read and delete</h2>
  <p>The cookie <code>${props.tutorialName}</code> is currently ${
    props.tutorial === undefined
      ? html`<strong>not set</strong>.`
      : html`set to <strong><code>${props.tutorial}</code></strong>.`
  }</p>
  <form method="post" action="/cookies/set" class="row">
    ${csrfField(props.csrf)}
    <input name="value" value="Hello World" maxlength="${props.limits.value}" aria-label="Cookie value">
    <button type="submit">Set cookie</button>
  </form>
  <div class="row">
    <a class="button secondary" href="/cookies/read">Read cookie</a>
    <form method="post" action="/cookies/delete" class="inline">
      ${csrfField(props.csrf)}
      <button type="submit" class="secondary">Delete cookie</button>
    </form>
  </div>
  <p class="muted">Not <code>HttpOnly</code>: type <code>document.cookie</code> in the browser console and you will see it.</p>
</section>

<section class="card">
  <h2>Last visit</h2>
  <p>Each visit to the <a href="/">home page</a> while logged in stores the date and time in the plain cookie <code>last_visit</code>; the home page shows the previous one. Logging out deletes it.</p>
  <p>${previousVisit(props.previous, props.now)}</p>
</section>

<section class="card">
  <h2>What your browser sent</h2>
  ${
    rows.length === 0
      ? html`<p class="muted">No cookies came with this request.</p>`
      : html`<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>`
  }
</section>`;
}

/**
 * The result of reading the tutorial cookie.
 *
 * @example
 * cookieReadPage({ name: "tutorial", value: "Hello World" });
 */
export function cookieReadPage(props: { name: string; value: string | undefined }): Html {
  return html`<h1>Read a cookie</h1>
<div class="card">${
    props.value === undefined
      ? html`<p>The cookie <code>${props.name}</code> is not set.</p>`
      : html`<p>The cookie value is: <strong id="cookie-value">${props.value}</strong></p>`
  }</div>
<p><a href="/cookies">Back to the cookie page</a></p>`;
}

/** A cookie the app gives the browser, with its attributes. */
export interface CookieInfo {
  name: string;
  purpose: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string;
  path: string;
  lifetime: string;
  present: boolean;
}

/** The session store in use, for the session page. */
export interface StoreView {
  /** The SESSION_STORE value. */
  name: string;
  kind: "cookie" | "server";
  /** Where it keeps sessions (no credentials). */
  where: string | undefined;
  /** Whether cookie sessions are checked against revocation records. */
  revocation: boolean;
}

/** One of the user's sessions, as a server store lists it. */
export interface SessionView {
  createdAt: Date;
  lastActiveAt: Date;
  permanent: boolean;
  userAgent?: string;
}

/**
 * The "your session" teaching page.
 *
 * @example
 * sessionPage({ data, hasCsrf: true, store, user, cookies, … });
 */
export function sessionPage(props: {
  /** The decoded data, without the CSRF secret. */
  data: unknown;
  /** Whether the session holds a CSRF secret (not shown). */
  hasCsrf: boolean;
  isNew: boolean;
  permanent: boolean;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  cookies: CookieInfo[];
  store: StoreView;
  /**
   * The logged-in user, with a CSRF token for the "log out everywhere" form
   * (none when the store cannot do it).
   */
  user: { id: string; name: string; csrf: string | undefined } | undefined;
  /** The user's sessions, when the store can list them. */
  sessions: SessionView[] | undefined;
  now: number;
}): Html {
  const { store, user } = props;
  const yes = html`<span class="tag tag-success">yes</span>`;
  const no = html`<span class="tag tag-muted">no</span>`;
  const rows = props.cookies.map(
    (c) => html`<tr>
  <td><code>${c.name}</code><small class="muted">${c.purpose}</small></td>
  <td>${c.httpOnly ? html`<span class="tag tag-info">HttpOnly</span>` : html`<span class="tag tag-warn">readable by scripts</span>`}</td>
  <td>${c.secure ? yes : no}</td>
  <td>${c.sameSite}</td>
  <td><code>${c.path}</code></td>
  <td>${c.lifetime}</td>
  <td>${c.present ? yes : no}</td>
</tr>`,
  );
  const cookieStore = store.kind === "cookie";
  const opened = cookieStore
    ? html`What the server opened from your session cookie:`
    : html`What the server loaded from the store, by the id in your session cookie:`;
  const revocation = cookieStore
    ? store.revocation
      ? html`<strong>Revocation is on.</strong> A sealed cookie cannot be taken back once issued, so the server keeps a tiny record per user (a table in the accounts database) and checks it on every logged-in request. Logging out refuses every copy of the old cookie, and <em>log out everywhere</em> refuses every cookie of your account issued before it, except this browser's.`
      : html`<strong>Revocation is off.</strong> Logging out clears this browser's copy, but a copy of the cookie taken earlier keeps working until it expires.`
    : html`Logging out deletes the session's record, so a copy of the old cookie opens nothing. <em>Log out everywhere</em> deletes your other sessions' records.`;
  const list =
    props.sessions === undefined
      ? ""
      : html`<table id="user-sessions">
    <thead><tr><th>Your sessions</th><th>Created</th><th>Last active</th><th>Remember me</th></tr></thead>
    <tbody>${props.sessions.map(
      (s) => html`<tr>
  <td><small class="muted">${clip(s.userAgent ?? "unknown browser", 60)}</small></td>
  <td>${ago(s.createdAt, props.now)}</td>
  <td>${ago(s.lastActiveAt, props.now)}</td>
  <td>${s.permanent ? yes : no}</td>
</tr>`,
    )}</tbody>
  </table>`;
  const everywhere =
    user?.csrf === undefined
      ? ""
      : html`<form method="post" action="/logout-all" class="row">
    ${csrfField(user.csrf)}
    <button type="submit" class="secondary">Log out everywhere</button>
    <span class="muted">Ends your other sessions; this browser stays logged in.</span>
  </form>`;
  return html`<h1>Your session</h1>
<section class="card">
  <h2>Decoded session data</h2>
  <p>${props.isNew ? html`You have no session yet: nothing was stored for you.` : opened}</p>
  <pre id="session-data">${JSON.stringify(props.data, null, 2)}</pre>
  ${
    props.isNew
      ? ""
      : html`<dl class="times">
    <dt>User</dt><dd id="session-user">${user === undefined ? html`<span class="muted">not logged in</span>` : html`<code>${user.id}</code> (${user.name}), from <code>sessions.userOf(session)</code>`}</dd>
    <dt>Created</dt><dd>${formatDate(props.createdAt)} (${ago(props.createdAt, props.now)})</dd>
    <dt>Last active</dt><dd>${formatDate(props.lastActiveAt)} (${ago(props.lastActiveAt, props.now)})</dd>
    <dt>Expires</dt><dd>${formatDate(props.expiresAt)}${props.permanent ? " (remember me: 7 days after last activity)" : " (30 minutes idle, 12 hours at most)"}</dd>
  </dl>`
  }
  <p class="muted">${props.hasCsrf ? html`Not shown: <code>_csrf</code>, the session's CSRF secret, from which every form's token is made (<code>tessera/csrf</code>). ` : ""}<code>visits</code> is the home-page counter. No password here: login records only your user id (in the session's metadata) and name, and gives the session a new id.</p>
</section>

<section class="card" id="store">
  <h2>Where your session lives</h2>
  <p>Store: <code>${store.name}</code>${store.where === undefined ? "" : html`, ${store.where}`}. Choose another with <code>SESSION_STORE</code>.</p>
  <p>${revocation}</p>
  ${list}
  ${everywhere}
</section>

<section class="card">
  <h2>Cookies this app sets</h2>
  <table>
    <thead><tr><th>Cookie</th><th>Scripts</th><th>Secure</th><th>SameSite</th><th>Path</th><th>Lifetime</th><th>Sent now</th></tr></thead>
    <tbody>${rows}</tbody>
  </table>
</section>

<section class="card">
  <h2>Three ways to remember a visitor</h2>
  <dl class="kinds">
    <dt>Plain cookie</dt>
    <dd>The browser holds the value in clear text. The user (and any script, unless <code>HttpOnly</code>) can read <em>and change</em> it. Good for a theme or a language; never for who is logged in. Example: <code>tutorial</code>, <code>last_visit</code>.</dd>
    <dt>Sealed cookie session</dt>
    <dd>The browser holds the whole session, encrypted and authenticated with the server's secret (XChaCha20-Poly1305). The client carries it but can neither read nor alter it; a changed byte makes the server start a fresh, empty session. No server storage, but the data must stay small (a cookie is at most 4&nbsp;KB), and a copy someone already took stays valid until it expires, unless the server keeps revocation records.${cookieStore ? html` <strong>This demo uses it now.</strong>` : ""}</dd>
    <dt>Server session</dt>
    <dd>The browser holds only a signed random id; the data lives in a store on the server (SQLite, Redis, Postgres). There is no size limit and a session can be revoked at once, at the cost of a store lookup per request.${cookieStore ? "" : html` <strong>This demo uses it now.</strong>`}</dd>
  </dl>
</section>`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An error page: 400, 403, 404, 405, 413, 415.
 *
 * @example
 * errorPage(404, "Page not found", "There is nothing at /nope.");
 */
export function errorPage(status: number, title: string, message: string): Html {
  return html`<h1>${status} · ${title}</h1>
<div class="card"><p>${message}</p></div>
<p><a href="/">Go to the home page</a></p>`;
}

/** The stylesheet, served at /style.css. */
export const STYLE = `
:root {
  --text: #1f2328;
  --muted: #656d76;
  --line: #d8dee4;
  --bg: #f6f8fa;
  --card: #ffffff;
  --accent: #0b63ce;
  --success-bg: #e6f4ea; --success: #1a7f37;
  --error-bg: #fdecec; --error: #c62828;
  --info-bg: #e8f0fe; --info: #0b63ce;
  --warn-bg: #fff4e0; --warn: #9a6700;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
  background: var(--bg);
}
header { background: #24292f; }
nav {
  max-width: 52rem;
  font-size: 0.95rem;
  margin: 0 auto;
  padding: 0.75rem 1rem;
  display: flex;
  flex-wrap: wrap;
  gap: 0.25rem 1rem;
  align-items: baseline;
}
nav a, nav .who, nav .brand, nav button.link { color: #e6edf3; text-decoration: none; }
nav a { border-bottom: 2px solid transparent; }
nav a:hover, nav button.link:hover { text-decoration: underline; }
nav a[aria-current="page"] { color: #fff; border-bottom-color: #58a6ff; }
nav .brand { font-weight: 700; margin-right: 0.5rem; color: #fff; }
nav .account { margin-left: auto; display: flex; gap: 0.75rem; align-items: baseline; }
nav .who { color: #adbac7; }
nav .who strong { color: #fff; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 2rem; }
footer { max-width: 52rem; margin: 0 auto; padding: 0 1rem 2rem; color: var(--muted); font-size: 0.875rem; }
h1 { font-size: 1.75rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.75rem; }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre {
  background: var(--bg);
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.75rem;
  overflow-x: auto;
}
.card {
  background: var(--card);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 1.25rem;
  margin: 0 0 1.25rem;
}
form.card { display: grid; gap: 0.75rem; max-width: 24rem; }
label { display: grid; gap: 0.25rem; font-weight: 600; }
label.check { display: flex; gap: 0.5rem; align-items: center; font-weight: normal; }
small { color: var(--muted); margin-top: -0.5rem; }
input:not([type="checkbox"]) {
  font: inherit;
  padding: 0.45rem 0.6rem;
  border: 1px solid var(--line);
  border-radius: 6px;
  width: 100%;
}
input:focus { outline: 2px solid #58a6ff; outline-offset: 0; }
button, .button {
  font: inherit;
  font-weight: 600;
  padding: 0.45rem 1rem;
  border: 1px solid var(--accent);
  border-radius: 6px;
  background: var(--accent);
  color: #fff;
  cursor: pointer;
  text-decoration: none;
  display: inline-block;
  justify-self: start;
}
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.link {
  background: none;
  border: none;
  padding: 0;
  font-weight: normal;
  cursor: pointer;
}
form.inline { display: inline; margin: 0; }
.row { display: flex; gap: 0.5rem; align-items: center; margin: 0 0 0.75rem; }
.row input { flex: 1; }
.flash {
  padding: 0.75rem 1rem;
  border-radius: 6px;
  border-left: 4px solid;
  margin: 0 0 1rem;
}
.flash-success { background: var(--success-bg); border-color: var(--success); color: #0f5323; }
.flash-error { background: var(--error-bg); border-color: var(--error); color: #8e1b1b; }
.flash-info { background: var(--info-bg); border-color: var(--info); color: #0a3f84; }
.tag {
  display: inline-block;
  font-size: 0.8rem;
  font-weight: 600;
  padding: 0 0.45rem;
  border-radius: 999px;
  white-space: nowrap;
}
.tag-success { background: var(--success-bg); color: var(--success); }
.tag-error { background: var(--error-bg); color: var(--error); }
.tag-info { background: var(--info-bg); color: var(--info); }
.tag-warn { background: var(--warn-bg); color: var(--warn); }
.tag-muted { background: var(--bg); color: var(--muted); border: 1px solid var(--line); }
.muted { color: var(--muted); }
.counter { display: flex; align-items: center; gap: 1.25rem; }
.counter p { margin: 0; }
.counter .big { font-size: 3rem; font-weight: 700; line-height: 1; color: var(--accent); }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.45rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td code { white-space: nowrap; }
td small { display: block; margin: 0; }
#user-sessions { margin: 0 0 1rem; }
dl.times { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0 0 0.75rem; }
dl.times dt { color: var(--muted); }
dl.times dd { margin: 0; }
dl.kinds dt { font-weight: 700; margin-top: 0.75rem; }
dl.kinds dt:first-child { margin-top: 0; }
dl.kinds dd { margin: 0.25rem 0 0; }
`;
