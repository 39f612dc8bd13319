"""Random identifiers for messages and requests."""

from __future__ import annotations

import os
import random

# Message and request ids must be unique, not secret, so a PRNG seeded once
# from the system replaces a system call and a UUID object per id.
_generator = random.Random(os.urandom(32))


def random_uuid() -> str:
    """Return a random version-4 UUID in its usual 36-character form."""
    text = _generator.randbytes(16).hex()
    # The version digit is 4; the variant digit is 8, 9, a or b (RFC 4122).
    variant = "89ab"[int(text[16], 16) & 3]
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{variant}{text[17:20]}-{text[20:]}"
