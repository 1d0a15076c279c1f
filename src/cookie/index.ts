export { countCookie, getAllCookies, getCookie, parseCookie } from "./parse-cookie.ts";
export type { Priority, SameSite, SetCookie, SetCookieOptions } from "./set-cookie.ts";
export {
  compileSetCookie,
  deleteCookie,
  parseSetCookie,
  stringifySetCookie,
} from "./set-cookie.ts";
