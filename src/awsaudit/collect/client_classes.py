"""One service model and one client class per service and session, whatever the regions.

botocore builds, for every client it creates, a ``ServiceModel`` and a client class with one method
(and one docstring object holding an operation model) per operation of the service: for EC2 about
700. A scan makes the same service's client in every region, so most of that work was repeated
(about 0.15 s and 10 MB for the CIS scan of two regions). Both depend only on the service, the
model loader and the session's event handlers (``creating-client-class`` may add methods), so a
session that asked for it here reuses them for its next client of the same service. Each client
keeps its own region, endpoint, credentials, configuration and event handlers.

This reaches into two private methods of ``botocore.client.ClientCreator``; when they are absent
(another botocore), nothing is shared and every client is built as botocore builds it. Sessions
that did not ask (the lab's, a caller's own) are never affected.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.client

from awsaudit.collect.models import prime_error_shapes

_MODEL_METHOD = "_load_service_model"
_CLASS_METHOD = "_create_client_class"


class _Shared:
    """What one session's clients share: the service models and the classes made from them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.models: dict[tuple[int, str, str | None], Any] = {}
        self.classes: dict[int, tuple[Any, type]] = {}  # id(service model) -> (that model, class)


# Kept on the session's event emitter: it is what a ClientCreator is handed, and it lives exactly as
# long as its session.
_SHARED_ATTRIBUTE = "_awsaudit_shared_clients"
_install_lock = threading.Lock()


def _shared(creator: Any) -> _Shared | None:
    return getattr(getattr(creator, "_event_emitter", None), _SHARED_ATTRIBUTE, None)


def share_client_classes(session: Any) -> bool:
    """Let ``session`` (a boto3 Session) reuse service models and client classes across regions.

    False when this botocore does not have the methods this relies on (nothing is shared then).
    """
    if not _install():
        return False
    emitter = session._session.get_component("event_emitter")
    with _install_lock:
        if getattr(emitter, _SHARED_ATTRIBUTE, None) is None:
            setattr(emitter, _SHARED_ATTRIBUTE, _Shared())
    return True


# Shared by every session that asked with share_client_classes_across_sessions.
_across_sessions = _Shared()


def share_client_classes_across_sessions(session: Any) -> bool:
    """As ``share_client_classes``, with one set of models and classes for every session of the
    process that asks this way: an organization scan makes a session per account, all alike (the
    same model loader, the same event handlers), so one account's classes serve the next ones.
    """
    if not _install():
        return False
    emitter = session._session.get_component("event_emitter")
    with _install_lock:
        setattr(emitter, _SHARED_ATTRIBUTE, _across_sessions)
    return True


def _install() -> bool:
    creator = botocore.client.ClientCreator
    with _install_lock:
        if getattr(creator, "_awsaudit_shares_classes", False):
            return True
        load_model = getattr(creator, _MODEL_METHOD, None)
        create_class = getattr(creator, _CLASS_METHOD, None)
        if not callable(load_model) or not callable(create_class):
            return False

        def _load_service_model(self: Any, service_name: str, api_version: str | None = None) -> Any:
            shared = _shared(self)
            if shared is None:
                return load_model(self, service_name, api_version)
            key = (id(self._loader), service_name, api_version)
            with shared.lock:
                model = shared.models.get(key)
                if model is None:
                    model = shared.models[key] = load_model(self, service_name, api_version)
                    prime_error_shapes(model)
            return model

        def _create_client_class(self: Any, service_name: str, service_model: Any) -> Any:
            shared = _shared(self)
            if shared is None:
                return create_class(self, service_name, service_model)
            with shared.lock:
                known = shared.classes.get(id(service_model))
                if known is None or known[0] is not service_model:
                    known = (service_model, create_class(self, service_name, service_model))
                    shared.classes[id(service_model)] = known
            return known[1]

        setattr(creator, _MODEL_METHOD, _load_service_model)
        setattr(creator, _CLASS_METHOD, _create_client_class)
        creator._awsaudit_shares_classes = True
        return True
