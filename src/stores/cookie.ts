// The sealed-cookie store lives in the session layer, because the manager
// uses it as its default; this subpath names it for explicit configuration.
export { type SealedCookieOptions, sealedCookieStore } from "../session/sealed-cookie.ts";
