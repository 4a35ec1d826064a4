#!/usr/bin/env bash
# Builds the plugin image from a publish folder with whichever builder is present and writes it as an OCI
# archive. Called by `make image`; every input comes from the environment:
#
#   PUBLISH_DIR  the self-contained publish folder (build context)
#   IMAGE        the image reference, e.g. ghcr.io/ai-conformance/aiconformance:0.1.0
#   ARCHIVE      where the OCI archive goes, e.g. dist/aiconformance-0.1.0.oci.tar
#   VERSION      the version label
#   BUILDER      docker, podman or buildah (default: the first one that works, in that order)
#   BASE_IMAGE   the base image; empty: the Dockerfile's default (the official runtime-deps image)
#   IMAGE_BASE   debian-local: build a local base from Debian packages and use it, pulling nothing
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${PUBLISH_DIR:?}" "${IMAGE:?}" "${ARCHIVE:?}" "${VERSION:?}"
dockerfile=images/plugin/Dockerfile
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs} BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}

pick_builder() {
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then echo docker; return; fi
  if command -v podman >/dev/null; then echo podman; return; fi
  if command -v buildah >/dev/null; then echo buildah; return; fi
  echo "image: no image builder found: install buildah (apt-get install buildah) or podman, or start a Docker engine" >&2
  exit 1
}
builder=${BUILDER:-$(pick_builder)}

[[ -x $PUBLISH_DIR/aiconformance ]] || { echo "image: $PUBLISH_DIR/aiconformance is missing; run 'make publish-image' first" >&2; exit 1; }

build_args=(--build-arg "VERSION=$VERSION")
pull=()
if [[ ${IMAGE_BASE:-} == debian-local ]]; then
  BASE_IMAGE=localhost/aiconformance-base:bookworm
  images/plugin/debian-base.sh "$builder" "$BASE_IMAGE"
  pull=(--pull=never)
  [[ $builder == docker ]] && pull=()   # docker never pulls an image it already has unless asked to
fi
[[ -n ${BASE_IMAGE:-} ]] && build_args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")

mkdir -p "$(dirname "$ARCHIVE")"
rm -f "$ARCHIVE"
echo "image: building $IMAGE with $builder (base: ${BASE_IMAGE:-Dockerfile default})"
case $builder in
  buildah)
    buildah bud --quiet --layers=false "${pull[@]}" "${build_args[@]}" --format oci -f "$dockerfile" -t "$IMAGE" "$PUBLISH_DIR" >/dev/null
    buildah push --quiet "$IMAGE" "oci-archive:$ARCHIVE:$IMAGE"
    buildah rmi --prune >/dev/null 2>&1 || true   # earlier builds of this tag; vfs keeps full copies
    ;;
  podman)
    podman build --quiet "${pull[@]}" "${build_args[@]}" --format oci -f "$dockerfile" -t "$IMAGE" "$PUBLISH_DIR" >/dev/null
    podman save --quiet --format oci-archive -o "$ARCHIVE" "$IMAGE"
    podman image prune --force >/dev/null 2>&1 || true
    ;;
  docker)
    docker build --quiet "${build_args[@]}" -f "$dockerfile" -t "$IMAGE" "$PUBLISH_DIR" >/dev/null
    # Docker Engine 25+ writes an OCI image layout (index.json, blobs/) as its save format.
    docker save -o "$ARCHIVE" "$IMAGE"
    ;;
  *) echo "image: unknown BUILDER '$builder' (docker, podman or buildah)" >&2; exit 1 ;;
esac
echo "image: $IMAGE -> $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1))"
