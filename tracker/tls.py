"""The certificate store every HTTPS client of the tracker verifies against, loaded once.

httpx loads certifi's bundle into a fresh SSL context for each client it builds, about
30 ms of CPU each time; a run builds three clients (E-utilities, ClinicalTrials.gov,
Europe PMC), tests and `tracker import` many more. One context serves them all: an
``ssl.SSLContext`` is safe to share between clients and threads once configured.
"""

from __future__ import annotations

import os
import ssl
from functools import cache


@cache
def verified_context() -> ssl.SSLContext:
    """Certificate checks as httpx makes them by default: ``SSL_CERT_FILE`` or
    ``SSL_CERT_DIR`` when set, otherwise certifi's bundle."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi  # httpx's own dependency, imported only when a client is built

    return ssl.create_default_context(cafile=certifi.where())
