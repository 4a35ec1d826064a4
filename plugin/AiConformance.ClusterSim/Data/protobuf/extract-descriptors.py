#!/usr/bin/env python3
"""Writes the protobuf descriptors of Kubernetes' built-in kinds as a gzipped FileDescriptorSet.

Every Kubernetes Go binary built from k8s.io/api registers the compiled form of each API group's generated.proto (a
gzipped FileDescriptorProto). This reads them out of a kubectl binary and keeps the stable versions (v1, v2) and the
apimachinery types they use:

    extract-descriptors.py /usr/bin/kubectl kubernetes-descriptors.pb.gz
"""
import gzip
import re
import sys
import zlib

GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00"


def varint(value):
    out = b""
    while True:
        low, value = value & 0x7F, value >> 7
        if not value:
            return out + bytes([low])
        out += bytes([low | 0x80])


def read_varint(data, position):
    value, shift = 0, 0
    while True:
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position, shift = position + 1, shift + 7
        if byte < 0x80:
            return value, position


def without_gogo_import(proto):
    """Drops the import of gogo.proto (field 3, dependency): its options are unused here and it is not embedded."""
    kept, position = b"", 0
    while position < len(proto):
        start = position
        key, position = read_varint(proto, position)
        wire_type = key & 7
        if wire_type == 0:
            _, position = read_varint(proto, position)
        elif wire_type == 2:
            length, position = read_varint(proto, position)
            position += length
        elif wire_type == 1:
            position += 8
        elif wire_type == 5:
            position += 4
        else:
            sys.exit(f"error: unexpected wire type {wire_type} in a descriptor")
        field = proto[start:position]
        if key >> 3 == 3 and field.endswith(b"gogoproto/gogo.proto"):
            continue
        kept += field
    return kept


def descriptors(binary):
    found = {}
    for match in re.finditer(re.escape(GZIP_HEADER), binary):
        try:
            proto = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(binary[match.start():match.start() + 4_000_000])
        except zlib.error:
            continue
        # A FileDescriptorProto starts with its name (field 1, a string shorter than 128 bytes).
        if proto[:1] == b"\n" and proto[1] < 128:
            name = proto[2:2 + proto[1]].decode("ascii", "replace")
            if name.endswith("/generated.proto"):
                found[name] = without_gogo_import(proto)
    return found


def wanted(name):
    return name.startswith("k8s.io/apimachinery/") or (name.startswith("k8s.io/api/") and re.search(r"/v[12]/generated\.proto$", name))


def main(binary_path, output_path):
    with open(binary_path, "rb") as binary:
        found = descriptors(binary.read())
    kept = sorted(name for name in found if wanted(name))
    if "k8s.io/api/core/v1/generated.proto" not in kept:
        sys.exit(f"error: no Kubernetes descriptors found in {binary_path}; hint: give a kubectl or kube-apiserver binary")
    descriptor_set = b"".join(b"\x0a" + varint(len(found[name])) + found[name] for name in kept)
    with open(output_path, "wb") as output:
        output.write(gzip.compress(descriptor_set, 9, mtime=0))
    print(f"{len(kept)} files, {len(descriptor_set)} bytes: {output_path}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: extract-descriptors.py KUBECTL_BINARY OUTPUT.pb.gz")
    main(sys.argv[1], sys.argv[2])
