"""Decompression bombs, built in milliseconds: a deflate block of 1 MiB of zeros after a full
flush is always the same 1,037 bytes, so 2 GiB of zeros is that block 2,048 times."""

from __future__ import annotations

import gzip
import struct
import zlib

MIB = 1 << 20
BOMB_DECODED = 2048 * MIB  # 2 GiB
_CRC32_OF_2_GIB_OF_ZEROS = 0x4DBDF21C  # zlib.crc32 over 2 GiB of zero bytes, computed once


def gzip_of_zeros_2gib() -> bytes:
    """One gzip layer (about 2 MB) that decodes to 2 GiB of zeros."""
    block = bytes(MIB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packer.compress(block)
    packer.flush(zlib.Z_FULL_FLUSH)
    repeated = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", _CRC32_OF_2_GIB_OF_ZEROS, BOMB_DECODED & 0xFFFFFFFF)
    return header + repeated * 2048 + packer.flush() + trailer


def stacked_bomb(layers: int) -> bytes:
    """`layers` gzip layers around 2 GiB of zeros: 3 layers are 278 bytes on the wire."""
    data = gzip_of_zeros_2gib()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9, mtime=0)
    return data
