// Images: naming them as a pull needs, and making sure one is on the engine before a container
// is created from it — pulled once however many nodes ask at the same time, with progress, and
// ImageUnavailableError (permanent) when it cannot be had.
import type Dockerode from "dockerode";
import type { RuntimeLogger } from "../logger.js";
import { isEngineDown, messageOf, statusOf, type EngineCall } from "./engine-errors.js";
import { ImageUnavailableError, RuntimeUnavailableError } from "./errors.js";

/** "redis" -> "redis:latest" (a pull without a tag would fetch every tag); digests kept. */
export function withDefaultTag(image: string): string {
  if (image.includes("@")) return image;
  const last = image.slice(image.lastIndexOf("/") + 1);
  return last.includes(":") ? image : `${image}:latest`;
}

/** One line for one pull progress event ("redis:7.2 1a2b3c: Downloading 12.1/30.4 MB"). */
export function formatPullProgress(image: string, event: { status?: string; id?: string; progressDetail?: { current?: number; total?: number } }): string {
  const { current, total } = event.progressDetail ?? {};
  const amount = current !== undefined && total ? ` ${(current / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB` : "";
  return `${image}${event.id ? ` ${event.id}` : ""}: ${event.status ?? ""}${amount}`.trimEnd();
}

/** ensureImage(image, progress): resolves once the image is on the engine. */
export function createImagePuller(docker: Dockerode, api: EngineCall, log: RuntimeLogger) {
  const pulls = new Map<string, Promise<void>>();
  return async (image: string, progress: (message: string) => void) => {
    try {
      await api("inspect image", () => docker.getImage(image).inspect());
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    let pull = pulls.get(image);
    if (!pull) {
      pull = (async () => {
        const ref = withDefaultTag(image);
        log.info({ image: ref }, "pulling image");
        progress(`${ref}: pulling`);
        try {
          const stream = await api("pull", () => docker.pull(ref) as Promise<NodeJS.ReadableStream>);
          await new Promise<void>((resolve, reject) =>
            docker.modem.followProgress(
              stream,
              (err: Error | null) => (err ? reject(err) : resolve()),
              (event: { status?: string; id?: string; progressDetail?: { current?: number; total?: number }; error?: string }) =>
                progress(formatPullProgress(ref, event)),
            ),
          );
        } catch (err) {
          if (err instanceof RuntimeUnavailableError || isEngineDown(err)) throw err;
          throw new ImageUnavailableError(
            `image ${image} is not on this Docker engine and cannot be pulled: ${messageOf(err)}. ` +
              "Pull or build it first (scripts/build-local-image.sh builds one from the host's redis-server), or configure another image.",
            image,
          );
        }
        // A pull can "succeed" with an error only in the stream; make sure the image is there.
        try {
          await api("inspect image", () => docker.getImage(image).inspect());
        } catch (err) {
          if (statusOf(err) !== 404) throw err;
          throw new ImageUnavailableError(`image ${image} is still missing after a pull`, image);
        }
        progress(`${ref}: pulled`);
      })().finally(() => pulls.delete(image));
      pulls.set(image, pull);
    }
    await pull;
  };
}
