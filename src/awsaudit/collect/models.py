"""botocore's service models, loaded once per process, without their documentation, with orjson.

Creating a client loads its service's model. For the ~45 services of a scan that was the largest
cost of the scan process: 25 MB of compressed JSON decoded with the standard library into ordered
dicts (about 0.8 s), three quarters of it documentation strings that only docstrings and help
text read. Here:

- every session of the process shares one loader, so a model is read once however many regions
  and accounts (organization scans) use it;
- a service model is kept in awsaudit's disk cache (awsaudit.disk_cache) with its documentation
  removed, keyed by the model file's path, size and modification time, and decoded with orjson;
- every other botocore data file (endpoint rules, paginators) is decoded with orjson;
- a model's shapes stay JSON text until botocore asks for one (``LazyShapes``): a scan reads a few
  dozen of the thousands a service declares, and the rest cost a string each instead of a tree of
  dicts (the CIS scan's models: 46 MB as dicts);
- which shapes are exceptions is recorded with the cached model, so the first error a service
  answers does not decode every shape of it to find them (botocore's ``error_shapes`` reads each
  shape): on the CIS scan, errors from seven services decoded about 4,300 shapes, ≈ 10 MB;
- the Python names of the operations (``xform_name``: ``DescribeInstances`` -> ``describe_instances``)
  are recorded with the cached model and put in botocore's own memo of them when it is loaded:
  building a client class names every operation of the service, and botocore's two regular
  expressions cost 16 µs a name (70 ms for the CIS scan's 4,300 operations, every process).

Only documentation is removed: the operations, shapes, members and every other field stay as
botocore ships them, so requests and parsed responses are exactly those of the full model.
"""

from __future__ import annotations

import functools
import gzip
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import botocore
import orjson
from botocore.loaders import ExtrasProcessor, JSONFileLoader, Loader
from botocore.model import ServiceModel
from botocore.utils import CachedProperty, deep_merge

from awsaudit.disk_cache import entry_name, read_entry, write_entry

_LEAN_FORMAT = 4  # 2: shapes kept as JSON text; 3: exception shapes named; 4: python names
_SERVICE_MODEL = "service-2"
_EXTENSIONS = (".json", ".json.gz")  # botocore's order
_DOCUMENTATION = ("documentation", "documentationUrl")

_shared_loaders: dict[tuple[str, ...], Loader] = {}
_lock = threading.Lock()


def share_models(session: Any) -> None:
    """Make ``session`` (a boto3 Session) read models through the process's shared lean loader."""
    botocore_session = session._session
    current = botocore_session.get_component("data_loader")
    loader = shared_loader(tuple(current.search_paths))
    if current is not loader:
        botocore_session.register_component("data_loader", loader)


def shared_loader(search_paths: tuple[str, ...]) -> Loader:
    """The process's lean loader for these search paths (what a botocore session's loader searches)."""
    with _lock:
        loader = _shared_loaders.get(search_paths)
        if loader is None:
            loader = _shared_loaders[search_paths] = lean_loader(search_paths)
    return loader


def lean_loader(search_paths: tuple[str, ...] | list[str]) -> Loader:
    """A botocore loader of lean models; shapes stay lazy only where its extras can reach them."""
    loader = _ThreadSafeLoader(
        extra_search_paths=list(search_paths),
        file_loader=LeanModelFileLoader(),
        include_default_search_paths=False,
    )
    # A model's "sdk-extras" file (S3's amends a shape) is merged into the model after loading;
    # botocore's merge would replace lazy shapes wholesale, so this loader merges shapes itself.
    # Without that hook (another botocore), shapes are decoded up front as before.
    if isinstance(getattr(loader, "_extras_processor", None), ExtrasProcessor):
        loader._extras_processor = _LazyShapesExtras()
        loader.file_loader.lazy_shapes = True
    return loader


def _under_answer_lock(method: Any) -> Any:
    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._answer_lock:
            return method(self, *args, **kwargs)

    return locked


