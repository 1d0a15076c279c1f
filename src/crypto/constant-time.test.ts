// Every MAC, tag and token comparison goes through one constant-time helper,
// safeEqual (src/crypto/compare.ts). This reads the sources to hold that line.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const root = new URL("..", import.meta.url).pathname;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

const files = sources(root).map((path) => ({
  path: relative(root, path),
  text: readFileSync(path, "utf8"),
}));

test("timingSafeEqual is called in one place only: safeEqual", () => {
  const users = files.filter((f) => /timingSafeEqual\s*\(/.test(f.text)).map((f) => f.path);
  assert.deepEqual(users, ["crypto/compare.ts"]);
});

test("no MAC, tag, signature or token is compared with == or !=", () => {
  const secretish = /\b\w*(mac|tag|signature|digest|token|hmac)\w*\b/i;
  const offenders: string[] = [];
  for (const { path, text } of files) {
    text.split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      for (const match of code.matchAll(/([\w.[\]]+)\s*[!=]==?\s*([\w.[\]"'`]+)/g)) {
        const [, left, right] = match;
        // Lengths, counts, types, indexes and presence are public; values are not.
        if (/length|size|typeof|indexOf|charCodeAt|\bat\b|\[0\]|VERSION|kind/i.test(match[0]))
          continue;
        if (/^(null|undefined|true|false|\d+|"[^"]*"|'[^']*'|``)$/.test(right!)) continue;
        if (secretish.test(left!) || secretish.test(right!))
          offenders.push(`${path}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(offenders, []);
});

test("every file that computes an HMAC and verifies it uses safeEqual", () => {
  for (const { path, text } of files) {
    if (!/createHmac\(/.test(text) || !/verify|check|open|decode/i.test(text)) continue;
    assert.match(text, /safeEqual/, `${path} computes an HMAC but never calls safeEqual`);
  }
});
