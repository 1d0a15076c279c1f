// tessera/flask: read and write Flask's default session cookie, and share
// sessions with a Flask app through `flaskCookieStore`.
export {
  createFlaskCodec,
  type FlaskCodec,
  type FlaskCodecOptions,
  type FlaskOpened,
  type FlaskSessionData,
} from "./codec.ts";
export {
  FlaskCookieError,
  FlaskExpiredError,
  FlaskFutureError,
  FlaskPayloadError,
  FlaskSignatureError,
} from "./errors.ts";
export { dumpFlaskJson, parseFlaskJson } from "./json.ts";
export { flaskCookieStore } from "./store.ts";
export { FlaskFloat, FlaskTuple, Markup, UUID } from "./values.ts";
