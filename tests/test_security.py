"""Credentials for a real cluster: SASL (PLAIN, SCRAM-SHA-256/512) against a real broker, TLS settings, secrets.

The integration tests start their own broker with a SASL_PLAINTEXT listener next to the
PLAINTEXT one (the JAAS config names the PLAIN user; SCRAM users are added with Kafka's own
ConfigCommand) and run the real worker on it.
"""

from __future__ import annotations

import asyncio
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest

from stream.app import broker_credentials, create_app
from stream.client import check_broker_access, client_config, produce_lines
from stream.devtools import kafka_local
from stream.errors import BrokerAccessError
from stream.settings import Settings
from tests.conftest import SHARED_EVAL, free_port
from tests.optional_tools import require_file, require_tool, requires_tool
from tests.worker_process import collect, running_worker, stop_worker, worker_env

USER = "meetwire"
PASSWORD = "s3cret-Pa55-7f1c"  # noqa: S105 - a test broker's; distinctive, so a leak into a log is found
WRONG_PASSWORD = "wrong-Pa55-9d2e"  # noqa: S105 - deliberately wrong
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
BROKER_START_TIMEOUT_S = 120.0
SCRAM_SETUP_TIMEOUT_S = 120.0
RESULT_TIMEOUT_S = 90.0
OPENSSL_TIMEOUT_S = 60.0
FAIL_FAST_TIMEOUT_S = 60.0

requires_java = requires_tool("java")


@dataclass(frozen=True)
class SaslBroker:
    plaintext: str
    """``host:port`` of the PLAINTEXT listener (administration only)."""
    sasl: str
    """``host:port`` of the SASL_PLAINTEXT listener."""


def sasl_listener_config() -> dict[str, str]:
    plain_jaas = f'org.apache.kafka.common.security.plain.PlainLoginModule required user_{USER}="{PASSWORD}";'
    scram_jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    return {
        "sasl.enabled.mechanisms": ",".join(MECHANISMS),
        "listener.name.sasl_plaintext.plain.sasl.jaas.config": plain_jaas,
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config": scram_jaas,
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": scram_jaas,
    }


def _add_scram_user(bootstrap: str, mechanism: str) -> None:
    libs = kafka_local.ensure_jars(kafka_local.default_cache_dir())
    command = ["java", "-cp", f"{libs}/*", "kafka.admin.ConfigCommand", "--bootstrap-server", bootstrap]
    command += ["--alter", "--add-config", f"{mechanism}=[password={PASSWORD}]"]
    command += ["--entity-type", "users", "--entity-name", USER]
    done = subprocess.run(command, capture_output=True, text=True, timeout=SCRAM_SETUP_TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SaslBroker]:
    data_dir = tmp_path_factory.mktemp("kafka-sasl")
    sasl_port = free_port()
    broker = kafka_local.start(
        data_dir=data_dir,
        timeout_s=BROKER_START_TIMEOUT_S,
        extra_listener_config=sasl_listener_config(),
        extra_listeners={"SASL_PLAINTEXT": sasl_port},
    )
    try:
        for mechanism in MECHANISMS[1:]:
            _add_scram_user(broker.bootstrap, mechanism)
        yield SaslBroker(plaintext=broker.bootstrap, sasl=f"127.0.0.1:{sasl_port}")
    finally:
        kafka_local.stop(data_dir)


def _sasl_env(broker: SaslBroker, unique: str, mechanism: str, password: str) -> dict[str, str]:
    return worker_env(
        broker.sasl,
        unique,
        free_port(),
        MEETWIRE_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        MEETWIRE_SASL_MECHANISM=mechanism,
        MEETWIRE_SASL_USERNAME=USER,
        MEETWIRE_SASL_PASSWORD=password,
    )


def _seed_line() -> bytes:
    item = orjson.loads(SHARED_EVAL.read_bytes().splitlines()[0])
    return orjson.dumps({k: item[k] for k in ("id", "text", "language", "published_at")})


