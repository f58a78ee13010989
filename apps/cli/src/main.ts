// The `cacheplane` command line. `up` runs the control plane; more commands come with the SDK.
import { loadSettings, SettingsError } from "@cacheplane/config";
import { up } from "./up.js";

const HELP = `Usage: cacheplane <command>

Commands:
  up        Run the control plane (api + worker) with embedded defaults
  help      Show this help

Settings come from the environment: CACHEPLANE_DATA_DIR, CACHEPLANE_PORT, CACHEPLANE_HOST,
CACHEPLANE_ADMIN_KEY, DATABASE_URL, REDIS_URL (see the README for all of them).`;

async function main(argv: string[]) {
  const [command] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(HELP);
    return 0;
  }
  if (command !== "up") {
    console.error(`cacheplane: unknown command '${command}'. Run 'cacheplane --help'.`);
    return 2;
  }
  const running = await up(loadSettings(), (line) => console.log(line));
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log("stopping (data nodes keep running; `cacheplane up` adopts them again)");
      running.stop().then(() => process.exit(0), () => process.exit(1));
    });
  }
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    // One line, no stack: expected errors (a missing redis-server, a bad setting) say what to do.
    const message = error instanceof SettingsError || error instanceof Error ? error.message : String(error);
    console.error(`cacheplane: ${message}`);
    process.exit(1);
  },
);
