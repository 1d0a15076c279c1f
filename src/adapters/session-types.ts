import type { Session } from "../session/session.ts";

declare global {
  /**
   * Your app's session type, registered once, so that `req.session`
   * (Express), `request.session` (Fastify) and `c.get("session")` (Hono)
   * carry your Data and Flash types. It is global (not per adapter module) so
   * that every copy of tessera in a program agrees on it.
   *
   * @example
   * import type { Session } from "tessera";
   * type Data = { visits?: number };
   * type Flash = { success: string; error: string };
   * declare global {
   *   interface TesseraTypes {
   *     session: Session<Data, Flash>;
   *   }
   * }
   */
  interface TesseraTypes {}
}

/** The session type the adapters attach: the one registered in `TesseraTypes`, or `Session`. */
export type AppSession = TesseraTypes extends { session: infer S } ? S : Session;
