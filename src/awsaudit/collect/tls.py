"""HTTPS: a collection's clients share a TLS context, and the CA bundle is read into it once.

botocore gives each client an SSL context of its own, and urllib3 loads the CA bundle into the
context again for every new connection (``load_verify_locations``): with OpenSSL 3 and certifi's
bundle that is 20 ms of CPU, against 2.5 ms for the handshake itself. A scan of 17 regions opens
at least one connection for each of its ~700 clients: 14 s or more, several times the CPU of the
rest of the scan (urllib3/urllib3#3623, boto/botocore#3171). Here:

- clients made in a collection's ``creating()`` block get, from botocore's own context factory,
  one context per kind of verification (the same ``verify`` value, client certificate and key,
  and ``SSLKEYLOGFILE``, the one input of botocore's factory): a context costs 0.25 ms to build,
  20 ms of the 81 clients of the CIS lab scan;
- where that factory is not botocore's (another botocore), clients built as botocore builds them
  share afterwards (``share``) when their contexts were built alike (every readable setting
  equal) and they verify alike; urllib3 sets the same verification mode on a shared context for
  each connection;
- a shared context loads a CA file only when it has not loaded that very file (path, inode, size
  and modification time) already: loading the same certificates into a store again adds nothing.

For the first, URLLib3Session's context factory is routed through here for the whole process;
outside a ``creating()`` block (other threads, other sessions, proxy contexts) it is botocore's.

Measured with a local HTTPS endpoint (40 clients, 3 connections each): 75 ms of CPU per client
before, 6 ms after. Plain-HTTP endpoints (the lab) never use the context, but built one per
client: creating the lab scan's 81 clients took 0.18 s, 0.15 s with one context. Clients of
another HTTP session class, or whose context is not the standard library's, are left as botocore
made them, and so are proxy connections (botocore builds their contexts on demand).
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
from collections.abc import Iterator
from typing import Any

from botocore.httpsession import URLLib3Session


class SharedTlsContexts:
    """One collection's TLS contexts, one per kind of verification; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}

    @contextlib.contextmanager
    def creating(self) -> Iterator[None]:
        """Clients made in this block, in this thread, get the shared context of their kind."""
        if not _route_context_factory():
            yield
            return
        outer = getattr(_creating, "contexts", None)
        _creating.contexts = self
        try:
            yield
        finally:
            _creating.contexts = outer

    def _context_for(self, http_session: Any) -> Any:
        try:
            kind = (
                "built",
                http_session._verify,
                http_session._cert_file,
                http_session._key_file,
                os.environ.get("SSLKEYLOGFILE"),  # read by botocore's factory
            )
            hash(kind)
        except (AttributeError, TypeError):
            return _botocore_context_factory(http_session)
        with self._lock:
            context = self._contexts.get(kind)
            if context is None:
                context = _botocore_context_factory(http_session)
                if type(context) is not ssl.SSLContext:
                    return context
                context.__class__ = _CertificatesReadOnce
                self._contexts[kind] = context
            return context

    def share(self, client: Any) -> bool:
        """Let ``client`` (new, no connection made yet) use the shared context of its kind."""
        http_session: Any = getattr(getattr(client, "_endpoint", None), "http_session", None)
        if type(http_session) is not URLLib3Session:
            return False
        manager = getattr(http_session, "_manager", None)
        pool_settings = getattr(manager, "connection_pool_kw", None)
        if not isinstance(pool_settings, dict) or len(getattr(manager, "pools", ())) != 0:
            return False
        context = pool_settings.get("ssl_context")
        if type(context) is _CertificatesReadOnce:
            return True  # made in ``creating()``: shared already
        if type(context) is not ssl.SSLContext:
            return False
        try:
            verification = (http_session._verify, http_session._cert_file, http_session._key_file)
            kind = (*verification, _settings(context))
            hash(kind)
        except (AttributeError, TypeError):
            return False
        with self._lock:
            shared = self._contexts.get(kind)
            if shared is None:
                context.__class__ = _CertificatesReadOnce
                self._contexts[kind] = context
                return True
        pool_settings["ssl_context"] = shared
        return True


_creating = threading.local()  # .contexts: the SharedTlsContexts of the clients this thread makes
_botocore_context_factory = URLLib3Session._get_ssl_context
_route_lock = threading.Lock()


def _route_context_factory() -> bool:
    """Let URLLib3Session ask the creating thread's shared contexts for its context (once).

    False when URLLib3Session's factory is not botocore's plain call of ``create_urllib3_context``.
    """
    with _route_lock:
        current = URLLib3Session.__dict__.get("_get_ssl_context")
        if current is _shared_context_factory:
            return True
        code = getattr(current, "__code__", None)
        if current is not _botocore_context_factory or code is None:
            return False
        if code.co_names != ("create_urllib3_context",) or code.co_argcount != 1:
            return False
        URLLib3Session._get_ssl_context = _shared_context_factory
        return True


def _shared_context_factory(self: Any) -> Any:
    contexts = getattr(_creating, "contexts", None)
    if contexts is None or type(self) is not URLLib3Session:
        return _botocore_context_factory(self)
    return contexts._context_for(self)


def _settings(context: ssl.SSLContext) -> tuple[Any, ...]:
    """What can be read of a context's configuration (a fresh one has an empty certificate store)."""
    return (
        context.protocol,
        context.options,
        context.verify_mode,
        context.verify_flags,
        context.check_hostname,
        context.minimum_version,
        context.maximum_version,
        context.post_handshake_auth,
        context.hostname_checks_common_name,
        context.keylog_filename,
        context.sni_callback,
        context.security_level,
        tuple(cipher["name"] for cipher in context.get_ciphers()),
        tuple(sorted(context.cert_store_stats().items())),
    )


_load_lock = threading.Lock()
_LOADED = "_awsaudit_loaded_verify_locations"


class _CertificatesReadOnce(ssl.SSLContext):
    """An SSL context that loads each CA file, directory or text once (again if the file changed)."""

    def load_verify_locations(self, cafile: Any = None, capath: Any = None, cadata: Any = None) -> None:
        try:
            key = (cafile, capath, cadata, _file_version(cafile))
            hash(key)
        except TypeError:
            return super().load_verify_locations(cafile, capath, cadata)
        with _load_lock:
            loaded: set[Any] = self.__dict__.setdefault(_LOADED, set())
            if key in loaded:
                return None
            super().load_verify_locations(cafile, capath, cadata)
            loaded.add(key)
        return None


def _file_version(path: Any) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        status = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None  # botocore's load reports it
    return status.st_ino, status.st_size, status.st_mtime_ns
