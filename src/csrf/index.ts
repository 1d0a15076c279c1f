// tessera/csrf: an origin check and a session-bound, per-response masked
// synchronizer token. Sits above the manager: it reads the key ring of
// createSessions() and keeps its secret in the session data.
export {
  CSRF_SESSION_KEY,
  type Csrf,
  type CsrfOptions,
  createCsrf,
  type FormLike,
} from "./csrf.ts";
export { type CsrfRequest, isSafeMethod } from "./origin.ts";
export {
  CsrfError,
  type CsrfFailure,
  type CsrfReason,
  type CsrfResult,
  forbidden,
} from "./result.ts";
