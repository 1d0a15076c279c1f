// Builds dist/: JavaScript and .d.ts files from src/, then checks that every
// entry of package.json "exports" resolves to a file that exists.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
// npm puts node_modules/.bin on PATH for scripts.
execFileSync("tsc", ["-p", "tsconfig.build.json"], { stdio: "inherit" });

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  exports: Record<string, string | Record<string, string>>;
};
const missing: string[] = [];
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const targets = typeof target === "string" ? [target] : Object.values(target);
  if (typeof target !== "string" && Object.keys(target)[0] !== "types") {
    missing.push(`${subpath}: "types" must come first`);
  }
  for (const file of targets) if (!existsSync(file)) missing.push(`${subpath}: ${file}`);
}
if (missing.length > 0) {
  console.error(`package.json exports point at missing files:\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
console.log(`built dist/; ${Object.keys(pkg.exports).length} exports resolve`);
