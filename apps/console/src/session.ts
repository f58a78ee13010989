// The API key lives in sessionStorage: it is gone when the tab closes, and never shared with
// another tab or written to disk by the page. Every call goes through the public SDK.
import { createCacheplaneClient, type CacheplaneClient } from "@cacheplane/sdk";

const KEY = "cacheplane.apiKey";

export const storedKey = (): string | null => sessionStorage.getItem(KEY);
export const storeKey = (apiKey: string) => sessionStorage.setItem(KEY, apiKey);
export const forgetKey = () => sessionStorage.removeItem(KEY);

/** The console talks to the control plane that served it. */
export const clientFor = (apiKey: string): CacheplaneClient => createCacheplaneClient({ url: location.origin, apiKey });
