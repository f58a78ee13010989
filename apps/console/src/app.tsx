// The shell: sign-in until there is a key, then the header, the current view and the tray of
// this tab's Operations.
import { useMemo, useState } from "preact/hooks";
import { ClientContext } from "./client-context.js";
import { OperationsTray } from "./components/operations-tray.js";
import { forgetAll } from "./operations.js";
import { hrefOf, useRoute } from "./router.js";
import { clientFor, forgetKey, storedKey, storeKey } from "./session.js";
import { CreateForm } from "./views/create-form.js";
import { Detail } from "./views/detail.js";
import { ResourceList } from "./views/resource-list.js";
import { SignIn } from "./views/sign-in.js";
import { Zones } from "./views/zones.js";

export function App() {
  const [apiKey, setApiKey] = useState(storedKey);
  const client = useMemo(() => (apiKey ? clientFor(apiKey) : undefined), [apiKey]);
  const route = useRoute();

  if (!client) {
    return (
      <SignIn
        onSignedIn={(key) => {
          storeKey(key);
          setApiKey(key);
        }}
      />
    );
  }
  const signOut = () => {
    forgetKey();
    forgetAll();
    setApiKey(null);
  };
  return (
    <ClientContext.Provider value={client}>
      <header class="top">
        <a class="brand" href="#/">
          cacheplane
        </a>
        <nav aria-label="Main">
          <a href={hrefOf({ view: "list" })} aria-current={route.view === "list" ? "page" : undefined}>
            Resources
          </a>
          <a href={hrefOf({ view: "zones" })} aria-current={route.view === "zones" ? "page" : undefined}>
            Zones
          </a>
        </nav>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <OperationsTray />
        {route.view === "list" && <ResourceList />}
        {route.view === "create" && <CreateForm key={route.kind} kind={route.kind} />}
        {route.view === "detail" && <Detail key={`${route.kind}/${route.id}`} kind={route.kind} id={route.id} />}
        {route.view === "zones" && <Zones />}
      </main>
    </ClientContext.Provider>
  );
}
