"""The shipped data files known to pass every gate, by the SHA-256 of their bytes.

The built-in forms (``forms/*.toml``) and the jurisdiction profiles (``jurisdictions/*.toml``)
would otherwise go through every gate at every start of a process: the JSON Schema with
pure-Python ``jsonschema`` alone took 90 ms of the 380 ms that ``kindbehoeften forms list``
spent. Instead, this module records the digest of each file as it was when the test suite
last ran it through every gate, and the readers (the catalog, :func:`load_profile`) skip the
schema and the checks beyond the typed model for a file whose bytes have exactly that
digest. The model is still built from the file, and its own validation still runs.

A file whose bytes differ in any way (edited in the source tree, patched where it is
installed, a line ending changed by a checkout) has another digest and goes through every
gate, as any author's file does: a changed built-in file is never served unchecked, only
checked more slowly. The digests are part of the code, not a cache beside the files: nothing
is written at run time (an installed wheel is read-only), and vouching for other bytes means
changing the library itself. ``tests/test_checked.py`` fails when a digest here is not that of
the shipped file, and runs every shipped file through every gate; ``kindbehoeften forms check
FILE`` always checks in full.

>>> is_checked("forms/triangle.full.toml", b"[form]\\n")
False
>>> is_checked("forms/elsewhere.toml", b"")
False
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["CHECKED", "is_checked"]

# The file's path inside the package -> the SHA-256 (lowercase hex) of the bytes that passed.
CHECKED: Mapping[str, str] = MappingProxyType(
    {
        "forms/triangle.followup.toml": (
            "ed8fe96edae6a2665ec56458421e07d35db7fdb96b4530f4a4d680243b27ca0e"
        ),
        "forms/triangle.full.toml": (
            "82c43d1afc4b5a812db8881c1b136a347575d309273b3bada30ff6b538a6b8cb"
        ),
        "forms/triangle.plan.toml": (
            "7affc989182114db63b6cfa4b124e8edd5e058a44d49852763d03b99350a0d6d"
        ),
        "forms/triangle.preliminary.toml": (
            "626b8f86162995b8c257447e369ee1e65c49df1568dda008ddd5f33acd085ba8"
        ),
        "jurisdictions/DK.toml": (
            "a12efe7359a908b0396a858f14439d8925e99d092b233979038ba6f6b603b32c"
        ),
        "jurisdictions/FI.toml": (
            "902827838bf3027920ec7bf8843cfe3f241fc3f360632920e2261a747f066097"
        ),
        "jurisdictions/GB-ENG.toml": (
            "91ec1d5c384825ce2e439103d7638c2a845db3911e627498efd0d5a6ab637eb5"
        ),
        "jurisdictions/NL.toml": (
            "141c1d053c7b7dc6ba26358bfde9512c2ae48c1879afd8cbf6a943bc16521ead"
        ),
        "jurisdictions/NO.toml": (
            "bd37aca7001686cdaf1c7d005fc81f3ac60dd8c7018634cb5bae5ee51ad1c704"
        ),
        "jurisdictions/SE.toml": (
            "8923d7d640edda102550ce687a94218d42bcc04ca553a1736c7fe2eb1a104766"
        ),
    }
)


def is_checked(name: str, data: bytes) -> bool:
    """Whether ``data`` are exactly the bytes of the shipped file ``name`` (its path inside
    the package) that passed every gate."""
    expected = CHECKED.get(name)
    return expected is not None and hashlib.sha256(data).hexdigest() == expected
