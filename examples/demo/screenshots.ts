// Takes the README screenshots of the demo's main pages in Chromium:
//   node examples/demo/screenshots.ts   (after `npm run build`)
// SESSION_STORE (and its variables) pick the store, as for `npm start`.
// Writes docs/demo-login.png, demo-home.png, demo-session.png and demo-cookies.png.

import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Page } from "playwright-core";
import { openStore } from "./config.ts";
import { startServer } from "./server.ts";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const OUT = join(import.meta.dirname, "..", "..", "docs");
const USER = "alice";
const PASSWORD = "correct horse battery";

const storeName = process.env.SESSION_STORE || "cookie";
const opened = await openStore(storeName, process.env);
const server = await startServer({
  secret: randomBytes(32).toString("base64url"),
  store: opened.store,
  storeName,
  storeWhere: opened.where,
  dbPath: ":memory:",
  port: 0,
  host: "127.0.0.1",
});
const base = server.url.replace("127.0.0.1", "localhost");
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(OUT, `demo-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`wrote ${path}`);
}

// Queues a flash without following the redirect, so the next page shows it.
async function postForm(page: Page, path: string, form: Record<string, string>): Promise<void> {
  const token = await page.locator('main input[name="_csrf"]').first().getAttribute("value");
  await page.request.post(`${base}${path}`, {
    form: { ...form, _csrf: token ?? "" },
    maxRedirects: 0,
  });
}

try {
  mkdirSync(OUT, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();

  await page.goto(`${base}/register`);
  await page.fill('input[name="username"]', USER);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('main button[type="submit"]');
  await page.waitForURL(`${base}/login`);
  await page.goto(`${base}/login`);
  await shoot(page, "login");

  await page.fill('input[name="username"]', USER);
  await page.fill('input[name="password"]', PASSWORD);
  await page.check('input[name="remember"]');
  await page.click('main button[type="submit"]');
  await page.waitForURL(`${base}/`);
  await page.reload();
  await page.goto(`${base}/post`);
  await postForm(page, "/post", { title: "Sessions in TypeScript" });
  await postForm(page, "/post", { title: "" });
  await page.goto(`${base}/`);
  await shoot(page, "home");

  await page.goto(`${base}/cookies`);
  await page.fill('input[name="value"]', "Hello World");
  await page.click("button:has-text('Set cookie')");
  await page.waitForURL(`${base}/cookies`);
  await shoot(page, "cookies");

  await page.goto(`${base}/session`);
  await shoot(page, "session");
  await context.close();
} finally {
  await browser.close();
  await server.close();
  await opened.close();
}
