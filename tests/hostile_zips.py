"""Zip archives as careless users and attackers send them: damaged, encrypted, Deflate64, nested.

Built in memory from small synthetic payloads; the headers are patched by hand because
Python's zipfile neither encrypts nor writes Deflate64.
"""
from __future__ import annotations

import io
import zipfile


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A plain zip of `members` (name -> content)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_headers(archive: bytes, member: str, *, flags: int = 0, method: int | None = None) -> bytes:
    """Set flag bits (0x1: encrypted) and/or the compression method (9: Deflate64) of one member.

    Both the local header and the central directory entry are patched, as a real tool writes them.
    """
    data = bytearray(archive)
    name = member.encode()
    for signature, flag_at, method_at, name_at in ((b"PK\x03\x04", 6, 8, 30), (b"PK\x01\x02", 8, 10, 46)):
        start = data.find(signature)
        while start != -1:
            if data[start + name_at:start + name_at + len(name)] == name:
                data[start + flag_at] |= flags
                if method is not None:
                    data[start + method_at:start + method_at + 2] = method.to_bytes(2, "little")
            start = data.find(signature, start + 4)
    return bytes(data)


def corrupt_crc(archive: bytes, payload: bytes) -> bytes:
    """Flip one byte of a stored member's data: its CRC no longer matches."""
    at = archive.index(payload)
    return archive[:at] + bytes([archive[at] ^ 0xFF]) + archive[at + 1:]


def corrupt_deflate(archive: bytes) -> bytes:
    """Overwrite the start of the first member's deflate stream with bytes that are not deflate."""
    name_length = int.from_bytes(archive[26:28], "little")
    extra_length = int.from_bytes(archive[28:30], "little")
    at = 30 + name_length + extra_length
    return archive[:at] + b"\xff" * 8 + archive[at + 8:]
