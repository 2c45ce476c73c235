"""botocore's service models, loaded once per process, without their documentation, with orjson.

Creating a client loads its service's model. For the ~45 services of a scan that was the largest
cost of the scan process: 25 MB of compressed JSON decoded with the standard library into ordered
dicts (about 0.8 s), three quarters of it documentation strings that only docstrings and help
text read. Here:

- every session of the process shares one loader, so a model is read once however many regions
  and accounts (organization scans) use it;
- a service model is kept in awsaudit's disk cache (awsaudit.disk_cache) with its documentation
  removed, keyed by the model file's path, size and modification time, and decoded with orjson;
- every other botocore data file (endpoint rules, paginators) is decoded with orjson.

Only documentation is removed: the operations, shapes, members and every other field stay as
botocore ships them, so requests and parsed responses are exactly those of the full model.
"""

from __future__ import annotations

import gzip
import os
import threading
from typing import Any

import orjson
from botocore.loaders import JSONFileLoader, Loader

from awsaudit.disk_cache import entry_name, read_entry, write_entry

_LEAN_FORMAT = 1
_SERVICE_MODEL = "service-2"
_EXTENSIONS = (".json", ".json.gz")  # botocore's order
_DOCUMENTATION = ("documentation", "documentationUrl")

_shared_loaders: dict[tuple[str, ...], Loader] = {}
_lock = threading.Lock()


def share_models(session: Any) -> None:
    """Make ``session`` (a boto3 Session) read models through the process's shared lean loader."""
    botocore_session = session._session
    current = botocore_session.get_component("data_loader")
    search_paths = tuple(current.search_paths)
    with _lock:
        loader = _shared_loaders.get(search_paths)
        if loader is None:
            loader = Loader(
                extra_search_paths=list(search_paths),
                file_loader=LeanModelFileLoader(),
                include_default_search_paths=False,
            )
            _shared_loaders[search_paths] = loader
    if current is not loader:
        botocore_session.register_component("data_loader", loader)


class LeanModelFileLoader(JSONFileLoader):  # type: ignore[misc]  # botocore has no types
    """botocore's file loader interface: ``exists`` (inherited) and ``load_file``."""

    def load_file(self, file_path: str) -> Any:
        for extension in _EXTENSIONS:
            full_path = file_path + extension
            if os.path.isfile(full_path):
                if os.path.basename(file_path) == _SERVICE_MODEL:
                    return _lean_service_model(full_path)
                return orjson.loads(_read(full_path))
        return None


def _read(full_path: str) -> bytes:
    if full_path.endswith(".gz"):
        with gzip.open(full_path, "rb") as compressed:
            return compressed.read()
    with open(full_path, "rb") as stream:
        return stream.read()


def _lean_service_model(full_path: str) -> Any:
    status = os.stat(full_path)
    source = {
        "format": _LEAN_FORMAT,
        "path": full_path,
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
    }
    # .../<service>/<api version>/service-2.json.gz
    api_version_folder = os.path.dirname(full_path)
    service = os.path.basename(os.path.dirname(api_version_folder))
    cache_name = entry_name(f"botocore-model-{service}-{os.path.basename(api_version_folder)}", full_path)
    payload = read_entry(cache_name)
    if payload is not None:
        try:
            cached = orjson.loads(payload)
        except orjson.JSONDecodeError:
            cached = None
        if isinstance(cached, dict) and cached.get("source") == source:
            return cached["model"]
    model = orjson.loads(_read(full_path))
    without_documentation(model)
    write_entry(cache_name, orjson.dumps({"source": source, "model": model}))
    return model


def without_documentation(model: dict[str, Any]) -> None:
    """Remove, in place, the documentation of the service, its operations, shapes and members.

    Field names are never touched (a member may be called "documentation"), nor are parts of the
    model that botocore reads documentation from at run time (clientContextParams).
    """
    for key in _DOCUMENTATION:
        model.pop(key, None)
    for operation in model.get("operations", {}).values():
        for key in _DOCUMENTATION:
            operation.pop(key, None)
        for part in ("input", "output"):
            if isinstance(operation.get(part), dict):
                operation[part].pop("documentation", None)
        for error in operation.get("errors", ()):
            error.pop("documentation", None)
    for shape in model.get("shapes", {}).values():
        shape.pop("documentation", None)
        for member in shape.get("members", {}).values():
            member.pop("documentation", None)
        for part in ("member", "key", "value"):  # list and map element references
            if isinstance(shape.get(part), dict):
                shape[part].pop("documentation", None)
