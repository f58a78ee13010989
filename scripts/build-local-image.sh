#!/usr/bin/env bash
# Builds a Redis image from this machine's own redis-server, for machines that cannot reach a
# container registry (CI, air-gapped laptops). Real users pull redis:7.2 etc.; the image name is
# configuration (the docker driver's `images` option).
#
#   scripts/build-local-image.sh [tag]     default tag: cacheplane/redis-local:7.0
#
# The image holds only the redis-server binary and the shared libraries `ldd` lists, imported from
# a tarball (`docker import`, no Dockerfile, no base image, no pull). Idempotent: an existing image
# with that tag is kept. Env: REDIS_SERVER (default: redis-server on PATH), FORCE=1 to rebuild.
set -euo pipefail

tag="${1:-cacheplane/redis-local:7.0}"

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag already exists"
  exit 0
fi

bin="${REDIS_SERVER:-$(command -v redis-server || true)}"
[ -n "$bin" ] || { echo "build-local-image: redis-server not found (apt-get install -y redis-server, or set REDIS_SERVER)" >&2; exit 1; }
# /usr/bin/redis-server is often a symlink (Debian: -> redis-check-rdb; the binary picks its mode
# from argv[0], so it must be named redis-server in the image); copy the real file.
real="$(readlink -f "$bin")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/usr/bin" "$root/data" "$root/tmp" "$root/etc"
cp "$real" "$root/usr/bin/redis-server"

# Every library ldd resolves ("name => /path (addr)") and the loader ("/lib64/ld-linux... (addr)"),
# copied to the same path, plus the real file behind each symlink (cp -L).
ldd "$real" | awk '/=> \// { print $3 } /^\s*\/[^ ]+ \(/ { print $1 }' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
if ldd "$real" | grep -q "not found"; then
  echo "build-local-image: ldd reports missing libraries for $real:" >&2
  ldd "$real" | grep "not found" >&2
  exit 1
fi

# Minimal passwd/group so anything that looks up uid 0 (or `docker exec`) finds a name.
echo 'root:x:0:0:root:/data:/bin/false' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
chmod 1777 "$root/tmp"

version="$("$bin" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
tar -C "$root" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/bin/redis-server"]' \
  -c 'WORKDIR /data' \
  -c 'EXPOSE 6379' \
  -c "LABEL org.opencontainers.image.description=\"redis-server ${version} from the host, built by cacheplane\"" \
  - "$tag" >/dev/null
echo "built $tag (redis ${version:-unknown}, $(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.1f MB", $1 / 1e6 }'))"
