import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { KeyRing } from "../crypto/keys.ts";
import { ConfigError } from "../errors.ts";
import { createSessions } from "../manager/sessions.ts";
import { createCsrf } from "./csrf.ts";
import { checkOrigin, isSafeMethod, trustedOrigin } from "./origin.ts";

// Go's net/http CrossOriginProtection tests and hono's csrf() middleware
// tests, as data, copied from the shared peer tables into ./fixtures so this
// repository stands alone. A case whose outcome or config differs here says
// so in its "tessera" field, with the reason; nothing is skipped silently.
interface Deviation {
  expected_status?: number;
  unsupported_config?: string[];
  notes_only?: boolean;
  why: string;
}
interface Case {
  id: string;
  source: string;
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  expected_status?: number;
  config?: Record<string, unknown>;
  function?: string;
  cases?: [string, boolean][];
  notes?: string;
  tessera?: Deviation;
}

const cases: Case[] = JSON.parse(
  readFileSync(new URL("./fixtures/origin-cases.json", import.meta.url), "utf8"),
);
const SECRET = randomBytes(32).toString("base64url");

describe("ported Go CrossOriginProtection and hono csrf cases", () => {
  const handled = new Set<string>();

  test("every deviation gives its reason", () => {
    for (const c of cases) {
      if (c.tessera === undefined) continue;
      assert.ok(c.tessera.why.length > 20, `${c.id}: a reason`);
      if (c.tessera.expected_status !== undefined) {
        assert.notEqual(c.tessera.expected_status, c.expected_status, `${c.id}: a real difference`);
      }
    }
  });

  for (const c of cases) {
    if (c.tessera?.notes_only === true) {
      // Not a case (the algorithm as prose): its rules are the comments in checkOrigin.
      test(`${c.id}: notes only, no request (see tessera.why)`, () => {
        assert.equal(c.method, undefined);
        assert.equal(c.cases, undefined);
        handled.add(c.id);
      });
      continue;
    }

    if (c.function === "addTrustedOrigin") {
      test(`${c.id}: trustedOrigins entries`, () => {
        assert.ok(c.cases !== undefined && c.cases.length > 0);
        for (const [input, accepted] of c.cases) {
          if (accepted) {
            assert.equal(trustedOrigin(input), input, input);
            assert.doesNotThrow(
              () => createCsrf({ keys: new KeyRing(SECRET) }, { trustedOrigins: [input] }),
              input,
            );
          } else {
            assert.throws(() => trustedOrigin(input), ConfigError, input);
            assert.throws(
              () => createCsrf({ keys: new KeyRing(SECRET) }, { trustedOrigins: [input] }),
              ConfigError,
              input,
            );
          }
        }
        handled.add(c.id);
      });
      continue;
    }

    const expected = c.tessera?.expected_status ?? c.expected_status;
    const label =
      c.tessera?.expected_status === undefined
        ? ""
        : ` (deliberately differs: the peer expects ${c.expected_status}; see tessera.why)`;
    test(`${c.id}: ${c.method} → ${expected}${label}`, async () => {
      assert.ok(c.method !== undefined && c.url !== undefined && expected !== undefined);
      const config = { ...c.config };
      const trustedOrigins = (config.trustedOrigins as string[] | undefined) ?? [];
      delete config.trustedOrigins;
      // Any other config key must be declared unsupported, with a reason.
      assert.deepEqual(
        Object.keys(config).sort(),
        [...(c.tessera?.unsupported_config ?? [])].sort(),
        `${c.id}: config keys tessera does not support`,
      );

      const request = new Request(c.url, { method: c.method, headers: c.headers ?? {} });
      // The origin check alone: the layer the peers test.
      const origin = checkOrigin(request, new Set(trustedOrigins));
      assert.equal(origin.ok, expected === 200, `${c.id}: originCheck`);
      if (!origin.ok) assert.equal(origin.reason, "cross-origin request");

      // The whole check, with a valid token in the header: the origin check
      // decides alone, and runs before the token.
      const sessions = createSessions({ secrets: [SECRET] });
      const csrf = createCsrf(sessions, { trustedOrigins });
      const session = await sessions.load(new Request(c.url));
      const withToken = new Request(c.url, {
        method: c.method,
        headers: { ...c.headers, "x-csrf-token": csrf.token(session) },
      });
      const result = await csrf.check(withToken, session);
      assert.equal(result.ok, expected === 200, `${c.id}: check with a valid token`);
      if (!result.ok) {
        assert.equal(result.reason, "cross-origin request");
        assert.equal(csrf.forbidden(result).status, 403);
      }
      handled.add(c.id);
    });
  }

  test("no case was left out", () => {
    assert.equal(cases.length, 45);
    assert.deepEqual(
      cases.map((c) => c.id).filter((id) => !handled.has(id)),
      [],
    );
  });
});