# -- settings, no broker ------------------------------------------------------------------


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_security_sasl_settings_reach_faust_and_aiokafka(mechanism: str) -> None:
    env = {"MEETWIRE_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "MEETWIRE_SASL_MECHANISM": mechanism}
    settings = Settings.from_env({**env, "MEETWIRE_SASL_USERNAME": USER, "MEETWIRE_SASL_PASSWORD": PASSWORD})

    config = client_config(settings)
    assert (config["security_protocol"], config["sasl_mechanism"]) == ("SASL_PLAINTEXT", mechanism)
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == (USER, PASSWORD)
    credentials = create_app(settings).conf.broker_credentials
    assert credentials.mechanism.value == mechanism
    assert (credentials.username, credentials.password) == (USER, PASSWORD)
    assert PASSWORD not in repr(settings) + repr(credentials) + str(credentials)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A throw-away CA, a broker certificate for 127.0.0.1 and a client certificate, all signed by it."""
    require_tool("openssl")
    d = tmp_path_factory.mktemp("tls")

    def openssl(command: str) -> None:  # file names are relative to d, so no argument has a space
        subprocess.run(["openssl", *command.split()], cwd=d, capture_output=True, check=True, timeout=OPENSSL_TIMEOUT_S)

    openssl("req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name, extra in (("server", "-extfile san.ext"), ("client", "")):
        openssl(f"req -newkey rsa:2048 -nodes -keyout {name}.key -out {name}.csr -subj /CN={name}")
        openssl(f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out {name}.pem {extra}")
    # A PEM keystore for the broker: its private key followed by its certificate.
    (d / "server-keystore.pem").write_text((d / "server.key").read_text() + (d / "server.pem").read_text())
    return {
        "ca": d / "ca.pem",
        "cert": d / "client.pem",
        "key": d / "client.key",
        "keystore": d / "server-keystore.pem",
    }


@pytest.mark.parametrize("protocol", ["SSL", "SASL_SSL"])
def test_security_tls_files_build_the_ssl_context(tls_files: dict[str, Path], protocol: str) -> None:
    env = {
        "MEETWIRE_SECURITY_PROTOCOL": protocol,
        "MEETWIRE_SSL_CAFILE": str(tls_files["ca"]),
        "MEETWIRE_SSL_CERTFILE": str(tls_files["cert"]),
        "MEETWIRE_SSL_KEYFILE": str(tls_files["key"]),
        "MEETWIRE_SASL_USERNAME": USER,
        "MEETWIRE_SASL_PASSWORD": PASSWORD,
    }
    settings = Settings.from_env(env)

    context = client_config(settings)["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    ca_subjects = [c["subject"] for c in context.get_ca_certs()]
    assert len(ca_subjects) == 1
    credentials = broker_credentials(settings)
    faust_context = credentials.ssl_context if protocol == "SASL_SSL" else credentials.context
    assert [c["subject"] for c in faust_context.get_ca_certs()] == ca_subjects


@pytest.mark.parametrize("missing", ["MEETWIRE_SSL_CAFILE", "MEETWIRE_SSL_CERTFILE", "MEETWIRE_SSL_KEYFILE"])
def test_security_missing_tls_file_is_a_settings_error(tls_files: dict[str, Path], missing: str) -> None:
    env = {
        "MEETWIRE_SECURITY_PROTOCOL": "SSL",
        "MEETWIRE_SSL_CAFILE": str(tls_files["ca"]),
        "MEETWIRE_SSL_CERTFILE": str(tls_files["cert"]),
        "MEETWIRE_SSL_KEYFILE": str(tls_files["key"]),
        missing: "/nonexistent/file.pem",
    }
    with pytest.raises(ValueError, match=missing):
        Settings.from_env(env)


@pytest.mark.parametrize(("host", "expected"), [(None, "127.0.0.1"), ("0.0.0.0", "0.0.0.0")])  # noqa: S104
def test_security_metrics_bind_address_is_a_setting(host: str | None, expected: str) -> None:
    settings = Settings.from_env({} if host is None else {"MEETWIRE_WEB_HOST": host})
    assert create_app(settings).conf.web_bind == expected


@pytest.mark.parametrize("sasl_port", [9094])
def test_security_sasl_listener_is_added_next_to_plaintext(tmp_path: Path, sasl_port: int) -> None:
    props = kafka_local.broker_properties(
        host="127.0.0.1",
        port=9092,
        controller_port=9093,
        log_dir=tmp_path,
        extra=sasl_listener_config(),
        extra_listeners={"SASL_PLAINTEXT": sasl_port},
    )
    assert props["listeners"].split(",") == [
        "PLAINTEXT://127.0.0.1:9092",
        "CONTROLLER://127.0.0.1:9093",
        f"SASL_PLAINTEXT://127.0.0.1:{sasl_port}",
    ]
    assert props["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:{sasl_port}"
    assert "SASL_PLAINTEXT:SASL_PLAINTEXT" in props["listener.security.protocol.map"].split(",")
    assert props["inter.broker.listener.name"] == "PLAINTEXT"
    assert f'user_{USER}="{PASSWORD}"' in props["listener.name.sasl_plaintext.plain.sasl.jaas.config"]


@pytest.mark.parametrize("timeout_s", [2.0])
def test_security_unreachable_broker_is_not_an_access_error(timeout_s: float) -> None:
    """Nobody listening: the worker should start and retry (a broker may be restarting), not exit 78."""
    settings = Settings.from_env({"MEETWIRE_BROKER": f"127.0.0.1:{free_port()}"})
    started = time.monotonic()
    assert asyncio.run(check_broker_access(settings, timeout_s=timeout_s)) is False
    assert time.monotonic() - started < timeout_s + 1.0


# -- the real broker ----------------------------------------------------------------------


@pytest.mark.integration
@requires_java
@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_security_worker_works_over_sasl(sasl_broker: SaslBroker, unique: str, tmp_path: Path, mechanism: str) -> None:
    env = _sasl_env(sasl_broker, unique, mechanism, PASSWORD)
    settings = Settings.from_env(env)
    assert asyncio.run(check_broker_access(settings)) is True
    log_path = tmp_path / "worker.log"
    with running_worker(env, log_path) as worker:
        asyncio.run(produce_lines(settings, settings.topic_raw, [_seed_line()]))
        events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
        assert events, worker.log_tail()
        assert stop_worker(worker, signal.SIGTERM) == 0

    assert events[0]["item_id"] == "antara-seed-0001"
    assert PASSWORD not in log_path.read_text(errors="replace")


@pytest.mark.integration
@requires_java
@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-512"])
def test_security_wrong_password_fails_fast(
    sasl_broker: SaslBroker, unique: str, tmp_path: Path, mechanism: str
) -> None:
    env = _sasl_env(sasl_broker, unique, mechanism, WRONG_PASSWORD)
    settings = Settings.from_env(env)
    with pytest.raises(BrokerAccessError, match="MEETWIRE_SASL_PASSWORD"):
        asyncio.run(check_broker_access(settings))

    log_path = tmp_path / "worker.log"
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="worker exited with 78") as failure, running_worker(env, log_path):
        pytest.fail("the worker started with a wrong password")
    assert time.monotonic() - started < FAIL_FAST_TIMEOUT_S
    assert f"rejected SASL_PLAINTEXT {mechanism} login as '{USER}'" in str(failure.value)
    log_text = log_path.read_text(errors="replace")
    assert WRONG_PASSWORD not in log_text and PASSWORD not in log_text


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory, tls_files: dict[str, Path]) -> Iterator[str]:
    """``host:port`` of an SSL listener that also requires a client certificate signed by the test CA."""
    data_dir = tmp_path_factory.mktemp("kafka-tls")
    ssl_port = free_port()
    kafka_local.start(
        data_dir=data_dir,
        timeout_s=BROKER_START_TIMEOUT_S,
        extra_listener_config={
            "listener.name.ssl.ssl.keystore.type": "PEM",
            "listener.name.ssl.ssl.keystore.location": str(tls_files["keystore"]),
            "listener.name.ssl.ssl.truststore.type": "PEM",
            "listener.name.ssl.ssl.truststore.location": str(tls_files["ca"]),
            "listener.name.ssl.ssl.client.auth": "required",
        },
        extra_listeners={"SSL": ssl_port},
    )
    try:
        yield f"127.0.0.1:{ssl_port}"
    finally:
        kafka_local.stop(data_dir)


def _tls_env(bootstrap: str, unique: str, tls_files: dict[str, Path], cafile: Path) -> dict[str, str]:
    return worker_env(
        bootstrap,
        unique,
        free_port(),
        MEETWIRE_SECURITY_PROTOCOL="SSL",
        MEETWIRE_SSL_CAFILE=str(cafile),
        MEETWIRE_SSL_CERTFILE=str(tls_files["cert"]),
        MEETWIRE_SSL_KEYFILE=str(tls_files["key"]),
    )


@pytest.mark.integration
@requires_java
@pytest.mark.parametrize("bad", [b"{not json"])
def test_security_worker_works_over_mutual_tls(
    tls_broker: str, tls_files: dict[str, Path], unique: str, tmp_path: Path, bad: bytes
) -> None:
    env = _tls_env(tls_broker, unique, tls_files, tls_files["ca"])
    settings = Settings.from_env(env)
    assert asyncio.run(check_broker_access(settings)) is True
    with running_worker(env, tmp_path / "worker.log") as worker:
        asyncio.run(produce_lines(settings, settings.topic_raw, [_seed_line(), bad]))
        events = collect(settings, settings.topic_events, until=1, timeout_s=RESULT_TIMEOUT_S)
        letters = collect(settings, settings.topic_deadletter, until=1, timeout_s=RESULT_TIMEOUT_S)
        assert events and letters, worker.log_tail()
    assert events[0]["item_id"] == "antara-seed-0001"
    assert letters[0]["reason"] == "invalid_json"


@pytest.mark.integration
@requires_java
@pytest.mark.parametrize("wrong_ca", ["/etc/ssl/certs/ca-certificates.crt"])
def test_security_untrusted_broker_certificate_fails_fast(
    tls_broker: str, tls_files: dict[str, Path], unique: str, tmp_path: Path, wrong_ca: str
) -> None:
    require_file(Path(wrong_ca), "ca-certificates")
    env = _tls_env(tls_broker, unique, tls_files, Path(wrong_ca))
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="worker exited with 78") as failure, running_worker(env, tmp_path / "w.log"):
        pytest.fail("the worker started although it cannot trust the broker")
    assert time.monotonic() - started < FAIL_FAST_TIMEOUT_S
    assert "TLS handshake with Kafka" in str(failure.value) and "CERTIFICATE_VERIFY_FAILED" in str(failure.value)
