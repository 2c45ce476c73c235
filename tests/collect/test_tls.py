"""A collection's HTTPS clients share one TLS context that reads its CA bundle once and still verifies."""

from __future__ import annotations

import datetime
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.httpsession
import certifi
import pytest
from botocore.exceptions import SSLError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from awsaudit.collect import tls
from awsaudit.collect.tls import SharedTlsContexts


class _Answer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>"
        body += b"</GetCallerIdentityResult></GetCallerIdentityResponse>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")  # every call opens a new connection
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS endpoint on localhost and a CA bundle (certifi's plus its certificate) that trusts it."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    (folder / "cert.pem").write_bytes(pem)
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    bundle = folder / "bundle.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes() + pem)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}", bundle
    server.shutdown()
    server.server_close()


def _client(url: str, region: str, verify: Any) -> Any:
    session = boto3.Session(region_name=region, aws_access_key_id="AKIATEST", aws_secret_access_key="t")
    return session.client("sts", endpoint_url=url, verify=verify)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every CA load that reaches OpenSSL, whatever the context."""
    seen: list[Any] = []
    original = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, cafile: Any = None, capath: Any = None, cadata: Any = None) -> None:
        seen.append(cafile)
        original(self, cafile, capath, cadata)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    return seen


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every SSL context botocore's factory builds."""
    made: list[Any] = []
    original = botocore.httpsession.create_urllib3_context

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(botocore.httpsession, "create_urllib3_context", counted)
    return made


def _clients_made_in(contexts: SharedTlsContexts, url: str, bundles: list[str]) -> list[Any]:
    regions = ("us-east-1", "eu-west-1", "eu-west-2", "eu-west-3")
    with contexts.creating():
        made = [_client(url, region, bundle) for region, bundle in zip(regions, bundles, strict=False)]
    assert all(contexts.share(client) for client in made)  # shared already: nothing changes
    return made


def test_clients_made_together_build_one_context_and_read_the_bundle_once(
    endpoint: tuple[str, Path], loads: list[Any], built: list[Any]
) -> None:
    url, bundle = endpoint
    clients = _clients_made_in(SharedTlsContexts(), url, [str(bundle)] * 3)
    assert len(built) == 1 and all(_context(client) is built[0] for client in clients)
    for client in clients * 2:
        assert client.get_caller_identity()["Account"] == "123456789012"
    assert loads == [str(bundle)]
    outside = _client(url, "eu-north-1", str(bundle))  # not in a creating() block: botocore's own
    assert len(built) == 2 and _context(outside) is built[1] and type(built[1]) is ssl.SSLContext


def test_clients_made_together_that_verify_differently_do_not_share(
    endpoint: tuple[str, Path], built: list[Any]
) -> None:
    url, bundle = endpoint
    trusting, distrusting = _clients_made_in(SharedTlsContexts(), url, [str(bundle), certifi.where()])
    assert len(built) == 2 and _context(trusting) is not _context(distrusting)
    trusting.get_caller_identity()
    with pytest.raises(SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        distrusting.get_caller_identity()


def test_another_context_factory_is_left_alone_and_clients_share_afterwards(
    endpoint: tuple[str, Path], loads: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, bundle = endpoint
    monkeypatch.setattr(
        botocore.httpsession.URLLib3Session,
        "_get_ssl_context",
        lambda self: botocore.httpsession.create_urllib3_context(),
    )
    contexts = SharedTlsContexts()
    with contexts.creating():
        clients = [_client(url, region, str(bundle)) for region in ("us-east-1", "eu-west-1")]
    assert _context(clients[0]) is not _context(clients[1])
    assert all(contexts.share(client) for client in clients)
    assert _context(clients[0]) is _context(clients[1])
    for client in clients:
        client.get_caller_identity()
    assert loads == [str(bundle)]


def test_shared_clients_verify_and_read_the_bundle_once(endpoint: tuple[str, Path], loads: list[Any]) -> None:
    url, bundle = endpoint
    contexts = SharedTlsContexts()
    clients = [_client(url, region, str(bundle)) for region in ("us-east-1", "eu-west-1", "eu-west-2")]
    assert all(contexts.share(client) for client in clients)
    for client in clients * 2:
        assert client.get_caller_identity()["Account"] == "123456789012"
    assert loads == [str(bundle)]
    pool_contexts = {id(c._endpoint.http_session._manager.connection_pool_kw["ssl_context"]) for c in clients}
    assert len(pool_contexts) == 1


def test_unshared_clients_read_it_for_every_connection(endpoint: tuple[str, Path], loads: list[Any]) -> None:
    url, bundle = endpoint
    client = _client(url, "us-east-1", str(bundle))
    for _ in range(3):
        client.get_caller_identity()
    assert loads == [str(bundle)] * 3


def test_a_bundle_without_the_servers_certificate_is_still_refused(endpoint: tuple[str, Path]) -> None:
    url, bundle = endpoint
    contexts = SharedTlsContexts()
    trusting, distrusting = _client(url, "us-east-1", str(bundle)), _client(url, "eu-west-1", certifi.where())
    assert contexts.share(trusting) and contexts.share(distrusting)
    trusting.get_caller_identity()
    shared = trusting._endpoint.http_session._manager.connection_pool_kw["ssl_context"]
    assert distrusting._endpoint.http_session._manager.connection_pool_kw["ssl_context"] is not shared
    for _ in range(2):
        with pytest.raises(SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            distrusting.get_caller_identity()


def test_a_changed_bundle_file_is_read_again(tmp_path: Path, loads: list[Any]) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes())
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.__class__ = tls._CertificatesReadOnce
    context.load_verify_locations(str(bundle))
    context.load_verify_locations(str(bundle))
    bundle.write_bytes(Path(certifi.where()).read_bytes() + b"\n")
    context.load_verify_locations(str(bundle))
    bundle.unlink()
    with pytest.raises(FileNotFoundError):
        context.load_verify_locations(str(bundle))
    assert loads == [str(bundle)] * 3


def test_other_settings_or_sessions_are_left_to_botocore(endpoint: tuple[str, Path]) -> None:
    url, bundle = endpoint
    contexts = SharedTlsContexts()
    first, second = _client(url, "us-east-1", str(bundle)), _client(url, "eu-west-1", str(bundle))
    _context(second).minimum_version = ssl.TLSVersion.TLSv1_3
    assert contexts.share(first) and contexts.share(second)
    assert _context(first) is not _context(second)

    used = _client(url, "eu-west-2", str(bundle))
    used.get_caller_identity()  # a pool exists: its connections keep the context they have
    assert not contexts.share(used)
    other_http = _client(url, "eu-west-3", str(bundle))
    other_http._endpoint.http_session = object()
    assert not contexts.share(other_http)


def _context(client: Any) -> Any:
    return client._endpoint.http_session._manager.connection_pool_kw["ssl_context"]
