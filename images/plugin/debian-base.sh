#!/usr/bin/env bash
# Makes a local stand-in for the .NET runtime-deps base image from Debian packages, for machines that reach
# Debian's archive but no container registry. The rootfs is cached under .build/ and rebuilt only when the
# package list changes.
#
#   images/plugin/debian-base.sh BUILDER IMAGE_REF
#
# BUILDER: buildah, podman or docker (the one that will build the plugin image).
set -euo pipefail

builder=${1:?builder (buildah, podman or docker)}
image_ref=${2:?image reference, e.g. localhost/aiconformance-base:bookworm}
suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${BASE_CACHE_DIR:-.build/image-base}

# What a self-contained .NET app loads (the runtime-deps set); ICU is left out (InvariantGlobalization).
packages=ca-certificates,libc6,libgcc-s1,libstdc++6,libssl3,zlib1g,tzdata

if ! command -v debootstrap >/dev/null; then
  echo "debian-base: debootstrap is not installed (apt-get install debootstrap), or build with BASE_IMAGE=<a reachable runtime-deps image>" >&2
  exit 1
fi

stamp="$suite $packages variant=minbase user=1654"
rootfs=$cache/$suite-rootfs
tarball=$cache/$suite-rootfs.tar
if [[ ! -f $cache/stamp || $(cat "$cache/stamp") != "$stamp" || ! -f $tarball ]]; then
  echo "debian-base: debootstrap $suite ($packages)"
  rm -rf "$rootfs" "$tarball" "$cache/stamp"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  # Package caches, indexes and docs are not needed at run time.
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/{doc,man,info,locale}/* \
         "$rootfs"/var/log/* "$rootfs"/tmp/*
  # The non-root user of the official .NET images, so that uid 1654 has a name and a group here too.
  grep -q '^app:' "$rootfs/etc/passwd" || echo 'app:x:1654:1654:app:/tmp:/usr/sbin/nologin' >>"$rootfs/etc/passwd"
  grep -q '^app:' "$rootfs/etc/group" || echo 'app:x:1654:' >>"$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
  tar --numeric-owner -C "$rootfs" -cf "$tarball" .
  echo "$stamp" >"$cache/stamp"
fi

digest=$(sha256sum "$tarball" | cut -c1-16)
case $builder in
  buildah)
    if [[ $(buildah inspect --type image --format '{{index .ImageAnnotations "org.aiconformance.base-digest"}}' "$image_ref" 2>/dev/null) == "$digest" ]]; then
      echo "debian-base: $image_ref is up to date"; exit 0
    fi
    ctr=$(buildah from scratch)
    trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
    buildah add --quiet "$ctr" "$tarball" / >/dev/null
    buildah config --annotation "org.aiconformance.base-digest=$digest" \
      --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
    buildah commit --quiet --format oci "$ctr" "$image_ref" >/dev/null
    ;;
  podman) podman import --quiet "$tarball" "$image_ref" >/dev/null ;;
  docker) docker import --quiet "$tarball" "$image_ref" >/dev/null ;;
  *) echo "debian-base: unknown builder '$builder'" >&2; exit 1 ;;
esac
echo "debian-base: $image_ref ready"
