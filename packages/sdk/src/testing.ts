// @cacheplane/sdk/testing — real caches and clusters for test suites (vitest, jest): provisioned
// before the suite, handed to the tests, deleted afterwards even when a test fails.
export { provisionTestCache, useTestCache, type TestCache, type TestCacheOptions } from "./testing/cache.js";
export { provisionTestCluster, useTestCluster, type TestCluster, type TestClusterOptions } from "./testing/cluster.js";
export { testCacheId } from "./testing/shared.js";
