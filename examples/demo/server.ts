// Starts the demo on node:http. `npm start` runs this file; tests import
// startServer() and listen on port 0.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { serve } from "tessera/node";
import { type AppOptions, createApp } from "./app.ts";
import { loadConfig, type OpenedStore, StartupError } from "./config.ts";

/** A running demo server. */
export interface RunningServer {
  server: Server;
  /** The base URL, e.g. "http://127.0.0.1:51234". */
  url: string;
  close(): Promise<void>;
}

/**
 * Creates the app and listens. Port 0 picks a free port.
 *
 * @example
 * const { url, close } = await startServer({ secret, port: 0, host: "127.0.0.1" });
 */
export async function startServer(
  options: AppOptions & { port?: number; host?: string },
): Promise<RunningServer> {
  const app = createApp(options);
  const handle = serve(app.handle);
  const server = createServer((req, res) => {
    // serve() builds the request URL from the Host header and answers 500
    // when that fails (e.g. "Host: a b"); a bad Host is the client's error.
    if (!URL.canParse(`http://${req.headers.host ?? "localhost"}/`)) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      res.end("Bad Request: invalid Host header");
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === undefined || options.host === "::" ? "localhost" : options.host;
  return {
    server,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close() {
      return new Promise((resolve) => {
        server.close(() => {
          app.close();
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}

async function main(): Promise<void> {
  let running: RunningServer;
  let opened: OpenedStore | undefined;
  let storeName: string;
  try {
    const config = loadConfig(process.env, (line) => console.warn(line));
    storeName = config.storeName;
    opened = await config.openStore();
    running = await startServer({
      secret: config.secret,
      store: opened.store,
      storeName: config.storeName,
      storeWhere: opened.where,
      dbPath: config.dbPath,
      port: config.port,
    });
  } catch (error) {
    await opened?.close();
    // A configuration problem is the user's to fix: say what, without a stack trace.
    if (error instanceof StartupError || (error as { code?: string }).code === "EADDRINUSE") {
      console.error(`[demo] ${(error as Error).message}`);
      process.exit(1);
    }
    throw error;
  }
  console.log(`tessera demo listening on ${running.url} (session store: ${storeName})`);
  const store = opened;
  const stop = () => {
    // The server first (no request in flight uses the store), then the store's client.
    running
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
