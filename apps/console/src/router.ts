// Routes live in the URL's hash (#/instances/my-cache), so the api serves one page for the whole
// console and a reload or a shared link lands on the same view.
import { useEffect, useState } from "preact/hooks";

export type Route = { view: "list" } | { view: "create"; kind: Kind } | { view: "detail"; kind: Kind; id: string } | { view: "zones" };
export type Kind = "instance" | "cluster";

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const kind = parts[0] === "clusters" ? "cluster" : parts[0] === "instances" ? "instance" : undefined;
  if (parts[0] === "zones") return { view: "zones" };
  if (kind && parts[1] === "new") return { view: "create", kind };
  if (kind && parts[1]) return { view: "detail", kind, id: parts[1] };
  return { view: "list" };
}

export const hrefOf = (route: Route): string => {
  switch (route.view) {
    case "list":
      return "#/";
    case "zones":
      return "#/zones";
    case "create":
      return `#/${route.kind}s/new`;
    case "detail":
      return `#/${route.kind}s/${encodeURIComponent(route.id)}`;
  }
};

export const navigate = (route: Route) => {
  location.hash = hrefOf(route);
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
