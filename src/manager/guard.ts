import { StoreUnavailableError } from "../errors.ts";

/**
 * Runs one store call with a deadline. A throw, a rejection or a timeout
 * becomes a {@link StoreUnavailableError} carrying the cause, so every store
 * failure looks the same to the manager and the adapters.
 *
 * @example
 * const record = await guard("get", timeoutMs, 5, () => store.get(key, context));
 */
export async function guard<T>(
  operation: string,
  timeoutMs: number,
  retryAfter: number,
  call: () => T | Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const result = call();
    if (!(result instanceof Promise)) return result;
    return await Promise.race([
      result,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw error instanceof StoreUnavailableError
      ? error
      : new StoreUnavailableError(operation, error, retryAfter);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * The answer to a request while the store is down: 503 with `Retry-After`.
 *
 * @example
 * if (error instanceof StoreUnavailableError) return storeUnavailableResponse(error);
 */
export function storeUnavailableResponse(error?: StoreUnavailableError): Response {
  return new Response(
    "Service Unavailable: the session store is not answering. Try again shortly.\n",
    {
      status: 503,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "retry-after": String(error?.retryAfter ?? 5),
        "cache-control": "no-store",
      },
    },
  );
}
