import { TesseraError } from "../errors.ts";

/**
 * The base of every error the Flask codec raises, so one `instanceof` check
 * catches them all; `code` tells them apart.
 *
 * @example
 * try { codec.decode(cookie); }
 * catch (error) { if (error instanceof FlaskCookieError) return anonymous(); }
 */
export class FlaskCookieError extends TesseraError {}

/**
 * The value is not a cookie signed with any of the keys: wrong key, changed
 * or truncated value, a missing part (itsdangerous `BadSignature` and
 * `BadTimeSignature`). Nothing in the value was parsed.
 *
 * @example
 * try { codec.decode(tampered); }
 * catch (error) { if (error instanceof FlaskSignatureError) console.log(error.code); } // ERR_FLASK_SIGNATURE
 */
export class FlaskSignatureError extends FlaskCookieError {
  constructor(message: string) {
    super("ERR_FLASK_SIGNATURE", `[tessera] [flask] ${message}`);
  }
}

/**
 * The signature holds but the cookie is older than `maxAge` (itsdangerous
 * `SignatureExpired`; Flask then starts an empty session). `signedAt` is
 * when it was written.
 *
 * @example
 * try { codec.decode(old); }
 * catch (error) { if (error instanceof FlaskExpiredError) console.log(error.signedAt); }
 */
export class FlaskExpiredError extends FlaskCookieError {
  readonly signedAt: Date;
  constructor(signedAt: Date, age: number, maxAge: number) {
    super(
      "ERR_FLASK_EXPIRED",
      `[tessera] [flask] the cookie is ${age} s old; at most ${maxAge} s are accepted`,
    );
    this.signedAt = signedAt;
  }
}

/**
 * The signature holds but the cookie's timestamp is in the future: a clock
 * skew between the servers that share it, or a key misused elsewhere.
 * (itsdangerous raises `SignatureExpired` for a negative age; Flask starts an
 * empty session.)
 *
 * @example
 * try { codec.decode(cookie, { now: Date.now() }); }
 * catch (error) { if (error instanceof FlaskFutureError) console.warn("clock skew?", error.signedAt); }
 */
export class FlaskFutureError extends FlaskCookieError {
  readonly signedAt: Date;
  constructor(signedAt: Date, seconds: number) {
    super(
      "ERR_FLASK_FUTURE",
      `[tessera] [flask] the cookie was signed ${seconds} s in the future (clock skew between servers?)`,
    );
    this.signedAt = signedAt;
  }
}

/**
 * A payload that is not Flask session data: on decode, a signed value that
 * does not decompress, parse or untag (itsdangerous `BadPayload`), or a
 * forbidden key (`__proto__`, `constructor`, `prototype`); on encode, a
 * value Flask cannot carry. The message names the place.
 *
 * @example
 * try { codec.encode({ when: new Map() }); }
 * catch (error) { if (error instanceof FlaskPayloadError) console.log(error.message); }
 */
export class FlaskPayloadError extends FlaskCookieError {
  constructor(message: string, options?: ErrorOptions) {
    super("ERR_FLASK_PAYLOAD", `[tessera] [flask] ${message}`, options);
  }
}
