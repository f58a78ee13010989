// start, configure, stop and destroy of one node run one at a time within a driver instance
// (across workers, the reconcile lease already guarantees it). Both drivers use this.
export function createNodeLocks() {
  const locks = new Map<string, Promise<unknown>>();
  return <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const next = (locks.get(id) ?? Promise.resolve()).catch(() => {}).then(fn);
    locks.set(id, next);
    void next.catch(() => {}).finally(() => locks.get(id) === next && locks.delete(id));
    return next;
  };
}
