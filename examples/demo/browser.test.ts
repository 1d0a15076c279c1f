// The demo in a real Chromium: forms, cookies the way a browser keeps them
// (HttpOnly, Secure on http://localhost), and "remember me" across a browser
// restart with a persistent profile.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type RunningServer, startServer } from "./server.ts";

/** Debian's Chromium; CI installs it. */
export const CHROMIUM = "/usr/bin/chromium";
/** Flags for a quiet headless run in a container. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

const available = existsSync(CHROMIUM);
const onCi = process.env.CI === "true";
if (!available && !onCi) {
  console.warn(
    `\n!!! ${CHROMIUM} is missing: SKIPPING the demo's browser tests. Install Chromium (apt-get install chromium) to run them. !!!\n`,
  );
}

test("Chromium is installed (required on CI)", { skip: !onCi && !available }, () => {
  assert.ok(available, `${CHROMIUM} is missing; CI must install Chromium to run the browser tests`);
});

const PASSWORD = "correct horse battery";
let server: RunningServer;
let base: string;
let users = 0;

function newUser(): string {
  users += 1;
  return `browser_${users}`;
}

async function register(page: Page, username: string): Promise<void> {
  await page.goto(`${base}/register`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('main button[type="submit"]');
  await page.waitForURL(`${base}/login`);
}

async function logIn(page: Page, username: string, remember: boolean): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  if (remember) await page.check('input[name="remember"]');
  await page.click('main button[type="submit"]');
  await page.waitForURL(`${base}/`);
}

function flashTexts(page: Page): Promise<string[]> {
  return page.locator(".flash").allTextContents();
}

describe("in Chromium", { skip: !available }, () => {
  let browser: Browser;
  const profiles: string[] = [];

  before(async () => {
    server = await startServer({
      secret: randomBytes(32).toString("base64url"),
      dbPath: ":memory:",
      port: 0,
      host: "127.0.0.1",
    });
    // localhost, as `npm start` prints it: Chromium treats it as a secure
    // context, so it keeps Secure (and __Host-) cookies over plain http.
    base = server.url.replace("127.0.0.1", "localhost");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true });
  });

  test("register, log in, count visits, flash once, log out", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const name = newUser();
      await register(page, name);
      assert.deepEqual(await flashTexts(page), [`Account "${name}" created. You can log in now.`]);

      await logIn(page, name, false);
      assert.equal(await page.locator("h1").textContent(), `Hello, ${name}!`);
      assert.equal(await page.locator(".who strong").textContent(), name);
      assert.deepEqual(await flashTexts(page), [`Welcome, ${name}! You are logged in.`]);
      assert.equal(await page.locator("#visits").textContent(), "1");
      await page.reload();
      assert.equal(await page.locator("#visits").textContent(), "2");
      await page.reload();
      assert.equal(await page.locator("#visits").textContent(), "3");
      assert.deepEqual(await flashTexts(page), [], "the welcome was shown once");

      await page.goto(`${base}/post`);
      await page.click('main button[type="submit"]');
      await page.waitForURL(`${base}/post`);
      assert.deepEqual(await flashTexts(page), ["Title cannot be empty."]);
      assert.equal(await page.locator(".flash-error").count(), 1);
      await page.fill('input[name="title"]', "Sessions in TypeScript");
      await page.click('main button[type="submit"]');
      await page.waitForURL(`${base}/post`);
      assert.deepEqual(await flashTexts(page), [
        'Article "Sessions in TypeScript" published successfully!',
      ]);
      const green = await page
        .locator(".flash-success")
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.equal(green, "rgb(230, 244, 234)");
      await page.reload();
      assert.deepEqual(await flashTexts(page), [], "a flash is shown once");

      await page.click("nav button:has-text('Log out')");
      await page.waitForURL(`${base}/login`);
      assert.deepEqual(await flashTexts(page), ["Successfully logged out."]);
      await page.goto(`${base}/`);
      assert.equal(page.url(), `${base}/login`);
    } finally {
      await context.close();
    }
  });

  test("document.cookie sees the tutorial cookie but not the HttpOnly session", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const name = newUser();
      await register(page, name);
      await logIn(page, name, false);
      await page.goto(`${base}/cookies`);
      await page.fill('input[name="value"]', "Hello World");
      await page.click("button:has-text('Set cookie')");
      await page.waitForURL(`${base}/cookies`);
      await page.click("a:has-text('Read cookie')");
      assert.equal(await page.locator("#cookie-value").textContent(), "Hello World");

      const visible = await page.evaluate(() => document.cookie);
      assert.match(visible, /(^|; )tutorial=Hello%20World(;|$)/);
      assert.match(visible, /(^|; )last_visit=/);
      assert.doesNotMatch(visible, /__Host-session/);

      // The browser did keep the session cookie, with its attributes, over http://localhost.
      const cookies = await context.cookies(base);
      const session = cookies.find((cookie) => cookie.name === "__Host-session");
      assert.ok(session, "Chromium accepted the Secure __Host- cookie on http://localhost");
      assert.equal(session.httpOnly, true);
      assert.equal(session.secure, true);
      assert.equal(session.sameSite, "Lax");
      assert.equal(session.expires, -1, "a browser-session cookie");

      await page.goto(`${base}/session`);
      assert.equal(
        await page.locator("tr:has(code:text-is('__Host-session')) .tag-info").textContent(),
        "HttpOnly",
      );

      await page.goto(`${base}/cookies`);
      await page.click("button:has-text('Delete cookie')");
      await page.waitForURL(`${base}/cookies`);
      assert.doesNotMatch(await page.evaluate(() => document.cookie), /tutorial=/);
    } finally {
      await context.close();
    }
  });

  test("log out everywhere, from one browser, ends the other's session", async () => {
    const here = await browser.newContext();
    const elsewhere = await browser.newContext();
    try {
      const name = newUser();
      const page = await here.newPage();
      await register(page, name);
      await logIn(page, name, false);
      const other = await elsewhere.newPage();
      await logIn(other, name, true);
      assert.equal(await other.locator("h1").textContent(), `Hello, ${name}!`);

      // A real form post: Chromium sends Sec-Fetch-Site and Origin, and the token.
      await page.goto(`${base}/session`);
      await page.click("button:has-text('Log out everywhere')");
      await page.waitForURL(`${base}/session`);
      assert.deepEqual(await flashTexts(page), [
        "Logged out everywhere else: your other sessions have ended. This one goes on.",
      ]);

      await other.goto(`${base}/`);
      assert.equal(other.url(), `${base}/login`, "the other browser is logged out");
      await page.goto(`${base}/`);
      assert.equal(await page.locator("h1").textContent(), `Hello, ${name}!`);
    } finally {
      await here.close();
      await elsewhere.close();
    }
  });

  async function restart(remember: boolean): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "tessera-demo-profile-"));
    profiles.push(dir);
    const launch = (): Promise<BrowserContext> =>
      chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });

    const first = await launch();
    const name = newUser();
    try {
      const page = first.pages()[0] ?? (await first.newPage());
      await register(page, name);
      await logIn(page, name, remember);
      assert.equal(await page.locator("h1").textContent(), `Hello, ${name}!`);
    } finally {
      await first.close();
    }

    const second = await launch();
    try {
      const page = second.pages()[0] ?? (await second.newPage());
      await page.goto(`${base}/`);
      return page.url() === `${base}/`
        ? ((await page.locator("h1").textContent()) ?? "")
        : page.url();
    } finally {
      await second.close();
    }
  }

  test("remember me survives a browser restart", async () => {
    const after = await restart(true);
    assert.match(after, /^Hello, browser_\d+!$/);
  });

  test("a plain login does not survive a browser restart", async () => {
    const after = await restart(false);
    assert.equal(after, `${base}/login`);
  });
});
