// The routes: one fetch handler (Request → Response) for the whole demo.
//
// Every request: find the route (404 / 405), load the session, run the
// handler, add the security headers, commit the session. Handlers throw
// HttpError for the expected failures (400, 403, 415), which become error
// pages; nothing the client sends should cause a 500.

import {
  createSessions,
  deleteCookie,
  parseCookie,
  type Session,
  type SessionInfo,
  type SessionStore,
  type SetCookieOptions,
  sealedCookieStore,
  stringifySetCookie,
} from "tessera";
import { CSRF_SESSION_KEY, type CsrfReason, createCsrf } from "tessera/csrf";
import { sqliteStore } from "tessera/stores/sqlite";
import { type Accounts, openAccounts, PASSWORD, USERNAME } from "./accounts.ts";
import {
  CSRF_FIELD,
  cookieReadPage,
  cookiesPage,
  errorPage,
  type FieldLimits,
  type Html,
  homePage,
  layout,
  loginPage,
  type PreviousVisit,
  postPage,
  registerPage,
  STYLE,
  sessionPage,
} from "./views.ts";

/**
 * What the session holds. Never the password, and not the user id either:
 * `sessions.login()` records that, and `sessions.userOf()` reads it. The
 * CSRF secret lives under the reserved key `_csrf` (tessera/csrf's).
 */
export type Data = { username?: string; visits?: number };
/** Flash categories and their message type. */
export type Flash = { success: string; error: string; info: string };

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The session secret: at least 32 random bytes. */
  secret: string;
  /** The session store. Default: the sealed cookie. */
  store?: SessionStore;
  /** The store's name, for the session page. Default "cookie". */
  storeName?: string;
  /** Where the store keeps sessions, for the session page. */
  storeWhere?: string;
  /** The accounts database. Default ":memory:". */
  dbPath?: string;
  /**
   * With the cookie store: keep revocation records (in the accounts
   * database), so that logging out ends copies of the old cookie and "log
   * out everywhere" works. Default true; server stores need none.
   */
  revocation?: boolean;
}

/** The demo app: a fetch handler and its resources. */
export interface App {
  handle(request: Request): Promise<Response>;
  close(): void;
}

// The plain tutorial cookies: readable by page scripts on purpose.
const PLAIN_COOKIE: SetCookieOptions = { path: "/", secure: true, sameSite: "lax" };
const TUTORIAL_COOKIE = "tutorial";
const LAST_VISIT_COOKIE = "last_visit";
const LAST_VISIT_DAYS = 30;

// Request bodies are small forms; anything bigger is refused before parsing.
export const MAX_BODY_BYTES = 16 * 1024;
// A body without Content-Length that grows past the cap is read and discarded
// up to this size, so the client gets its 400 on a healthy connection.
const MAX_DRAIN_BYTES = 1024 * 1024;
// The longest value each form field accepts (the forms say the same in maxlength).
export const LIMITS: FieldLimits = {
  username: USERNAME.max,
  password: PASSWORD.max,
  title: 200,
  value: 200,
};

/** An expected failure, shown as an error page with this status. */
export class HttpError extends Error {
  readonly status: number;
  readonly title: string;
  constructor(status: number, title: string, message: string) {
    super(message);
    this.status = status;
    this.title = title;
  }
}

type DemoSession = Session<Data, Flash>;

interface Context {
  request: Request;
  url: URL;
  session: DemoSession;
  cookies: Record<string, string>;
  /** The posted form, read and CSRF-checked before any POST handler runs. */
  form: URLSearchParams;
  now: number;
}

type Handler = (context: Context) => Promise<Response> | Response;

/**
 * Creates the demo app. Tests start it on port 0 through `startServer`.
 *
 * @example
 * const app = createApp({ secret: randomBytes(32).toString("base64url") });
 * const response = await app.handle(new Request("http://localhost/login"));
 */
