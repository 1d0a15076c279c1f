#!/usr/bin/env node
// The `tessera` command. Exit codes: 0 done, 1 bad input, 2 usage.
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HELP = `Usage: tessera <command> [options]

Commands:
  secret    print a strong new secret (32 random bytes, base64url)

Options:
  -h, --help  show help for a command
`;

const SECRET_HELP = `Usage: tessera secret [--bytes N]

Prints a new random secret for TESSERA_SECRET: N bytes (default 32, at least
32) from the operating system's CSPRNG, base64url without padding.
`;

/**
 * Runs the CLI with the given arguments and returns the exit code.
 *
 * @example
 * process.exitCode = main(["secret"]);
 */
export function main(argv: string[], out = process.stdout, err = process.stderr): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help") {
    (command === undefined ? err : out).write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command !== "secret") {
    err.write(`tessera: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  let values: { help?: boolean; bytes?: string };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { help: { type: "boolean", short: "h" }, bytes: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    err.write(`tessera secret: ${(error as Error).message}\n\n${SECRET_HELP}`);
    return 2;
  }
  if (values.help) {
    out.write(SECRET_HELP);
    return 0;
  }
  const bytes = values.bytes === undefined ? 32 : Number(values.bytes);
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 1024) {
    err.write(
      `tessera secret: --bytes must be a whole number from 32 to 1024, got ${values.bytes}\n`,
    );
    return 1;
  }
  out.write(`${randomBytes(bytes).toString("base64url")}\n`);
  return 0;
}

// Run when executed (also through npm's bin symlink), not when imported.
const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))) {
  process.exitCode = main(process.argv.slice(2));
}
