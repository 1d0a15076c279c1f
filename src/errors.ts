/**
 * The base of every error tessera throws. `code` is stable across releases,
 * so callers branch on it rather than on the message.
 *
 * @example
 * try {
 *   createSessions({ secrets: ["changeme"] });
 * } catch (error) {
 *   if (error instanceof TesseraError && error.code === "ERR_WEAK_SECRET") process.exit(1);
 * }
 */
export class TesseraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A cookie whose name and value together exceed the 4096 bytes every browser
 * keeps (RFC 6265bis §5.6 "cookie size limit"). `size` is the measured size.
 *
 * @example
 * try { stringifySetCookie("big", "x".repeat(5000)); }
 * catch (error) { if (error instanceof CookieTooLargeError) console.log(error.size); }
 */
export class CookieTooLargeError extends TesseraError {
  readonly size: number;
  readonly limit: number;
  constructor(name: string, size: number, limit: number) {
    super(
      "ERR_COOKIE_TOO_LARGE",
      `cookie ${JSON.stringify(name)} is ${size} bytes (name + value); browsers keep at most ${limit}. Store less in the session or use a server-side store.`,
    );
    this.size = size;
    this.limit = limit;
  }
}

/**
 * A secret that is too short, too uniform or a well-known demo value.
 *
 * @example
 * new WeakSecretError("it is 8 bytes long; at least 32 are needed");
 */
export class WeakSecretError extends TesseraError {
  constructor(reason: string) {
    super(
      "ERR_WEAK_SECRET",
      `session secret refused: ${reason}. Make a strong one with \`npx tessera secret\` or \`node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"\`, and pass it through an environment variable.`,
    );
  }
}

/**
 * An option that cannot work, found when the sessions are created rather than
 * on the first request.
 *
 * @example
 * throw new ConfigError("expiry.idle must be a positive duration, got \"-1m\"");
 */
export class ConfigError extends TesseraError {
  constructor(message: string) {
    super("ERR_CONFIG", `[tessera] ${message}`);
  }
}

/**
 * A payload that is not valid session data: bad JSON, a forbidden key
 * (`__proto__`, `constructor`, `prototype`) or a value JSON cannot carry.
 * The manager turns it into a fresh anonymous session; it never reaches the
 * client as a 500.
 *
 * @example
 * try { decodeJson('{"__proto__":{"admin":true}}'); }
 * catch (error) { if (error instanceof CodecError) console.log(error.code); } // ERR_CODEC
 */
export class CodecError extends TesseraError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_CODEC", message, options);
  }
}

/**
 * The session store failed or did not answer in time. `cause` holds the
 * store's own error. Under the default `onStoreError: "fail-closed"` policy
 * it reaches the adapter, which answers 503 with `Retry-After`; the process
 * keeps running and recovers when the store does.
 *
 * @example
 * try { session = await sessions.load(request); }
 * catch (error) { if (error instanceof StoreUnavailableError) return storeUnavailableResponse(error); throw error; }
 */
export class StoreUnavailableError extends TesseraError {
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;
  constructor(operation: string, cause: unknown, retryAfter = 5) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("ERR_STORE_UNAVAILABLE", `[tessera] session store ${operation} failed: ${reason}`, {
      cause,
    });
    this.retryAfter = retryAfter;
  }
}