export function createApp(options: AppOptions): App {
  const accounts: Accounts = openAccounts(options.dbPath ?? ":memory:");
  const store = options.store ?? sealedCookieStore();
  // A sealed cookie cannot be taken back once issued: revocation keeps a tiny
  // record per user in a server store (here a table of the accounts
  // database) that refuses the cookies of ended sessions. Server stores are
  // revoked by deleting their records, and refuse this option.
  const revocation =
    store.kind === "cookie" && options.revocation !== false
      ? { store: sqliteStore({ database: accounts.database, table: "tessera_revocations" }) }
      : undefined;
  const sessions = createSessions<Data, Flash>({
    secrets: [options.secret],
    store,
    expiry: { idle: "30m", absolute: "12h", remember: "7d" },
    ...(revocation === undefined ? {} : { revocation }),
  });
  // tessera/csrf: an origin check (Sec-Fetch-Site / Origin), then a token
  // bound to the session and masked per page.
  const csrf = createCsrf(sessions, { fieldName: CSRF_FIELD });
  const storeName = options.storeName ?? "cookie";
  // Sealed cookies can be revoked only with revocation records.
  const canRevokeUser = store.kind === "server" || revocation !== undefined;
  const cookieName = sessions.cookieName;

  /** The logged-in user: the id login() recorded and the name kept in the data. */
  function userOf(session: DemoSession): { id: string; name: string } | undefined {
    const id = sessions.userOf(session);
    const name = session.get("username");
    return id === undefined || name === undefined ? undefined : { id, name };
  }

  function page(context: Context, title: string, content: Html, status = 200): Response {
    const { session } = context;
    const user = userOf(session);
    const body = layout(
      title,
      {
        username: user?.name,
        csrf: user === undefined ? undefined : csrf.token(session),
        flashes: session.flashes(),
        path: context.url.pathname,
      },
      content,
    );
    return new Response(body.value, {
      status,
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  }

  // Why a form was refused, in words for the person who sent it.
  function refusal(reason: CsrfReason, context: Context): HttpError {
    let message: string;
    if (reason === "no session") {
      message =
        context.cookies[cookieName] === undefined
          ? "Your browser sent no session cookie with this form, so its security token (CSRF protection) cannot be checked. Are cookies blocked? Over plain http, browsers keep Secure cookies only for localhost: open the demo at http://localhost."
          : "Your session ended or changed since this page was loaded (it expired, or you logged out), so this form's security token (CSRF protection) no longer fits. Reload the page and submit the form again.";
    } else if (reason === "cross-origin request") {
      message =
        "This form was sent from another site, which this one does not accept (CSRF protection: cross-origin request).";
    } else {
      message = `This form's security token is missing or wrong (CSRF protection: ${reason}). Go back, reload the page and submit the form again.`;
    }
    return new HttpError(403, "Forbidden", message);
  }

  // The posted form's fields, after checking their lengths. Returns a getter
  // that gives "" for a missing field.
  function fieldsOf(
    context: Context,
    fields: readonly (keyof FieldLimits | "remember")[],
  ): (name: string) => string {
    const { form } = context;
    for (const name of fields) {
      const value = form.get(name);
      const max = name === "remember" ? 2 : LIMITS[name];
      if (value !== null && value.length > max) {
        throw new HttpError(
          400,
          "Bad request",
          `The field "${name}" is too long: at most ${max} characters are accepted.`,
        );
      }
    }
    return (name) => form.get(name) ?? "";
  }

  async function logOut(session: DemoSession): Promise<Response> {
    // Flask's way: empty the session, then flash. The new id (a deleted
    // record on server stores, a revocation record on the cookie store)
    // makes copies of the old cookie useless.
    session.clear();
    await session.regenerate();
    session.flash("info", "Successfully logged out.");
    const response = redirect("/login");
    // Exercise 3 of seed 000: logging out deletes the last-visit cookie.
    response.headers.append("set-cookie", deleteCookie(LAST_VISIT_COOKIE, PLAIN_COOKIE));
    return response;
  }

  const routes = new Map<string, Partial<Record<"GET" | "POST", Handler>>>([
    [
      "/style.css",
      {
        GET: () =>
          new Response(STYLE, {
            headers: { "content-type": "text/css; charset=utf-8", "cache-control": "max-age=300" },
          }),
      },
    ],
    [
      "/",
      {
        GET(context) {
          const { session } = context;
          const user = userOf(session);
          if (user === undefined) return redirect("/login");
          const visits = (session.get("visits") ?? 0) + 1;
          session.set("visits", visits);
          const response = page(
            context,
            "Home",
            homePage({
              username: user.name,
              visits,
              permanent: session.permanent,
              previous: readLastVisit(context.cookies),
              now: context.now,
            }),
          );
          // Exercise 1 of seed 000: record this visit in a plain cookie.
          response.headers.append(
            "set-cookie",
            stringifySetCookie(LAST_VISIT_COOKIE, new Date(context.now).toISOString(), {
              ...PLAIN_COOKIE,
              maxAge: LAST_VISIT_DAYS * 24 * 60 * 60,
            }),
          );
          return response;
        },
      },
    ],
    [
      "/login",
      {
        // The anonymous login form has a token too (login CSRF): a page on
        // another site cannot log the visitor in to the attacker's account.
        GET: (context) =>
          page(context, "Log in", loginPage({ csrf: csrf.token(context.session), limits: LIMITS })),
        async POST(context) {
          const field = fieldsOf(context, ["username", "password", "remember"]);
          const { session } = context;
          const user = await accounts.authenticate(field("username"), field("password"));
          if (user === null) {
            // One message for an unknown user and a wrong password.
            session.flash("error", "Invalid username or password.");
            return redirect("/login");
          }
          // A new session id (against session fixation), the user recorded in
          // the session's metadata, the clock restarted; then a new CSRF
          // secret, so tokens from before the login are dead.
          await sessions.login(session, String(user.id));
          csrf.rotate(session);
          session.set("username", user.username);
          session.set("visits", 0);
          session.permanent = field("remember") === "on";
          session.flash("success", `Welcome, ${user.username}! You are logged in.`);
          return redirect("/");
        },
      },
    ],
    [
      "/register",
      {
        GET: (context) =>
          page(
            context,
            "Register",
            registerPage({ csrf: csrf.token(context.session), limits: LIMITS }),
          ),
        async POST(context) {
          const field = fieldsOf(context, ["username", "password"]);
          const result = await accounts.register(field("username"), field("password"));
          if ("error" in result) {
            context.session.flash("error", result.error);
            return redirect("/register");
          }
          context.session.flash(
            "success",
            `Account "${result.username}" created. You can log in now.`,
          );
          return redirect("/login");
        },
      },
    ],
    [
      "/logout",
      {
        POST: (context) => logOut(context.session),
      },
    ],
    [
      "/logout-all",
      {
        async POST(context) {
          const { session } = context;
          const user = userOf(session);
          if (user === undefined) {
            session.flash("error", "You are not logged in.");
            return redirect("/login");
          }
          if (!canRevokeUser) {
            session.flash(
              "error",
              "Log out everywhere needs revocation records with the cookie store; they are off.",
            );
            return redirect("/session");
          }
          // Server stores delete the user's other records; the cookie store
          // refuses every cookie of the user written before now, except this
          // session's, which is written again.
          await sessions.revokeUser(user.id, { except: session });
          session.flash(
            "success",
            "Logged out everywhere else: your other sessions have ended. This one goes on.",
          );
          return redirect("/session");
        },
      },
    ],
    [
      "/post",
      {
        GET: (context) =>
          page(
            context,
            "Flash messages",
            postPage({ csrf: csrf.token(context.session), limits: LIMITS }),
          ),
        POST(context) {
          const field = fieldsOf(context, ["title"]);
          const title = field("title").trim();
          if (title === "") context.session.flash("error", "Title cannot be empty.");
          else context.session.flash("success", `Article "${title}" published successfully!`);
          return redirect("/post");
        },
      },
    ],
    [
      "/cookies",
      {
        GET: (context) =>
          page(
            context,
            "Cookies",
            cookiesPage({
              csrf: csrf.token(context.session),
              limits: LIMITS,
              tutorialName: TUTORIAL_COOKIE,
              tutorial: context.cookies[TUTORIAL_COOKIE],
              received: Object.entries(context.cookies).map(([name, value]) => ({ name, value })),
              sessionCookieName: cookieName,
              sessionCookieKind: store.kind === "cookie" ? "sealed" : "signed id",
              previous: readLastVisit(context.cookies),
              now: context.now,
            }),
          ),
      },
    ],
    [
      "/cookies/set",
      {
        POST(context) {
          const field = fieldsOf(context, ["value"]);
          const value = field("value");
          if (value === "") {
            context.session.flash("error", "Enter a value for the cookie.");
            return redirect("/cookies");
          }
          context.session.flash("success", `Cookie "${TUTORIAL_COOKIE}" set to "${value}".`);
          const response = redirect("/cookies");
          response.headers.append(
            "set-cookie",
            stringifySetCookie(TUTORIAL_COOKIE, value, PLAIN_COOKIE),
          );
          return response;
        },
      },
    ],
    [
      "/cookies/read",
      {
        GET: (context) =>
          page(
            context,
            "Read a cookie",
            cookieReadPage({ name: TUTORIAL_COOKIE, value: context.cookies[TUTORIAL_COOKIE] }),
          ),
      },
    ],
    [
      "/cookies/delete",
      {
        POST(context) {
          context.session.flash("info", `Cookie "${TUTORIAL_COOKIE}" deleted.`);
          const response = redirect("/cookies");
          response.headers.append("set-cookie", deleteCookie(TUTORIAL_COOKIE, PLAIN_COOKIE));
          return response;
        },
      },
    ],
    [
      "/session",
      {
        async GET(context) {
          const { session, cookies } = context;
          const permanent = session.permanent;
          const user = userOf(session);
          // The CSRF secret is the library's, under a reserved key: not shown.
          const { [CSRF_SESSION_KEY]: csrfSecret, ...data } = session.toJSON() as Record<
            string,
            unknown
          >;
          // A server store with a per-user index lists the user's sessions.
          let others: SessionInfo[] | undefined;
          if (user !== undefined && store.kind === "server" && store.listByUser !== undefined) {
            others = await sessions.listByUser(user.id);
          }
          const plain = (name: string, purpose: string, lifetime: string) => ({
            name,
            purpose,
            httpOnly: false,
            secure: PLAIN_COOKIE.secure === true,
            sameSite: sameSiteLabel(PLAIN_COOKIE.sameSite),
            path: PLAIN_COOKIE.path ?? "/",
            lifetime,
            present: cookies[name] !== undefined,
          });
          // The session cookie's attributes, as the library sends them.
          const attributes = sessions.cookie;
          return page(
            context,
            "Your session",
            sessionPage({
              data,
              hasCsrf: csrfSecret !== undefined,
              isNew: session.isNew,
              permanent,
              createdAt: session.createdAt,
              lastActiveAt: session.lastActiveAt,
              expiresAt: session.expiresAt,
              store: {
                name: storeName,
                kind: store.kind,
                where: options.storeWhere,
                revocation: revocation !== undefined,
              },
              user:
                user === undefined
                  ? undefined
                  : { ...user, csrf: canRevokeUser ? csrf.token(session) : undefined },
              sessions: others,
              now: context.now,
              cookies: [
                {
                  name: attributes.name,
                  purpose:
                    store.kind === "cookie" ? "your session, sealed" : "your session id, signed",
                  httpOnly: attributes.httpOnly === true,
                  secure: attributes.secure === true,
                  sameSite: sameSiteLabel(attributes.sameSite),
                  path: attributes.path ?? "/",
                  lifetime: permanent ? "7 days (remember me)" : "until the browser closes",
                  present: cookies[attributes.name] !== undefined,
                },
                plain(TUTORIAL_COOKIE, "the set/read/delete tutorial", "until the browser closes"),
                plain(LAST_VISIT_COOKIE, "time of your previous visit", `${LAST_VISIT_DAYS} days`),
              ],
            }),
          );
        },
      },
    ],
  ]);

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const session = await sessions.load(request);
    const context: Context = {
      request,
      url,
      session,
      cookies: parseCookie(request.headers.get("cookie")),
      form: new URLSearchParams(),
      now: Date.now(),
    };
    const route = routes.get(url.pathname);
    const method = request.method === "HEAD" ? "GET" : request.method;
    let response: Response;
    try {
      if (route === undefined) {
        throw new HttpError(404, "Page not found", `There is no page at ${url.pathname}.`);
      }
      const handler = Object.hasOwn(route, method) ? route[method as "GET" | "POST"] : undefined;
      if (handler === undefined) {
        throw new HttpError(
          405,
          "Method not allowed",
          `${url.pathname} accepts ${allowedMethods(route)}, not ${request.method}.`,
        );
      }
      if (method === "POST") {
        // Every POST: body size and media type, then the CSRF check (origin,
        // then the token from the form), before the handler sees anything.
        context.form = await readForm(request);
        const result = await csrf.check(request, session, context.form);
        if (!result.ok) throw refusal(result.reason, context);
      }
      response = await handler(context);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const content = errorPage(error.status, error.title, error.message);
      response = page(context, error.title, content, error.status);
      if (error.status === 405 && route !== undefined) {
        response.headers.set("allow", allowedMethods(route));
      }
    }
    secure(response.headers);
    return sessions.commit(session, response);
  }

  return {
    handle,
    close() {
      accounts.close();
    },
  };
}

// "lax" as the Set-Cookie header spells it: "Lax".
function sameSiteLabel(value: SetCookieOptions["sameSite"]): string {
  if (value === undefined || value === false) return "not set (browser default)";
  const text = value === true ? "strict" : value.toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Reads a urlencoded form body of at most {@link MAX_BODY_BYTES}, checking
 * both Content-Length and the bytes that actually arrive.
 *
 * @example
 * const form = await readForm(request);
 */
export async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new HttpError(
      415,
      "Unsupported media type",
      "Forms must be sent as application/x-www-form-urlencoded.",
    );
  }
  const tooLarge = new HttpError(
    400,
    "Bad request",
    `The form is too large: at most ${MAX_BODY_BYTES / 1024} KiB are accepted.`,
  );
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size <= MAX_BODY_BYTES) chunks.push(value);
      else if (size > MAX_DRAIN_BYTES) {
        // Cancelling makes node:http drop the connection, which the client may
        // see as a reset instead of our 400; only a flood is worth that.
        await reader.cancel();
        break;
      }
    }
  }
  if (size > MAX_BODY_BYTES) throw tooLarge;
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

// "GET, HEAD, POST": HEAD is served wherever GET is.
function allowedMethods(route: object): string {
  const methods = Object.keys(route);
  if (methods.includes("GET")) methods.push("HEAD");
  return methods.join(", ");
}

function readLastVisit(cookies: Record<string, string>): PreviousVisit {
  const raw = cookies[LAST_VISIT_COOKIE];
  if (raw === undefined || raw === "") return { kind: "none" };
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? { kind: "unreadable", raw } : { kind: "date", date };
}

// A redirect whose headers can still be added to (Response.redirect's cannot).
function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

// Headers every page gets: no framing, no sniffing, only our own stylesheet.
function secure(headers: Headers): void {
  headers.set(
    "content-security-policy",
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  headers.set("x-content-type-options", "nosniff");
  headers.set("referrer-policy", "same-origin");
}
