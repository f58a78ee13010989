// npm run openapi: regenerates openapi/openapi.json from the zod contracts.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { openApiDocument, renderOpenApi } from "@cacheplane/api";

const target = fileURLToPath(new URL("../openapi/openapi.json", import.meta.url));
await writeFile(target, renderOpenApi(await openApiDocument()));
console.log(`wrote ${target}`);
