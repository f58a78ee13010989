#!/usr/bin/env node
// The `cacheplane` command. Sources are TypeScript run through tsx, so there is no build step
// between a checkout and a running control plane.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
