// The containers a test's docker driver made, found by the nodes-root label every cacheplane
// container carries.
import Dockerode from "dockerode";
import { DOCKER_LABELS } from "@cacheplane/runtime";

const docker = new Dockerode();

export async function containersUnder(nodesRoot: string) {
  return docker.listContainers({ all: true, filters: { label: [`${DOCKER_LABELS.root}=${nodesRoot}`] } });
}

export async function removeContainersUnder(nodesRoot: string) {
  const found = await containersUnder(nodesRoot).catch(() => []);
  await Promise.all(
    found.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}