class _ThreadSafeLoader(Loader):  # type: ignore[misc]  # botocore has no types
    """botocore's loader, whose cached answers are each computed once however many threads ask.

    botocore caches them per loader (``instance_cache``) without a lock, so the collection's
    threads asking together each compute the same answer: on the CIS scan, ten threads' first
    paginators listed every service directory at once (10 × 16 ms of CPU, 8,000 directories
    opened). One reentrant lock: a model load lists the services it may come from.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answer_lock = threading.RLock()

    list_available_services = _under_answer_lock(Loader.list_available_services)
    determine_latest_version = _under_answer_lock(Loader.determine_latest_version)
    list_api_versions = _under_answer_lock(Loader.list_api_versions)
    load_service_model = _under_answer_lock(Loader.load_service_model)
    load_data_with_path = _under_answer_lock(Loader.load_data_with_path)
    load_data = _under_answer_lock(Loader.load_data)


class _LazyShapesExtras(ExtrasProcessor):  # type: ignore[misc]  # botocore has no types
    def _process(self, model: dict[str, Any], extra_model: dict[str, Any]) -> None:
        merge = extra_model.get("merge")
        shapes = model.get("shapes")
        if (
            isinstance(shapes, LazyShapes)
            and isinstance(merge, dict)
            and isinstance(merge.get("shapes"), dict)
        ):
            shapes.merge(merge["shapes"])
            extra_model = {**extra_model, "merge": {k: v for k, v in merge.items() if k != "shapes"}}
        super()._process(model, extra_model)


class LeanModelFileLoader(JSONFileLoader):  # type: ignore[misc]  # botocore has no types
    """botocore's file loader interface: ``exists`` (inherited) and ``load_file``."""

    lazy_shapes = False  # set by lean_loader when its loader merges extras into lazy shapes

    def load_file(self, file_path: str) -> Any:
        for extension in _EXTENSIONS:
            full_path = file_path + extension
            if os.path.isfile(full_path):
                if os.path.basename(file_path) == _SERVICE_MODEL:
                    return _lean_service_model(full_path, self.lazy_shapes)
                return orjson.loads(_read(full_path))
        return None


def _read(full_path: str) -> bytes:
    if full_path.endswith(".gz"):
        with gzip.open(full_path, "rb") as compressed:
            return compressed.read()
    with open(full_path, "rb") as stream:
        return stream.read()


def _lean_service_model(full_path: str, lazy_shapes: bool) -> Any:
    status = os.stat(full_path)
    source = {
        "format": _LEAN_FORMAT,
        "path": full_path,
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
        "botocore": botocore.__version__,  # whose xform_name made the python names
    }
    # .../<service>/<api version>/service-2.json.gz
    api_version_folder = os.path.dirname(full_path)
    service = os.path.basename(os.path.dirname(api_version_folder))
    # The format is part of the name: trees of other formats (another awsaudit version, a benchmark's
    # baseline) keep their own entries instead of rewriting this one on every run.
    cache_name = entry_name(
        f"botocore-model-{service}-{os.path.basename(api_version_folder)}-v{_LEAN_FORMAT}", full_path
    )
    payload = read_entry(cache_name)
    if payload is not None:
        try:
            cached = orjson.loads(payload)
        except orjson.JSONDecodeError:
            cached = None
        if isinstance(cached, dict) and cached.get("source") == source:
            _remember_python_names(cached.get("python_names"))
            return _with_shapes(cached["model"], cached.get("exceptions"), lazy_shapes)
    model = orjson.loads(_read(full_path))
    without_documentation(model)
    shapes = model.get("shapes", {})
    exceptions = [name for name, shape in shapes.items() if _is_exception(shape)]
    model["shapes"] = {name: orjson.dumps(shape).decode() for name, shape in shapes.items()}
    python_names = {operation: botocore.xform_name(operation) for operation in model.get("operations", {})}
    entry = {"source": source, "model": model, "exceptions": exceptions, "python_names": python_names}
    write_entry(cache_name, orjson.dumps(entry))
    return _with_shapes(model, exceptions, lazy_shapes)


