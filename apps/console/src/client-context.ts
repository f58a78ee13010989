// The signed-in SDK client, for every view below the sign-in.
import type { CacheplaneClient } from "@cacheplane/sdk";
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export const ClientContext = createContext<CacheplaneClient | undefined>(undefined);

export function useClient(): CacheplaneClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error("useClient outside a signed-in console");
  return client;
}
