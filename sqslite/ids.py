"""Random identifiers for messages and requests."""

from __future__ import annotations

import os
import random

# Message and request ids must be unique, not secret, so a PRNG seeded once
# from the system replaces a system call and a UUID object per id.
_generator = random.Random(os.urandom(32))


def random_uuid() -> str:
    """Return a random version-4 UUID in its usual 36-character form."""
    number = _generator.getrandbits(128)
    # Set the version (4) and the RFC 4122 variant bits, as uuid.uuid4 does.
    number = (number & ~(0xF000 << 64)) | (0x4000 << 64)
    number = (number & ~(0xC000 << 48)) | (0x8000 << 48)
    text = f"{number:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