def _xform_memo() -> dict[Any, Any] | None:
    """botocore's memo of ``xform_name`` results, when ``xform_name`` reads it (its default argument)."""
    memo = getattr(botocore, "_xform_cache", None)
    defaults = getattr(botocore.xform_name, "__defaults__", None) or ()
    return memo if isinstance(memo, dict) and any(d is memo for d in defaults) else None


def _remember_python_names(names: Any) -> None:
    """Add ``xform_name`` results the cache entry recorded (made by this very botocore) to its memo."""
    memo = _xform_memo()
    if memo is None or not isinstance(names, dict):
        return
    for operation, python_name in names.items():
        if isinstance(operation, str) and isinstance(python_name, str):
            memo.setdefault((operation, "_"), python_name)


def _is_exception(shape: Any) -> bool:
    # botocore's test: the shape's "exception" metadata is truthy.
    return isinstance(shape, dict) and bool(shape.get("exception", False))


def _with_shapes(model: dict[str, Any], exceptions: Any, lazy: bool) -> dict[str, Any]:
    texts = model.get("shapes", {})
    if not lazy:
        model["shapes"] = {name: orjson.loads(text) for name, text in texts.items()}
    elif isinstance(exceptions, list) and all(isinstance(name, str) for name in exceptions):
        model["shapes"] = LazyShapes(texts, frozenset(exceptions))
    else:
        model["shapes"] = LazyShapes(texts)
    return model


def prime_error_shapes(service_model: Any) -> None:
    """Let a botocore ``ServiceModel`` of lazy shapes find its ``error_shapes`` without decoding the rest.

    botocore computes that list (on a client's first error) by reading every shape of the service;
    the model made a ``_LeanServiceModel`` here computes the same list, when first asked, from the
    exception names recorded with the cached model. Left to botocore when the model's shapes are not
    lazy or their exceptions are unknown.
    """
    resolver = getattr(service_model, "_shape_resolver", None)
    shapes = getattr(resolver, "_shape_map", None)
    if type(service_model) is ServiceModel and isinstance(shapes, LazyShapes) and shapes.knows_exceptions:
        service_model.__class__ = _LeanServiceModel


class _LeanServiceModel(ServiceModel):  # type: ignore[misc]  # botocore has no types
    @CachedProperty  # type: ignore[untyped-decorator]
    def error_shapes(self) -> list[Any]:
        names = self._shape_resolver._shape_map.exception_names()
        return [self.shape_for(name) for name in names]


class LazyShapes(Mapping[str, Any]):
    """A service model's shapes by name, each decoded from its JSON text when first read.

    botocore reads shapes only by name (``shapes[name]``) or lists their names; both work here, and
    a shape read twice is the same dict, as in a fully decoded model. Decoding the same shape in two
    threads at once yields equal dicts, either of which is kept.
    """

    __slots__ = ("_decoded", "_exceptions", "_texts")

    def __init__(self, texts: dict[str, str], exceptions: frozenset[str] | None = None) -> None:
        self._texts = texts
        self._decoded: dict[str, Any] = {}
        self._exceptions = exceptions  # the names of exception shapes, when known

    @property
    def knows_exceptions(self) -> bool:
        return self._exceptions is not None

    def exception_names(self) -> list[str]:
        """The exception shapes' names in model order (botocore's); all shapes are read when unknown."""
        if self._exceptions is None:
            return [name for name in self._texts if _is_exception(self[name])]
        return [name for name in self._texts if name in self._exceptions]

    def __getitem__(self, name: str) -> Any:
        shape = self._decoded.get(name)
        if shape is None:
            shape = self._decoded[name] = orjson.loads(self._texts[name])
        return shape

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def merge(self, extra: dict[str, Any]) -> None:
        """botocore's deep merge of an extras file's shapes (the same result on a decoded model)."""
        for name, shape in extra.items():
            if name in self._texts and isinstance(shape, dict) and isinstance(self[name], dict):
                deep_merge(self[name], shape)
            else:
                self._texts[name] = orjson.dumps(shape).decode()
                self._decoded[name] = shape
            if self._exceptions is not None and _is_exception(self[name]) != (name in self._exceptions):
                self._exceptions ^= {name}


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
