// AIP-158 pages as one async stream: `for await (const x of pages(...))` fetches the next page
// only when the caller has consumed the previous one.
export interface Page<T> {
  items: T[];
  nextPageToken?: string | undefined;
}

export async function* paginate<T>(fetchPage: (pageToken: string | undefined) => Promise<Page<T>>): AsyncGenerator<T, void, undefined> {
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextPageToken || undefined;
  } while (token);
}

/** Collects an async iterable into an array (for small lists). */
export async function toArray<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