describe("checkOrigin beyond the peer cases", () => {
  const trusted = new Set(["https://trusted.example"]);
  const post = (headers: Record<string, string>, url = "https://example.com/x") =>
    new Request(url, { method: "POST", headers });

  test("TRACE is safe (RFC 9110), unlike Go, which checks it", () => {
    assert.equal(isSafeMethod("TRACE"), true);
    // undici refuses TRACE in a Request, so use the structural type.
    const trace = {
      method: "TRACE",
      url: "https://example.com/",
      headers: new Headers({ "sec-fetch-site": "cross-site" }),
    };
    assert.equal(checkOrigin(trace, trusted).ok, true);
  });

  test("methods are compared exactly: a lowercase or unknown method is checked", () => {
    for (const method of ["get", "PATCH", "patch", "DELETE", "PROPFIND"]) {
      assert.equal(isSafeMethod(method), false, method);
    }
    const patch = new Request("https://example.com/", {
      method: "PATCH",
      headers: { "sec-fetch-site": "cross-site" },
    });
    assert.equal(checkOrigin(patch, trusted).ok, false);
  });

  test("Sec-Fetch-Site decides when present, whatever the Origin", () => {
    assert.equal(
      checkOrigin(
        post({ "sec-fetch-site": "same-origin", origin: "https://evil.example" }),
        trusted,
      ).ok,
      true,
    );
    assert.equal(
      checkOrigin(post({ "sec-fetch-site": "cross-site", origin: "https://example.com" }), trusted)
        .ok,
      false,
      "cross-site with our own Origin cannot happen in a browser; trust the browser's verdict",
    );
    assert.equal(
      checkOrigin(post({ "sec-fetch-site": "Same-Origin" }), trusted).ok,
      false,
      "values are compared exactly",
    );
    assert.equal(
      checkOrigin(
        post({ "sec-fetch-site": "same-site", origin: "https://trusted.example" }),
        trusted,
      ).ok,
      true,
    );
    assert.equal(
      checkOrigin(post({ "sec-fetch-site": "cross-site" }), trusted).ok,
      false,
      "no Origin",
    );
  });

  test("empty headers count as absent, as in Go", () => {
    assert.equal(checkOrigin(post({ "sec-fetch-site": "" }), trusted).ok, true);
    assert.equal(checkOrigin(post({ origin: "" }), trusted).ok, true);
    assert.equal(
      checkOrigin(post({ "sec-fetch-site": "", origin: "https://evil.example" }), trusted).ok,
      false,
    );
  });

  test("Origin is compared with the request's scheme, host and port", () => {
    const url = "https://example.com:8443/form?a=1";
    assert.equal(checkOrigin(post({ origin: "https://example.com:8443" }, url), trusted).ok, true);
    assert.equal(checkOrigin(post({ origin: "https://example.com" }, url), trusted).ok, false);
    // Go compares the host only and lets this pass; the scheme counts here.
    assert.equal(
      checkOrigin(post({ origin: "http://example.com" }, "https://example.com/"), trusted).ok,
      false,
    );
    assert.equal(
      checkOrigin(post({ origin: "https://sub.example.com" }, "https://example.com/"), trusted).ok,
      false,
    );
    assert.equal(
      checkOrigin(
        post({ origin: "https://example.com.evil.example" }, "https://example.com/"),
        trusted,
      ).ok,
      false,
    );
  });

  test("a structural request: URLs with credentials or without a path take the slow path", () => {
    const like = (url: string, origin: string) => ({
      method: "POST",
      url,
      headers: new Headers({ origin }),
    });
    assert.equal(checkOrigin(like("https://example.com", "https://example.com"), trusted).ok, true);
    assert.equal(
      checkOrigin(like("https://u:p@example.com/", "https://example.com"), trusted).ok,
      true,
    );
    assert.equal(
      checkOrigin(like("https://example.com?x=1", "https://example.com"), trusted).ok,
      true,
    );
    assert.equal(checkOrigin(like("/relative", "https://example.com"), trusted).ok, false);
    assert.equal(checkOrigin(like("/relative", "https://trusted.example"), trusted).ok, true);
  });

  test("the log detail quotes and clips the headers", () => {
    const result = checkOrigin(post({ origin: `https://${"a".repeat(300)}.example` }), trusted);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.ok(result.detail.length < 200, result.detail);
    assert.match(
      result.detail,
      /^Origin "https:\/\/a+…" is neither https:\/\/example\.com nor trusted$/,
    );
  });

  test("trustedOrigins entries must be spelled as browsers send them", () => {
    assert.equal(trustedOrigin("chrome-extension://abcdef"), "chrome-extension://abcdef");
    assert.equal(trustedOrigin("http://localhost:5173"), "http://localhost:5173");
    for (const [input, hint] of [
      ["HTTPS://Example.com", "https://example.com"],
      ["https://example.com:443", "https://example.com"],
      ["https://user@example.com", "https://example.com"],
      ["https://bücher.example", "https://xn--bcher-kva.example"],
    ] as const) {
      assert.throws(
        () => trustedOrigin(input),
        (error: Error) => {
          assert.ok(error instanceof ConfigError);
          assert.ok(error.message.includes(JSON.stringify(hint)), error.message);
          return true;
        },
      );
    }
    assert.throws(() => trustedOrigin(42), ConfigError);
  });
});
