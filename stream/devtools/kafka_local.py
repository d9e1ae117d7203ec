"""Run a real Apache Kafka broker (KRaft) on loopback for tests, or a cluster of them.

The broker jars come from Maven Central through the throw-away project in
``deploy/kafka/pom.xml`` and are cached (by default in ``<repo>/.cache/kafka``)
so only the first start needs Maven and the network. Each broker lives in its
own ``data_dir`` holding its config, logs, pid file and KRaft storage::

    broker = start(data_dir=tmp / "kafka")   # blocks until metadata works
    ...                                       # use broker.bootstrap
    stop(tmp / "kafka")                       # data is kept; start() again
                                              # reuses storage and ports

The broker runs detached (own session) so it survives the calling process;
always pair ``start`` with ``stop``. Failures raise ``KafkaLocalError``
subclasses whose messages say what to do; nothing is printed.

A cluster (``start_cluster(brokers=3, data_dir=...)``) is that many combined
broker+controller nodes, each in ``<data_dir>/node-<id>`` laid out like a single
broker's ``data_dir``, voting in one static KRaft quorum; topics are replicated to
three nodes (fewer in a smaller cluster) with ``min.insync.replicas`` 2, so one node
can stop without losing an acknowledged record or refusing ``acks=all`` sends.
``stop_node``/``start_node`` stop and bring back one node; ``stop_cluster`` all.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import fcntl
import functools
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

__all__ = [
    "Broker",
    "BrokerAlreadyRunningError",
    "BrokerStartError",
    "BrokerStartTimeoutError",
    "BrokerStopError",
    "Cluster",
    "DataDirError",
    "JarResolutionError",
    "JavaNotFoundError",
    "KafkaLocalError",
    "MavenNotFoundError",
    "PortInUseError",
    "address",
    "broker_properties",
    "cluster_address",
    "cluster_status",
    "default_cache_dir",
    "ensure_jars",
    "is_cluster",
    "node_dir",
    "restart",
    "start",
    "start_cluster",
    "start_node",
    "status",
    "stop",
    "stop_cluster",
    "stop_node",
]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

REPO_ROOT = Path(__file__).resolve().parents[2]
POM_PATH = REPO_ROOT / "deploy" / "kafka" / "pom.xml"

# Maven version ranges: newest 4.0.x first, 3.9.x only if 4.0 cannot be resolved.
KAFKA_VERSION_RANGES = ("[4.0.0,4.1.0)", "[3.9.0,3.10.0)")
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

MVN_TIMEOUT_S = 900.0
FORMAT_TIMEOUT_S = 120.0
PROBE_TIMEOUT_S = 10.0
POLL_INTERVAL_S = 0.25
KILL_WAIT_S = 10.0
LOG_TAIL_LINES = 40

JVM_HEAP_ARGS = ("-Xms256m", "-Xmx512m")

# Files inside a broker's data_dir.
SERVER_PROPERTIES = "server.properties"
LOG4J2_PROPERTIES = "log4j2.properties"
STATE_FILE = "broker.json"
CLUSTER_FILE = "cluster.json"
"""In a cluster's ``data_dir``: ports and cluster id of every node, fixed when first formatted."""
NODE_DIR_PREFIX = "node-"
MAX_REPLICATION_FACTOR = 3
"""Replicas per partition in a cluster: Kafka's default, and the most one loopback machine needs."""
PID_FILE = "kafka.pid"
BOOTSTRAP_FILE = "bootstrap"
CONSOLE_LOG = "kafka.out"
LOGS_DIR = "logs"
STORAGE_DIR = "kafka-data"

# Files inside the jar cache.
LIBS_DIR = "libs"
LIBS_MARKER = ".complete.json"

_DEP_LINE = re.compile(r"^\s*([\w.\-]+):([\w.\-]+):jar:([^:\s]+):(\w+)", re.MULTILINE)


class KafkaLocalError(Exception):
    """Base class for every error raised by this module."""


class JavaNotFoundError(KafkaLocalError):
    """No ``java`` executable on PATH."""


class MavenNotFoundError(KafkaLocalError):
    """The jar cache is empty and no ``mvn`` executable is on PATH."""


class JarResolutionError(KafkaLocalError):
    """Maven could not resolve or copy the Kafka jars."""


class PortInUseError(KafkaLocalError):
    """A port the broker needs is already bound by another process."""


class DataDirError(KafkaLocalError):
    """The data_dir is inconsistent with the requested start."""


class BrokerAlreadyRunningError(KafkaLocalError):
    """A broker from this data_dir is already running."""


class BrokerStartError(KafkaLocalError):
    """Formatting storage or starting the broker failed."""


class BrokerStartTimeoutError(BrokerStartError):
    """The broker did not answer a metadata request in time."""


class BrokerStopError(KafkaLocalError):
    """The broker process survived SIGKILL."""


@dataclass(frozen=True)
class Broker:
    """A running local broker started by :func:`start`."""

    bootstrap: str
    """``host:port`` of the PLAINTEXT listener, for ``bootstrap_servers``."""
    pid: int
    """Process id of the broker JVM (also its session / process group id)."""
    data_dir: Path
    """Directory holding config, logs, pid file and KRaft storage."""
    port: int
    """PLAINTEXT listener port."""


@dataclass(frozen=True)
class Cluster:
    """A running local cluster started by :func:`start_cluster`."""

    bootstrap: str
    """Every node's ``host:port``, comma-separated, for ``bootstrap_servers``."""
    nodes: tuple[Broker, ...]
    """The nodes, by node id (1, 2, ...); each ``Broker.data_dir`` is the node's directory."""
    data_dir: Path
    """Directory holding ``cluster.json`` and one ``node-<id>`` directory per node."""


@dataclass(frozen=True)
class _State:
    """Settings fixed when storage was formatted, reused on every restart."""

    host: str
    port: int
    controller_port: int
    cluster_id: str
    kafka_version: str

    @classmethod
    def load(cls, data_dir: Path) -> _State | None:
        path = data_dir / STATE_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                host=str(raw["host"]),
                port=int(raw["port"]),
                controller_port=int(raw["controller_port"]),
                cluster_id=str(raw["cluster_id"]),
                kafka_version=str(raw["kafka_version"]),
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise DataDirError(f"{path} is corrupt ({exc}); delete {data_dir}") from exc

    def save(self, data_dir: Path) -> None:
        _write_atomic(data_dir / STATE_FILE, json.dumps(dataclasses.asdict(self), indent=2) + "\n")


@dataclass(frozen=True)
class _ClusterState:
    """A cluster's settings, fixed when its nodes were formatted, reused on every start."""

    host: str
    ports: tuple[int, ...]
    """PLAINTEXT port of node id ``i + 1`` at index ``i``."""
    controller_ports: tuple[int, ...]
    cluster_id: str
    kafka_version: str

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{self.host}:{port}" for port in self.ports)

    @property
    def voters(self) -> dict[int, int]:
        """Controller port by node id."""
        return {i + 1: port for i, port in enumerate(self.controller_ports)}

    def node(self, node_id: int) -> _State:
        """The node's own state, as a single broker's ``broker.json`` holds it."""
        return _State(
            host=self.host,
            port=self.ports[node_id - 1],
            controller_port=self.controller_ports[node_id - 1],
            cluster_id=self.cluster_id,
            kafka_version=self.kafka_version,
        )

    @classmethod
    def load(cls, data_dir: Path) -> _ClusterState | None:
        path = data_dir / CLUSTER_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            state = cls(
                host=str(raw["host"]),
                ports=tuple(int(p) for p in raw["ports"]),
                controller_ports=tuple(int(p) for p in raw["controller_ports"]),
                cluster_id=str(raw["cluster_id"]),
                kafka_version=str(raw["kafka_version"]),
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise DataDirError(f"{path} is corrupt ({exc}); delete {data_dir}") from exc
        if len(state.ports) != len(state.controller_ports) or len(state.ports) < 2:
            raise DataDirError(f"{path} is corrupt (ports do not pair up); delete {data_dir}")
        return state

    def save(self, data_dir: Path) -> None:
        _write_atomic(data_dir / CLUSTER_FILE, json.dumps(dataclasses.asdict(self), indent=2) + "\n")


# Popen handles of brokers started by this process, so stop() can reap them
# (no zombies) and Python does not warn about still-running children.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


# --------------------------------------------------------------------------- jars


def default_cache_dir() -> Path:
    """Jar cache used when ``cache_dir`` is not given: ``<repo>/.cache/kafka``."""
    return REPO_ROOT / ".cache" / "kafka"


def ensure_jars(cache_dir: Path) -> Path:
    """Return ``<cache_dir>/libs`` holding the broker classpath, resolving it once.

    A marker written after a complete copy makes later calls offline no-ops.
    """
    libs = cache_dir / LIBS_DIR
    if _cached_version(libs) is not None:
        return libs
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Parallel test sessions sharing one cache must not run mvn into one dir.
    with _file_lock(cache_dir / ".lock"):
        if _cached_version(libs) is not None:
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise MavenNotFoundError(
                f"Maven ('mvn') is needed once to download the Kafka jars into "
                f"{libs}; install Maven (and Java 17+) or copy a populated cache there"
            )
        if not POM_PATH.is_file():
            raise JarResolutionError(f"missing {POM_PATH}")
        _resolve_jars(mvn, cache_dir, libs)
    return libs


def _cached_version(libs: Path) -> str | None:
    """Kafka version of a complete jar cache, or None if it must be (re)built."""
    try:
        marker = json.loads((libs / LIBS_MARKER).read_text(encoding="utf-8"))
        jars = [libs / name for name in marker["jars"]]
        version = str(marker["kafka_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return version if jars and all(jar.is_file() for jar in jars) else None


def _resolve_jars(mvn: str, cache_dir: Path, libs: Path) -> None:
    failures: list[str] = []
    for version_range in KAFKA_VERSION_RANGES:
        try:
            deps = _mvn_list(mvn, cache_dir, version_range)
            break
        except JarResolutionError as exc:
            failures.append(str(exc))
    else:
        raise JarResolutionError("\n\n".join(failures))

    kafka_version = deps.get("org.apache.kafka:kafka_2.13")
    slf4j_version = deps.get("org.slf4j:slf4j-api")
    if kafka_version is None or slf4j_version is None:
        raise JarResolutionError(f"kafka_2.13 or slf4j-api missing from {sorted(deps)}")
    # The log4j2 binding must match the slf4j-api major Kafka ships with.
    binding = "1" if slf4j_version.startswith("1.") else "2"

    partial = cache_dir / f"{LIBS_DIR}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    _run_mvn(
        mvn,
        cache_dir,
        "copy-dependencies",
        f"-Dkafka.version={kafka_version}",  # pin what step one resolved
        f"-Dslf4j.binding={binding}",
        f"-DoutputDirectory={partial}",
    )
    jars = sorted(p.name for p in partial.glob("*.jar"))
    needed = (f"kafka_2.13-{kafka_version}.jar", "log4j-core-", "log4j-slf4j")
    missing = [n for n in needed if not any(j.startswith(n) for j in jars)]
    if missing:
        raise JarResolutionError(f"mvn copied no jar matching {missing} into {partial}")
    marker = {
        "kafka_version": kafka_version,
        "slf4j_api": slf4j_version,
        "jars": jars,
        "resolved_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }
    _write_atomic(partial / LIBS_MARKER, json.dumps(marker, indent=2) + "\n")
    shutil.rmtree(libs, ignore_errors=True)
    partial.rename(libs)
    logger.info("cached Kafka %s jars in %s", kafka_version, libs)


def _mvn_list(mvn: str, cache_dir: Path, version_range: str) -> dict[str, str]:
    """Resolve the runtime graph once to learn the Kafka and slf4j-api versions."""
    out = cache_dir / "dependencies.txt"
    out.unlink(missing_ok=True)
    _run_mvn(
        mvn,
        cache_dir,
        "list",
        f"-Dkafka.version={version_range}",
        f"-DoutputFile={out}",
    )
    text = out.read_text(encoding="utf-8")
    return {f"{g}:{a}": v for g, a, v, _scope in _DEP_LINE.findall(text)}


def _run_mvn(mvn: str, cache_dir: Path, goal: str, *args: str) -> None:
    cmd = [
        mvn,
        "-B",
        "-q",
        "-Dstyle.color=never",
        "-f",
        str(POM_PATH),
        f"{DEPENDENCY_PLUGIN}:{goal}",
        "-DincludeScope=runtime",
        f"-Dkafka.build.dir={cache_dir / 'build'}",
        *args,
    ]
    _run_tool(cmd, what=f"mvn {goal}", error=JarResolutionError, timeout_s=MVN_TIMEOUT_S, cwd=cache_dir)


# ---------------------------------------------------------------------- config


def broker_properties(
    *,
    host: str,
    port: int,
    controller_port: int,
    log_dir: Path,
    node_id: int = 1,
    voters: Mapping[int, int] | None = None,
    extra: Mapping[str, str] | None = None,
    extra_listeners: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """Return ``server.properties`` for a combined broker+controller node.

    ``voters`` (controller port by node id, all on ``host``) makes the node one of a
    cluster's: the quorum is those nodes, and topics, consumer offsets and transaction
    state are replicated to up to three of them with two in sync. Without it the node
    is a cluster of its own (replication factor 1).

    ``extra_listeners`` adds client listeners next to PLAINTEXT, by name and port; a
    name is also its security protocol (``{"SASL_PLAINTEXT": 9094}``). ``extra`` is
    merged last, so it can configure them (``sasl.enabled.mechanisms``, JAAS) or
    override any default.
    """
    quorum = dict(voters) if voters else {node_id: controller_port}
    replicas = min(len(quorum), MAX_REPLICATION_FACTOR)
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        # Static quorum: storage is formatted without --standalone.
        "controller.quorum.voters": ",".join(f"{n}@{host}:{p}" for n, p in sorted(quorum.items())),
        "controller.listener.names": "CONTROLLER",
        "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.partitions": "1",
        "auto.create.topics.enable": "true",
        # A single node cannot satisfy the default replication factor of 3.
        "offsets.topic.replication.factor": str(replicas),
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": str(max(1, replicas - 1)),
        # Tests want consumer groups to form immediately.
        "group.initial.rebalance.delay.ms": "0",
        # The 128 MiB default is wasted heap for test-sized compacted topics.
        "log.cleaner.dedupe.buffer.size": "2097152",
        # Kafka 4.0 (fixed in 4.1 by KAFKA-19130) refuses a restarted combined
        # node's re-registration until the old broker session expires: 9 s
        # by default. Shorter sessions make restarts (fault tests) faster.
        "broker.session.timeout.ms": "4000",
        "broker.heartbeat.interval.ms": "1000",
    }
    if replicas > 1:
        # Topics created without a replication factor (auto-created, or -1) get every
        # replica; acks=all then needs two in sync, so one node may be down.
        props["default.replication.factor"] = str(replicas)
        props["min.insync.replicas"] = str(replicas - 1)
    for name, listener_port in (extra_listeners or {}).items():
        props["listeners"] += f",{name}://{host}:{listener_port}"
        props["advertised.listeners"] += f",{name}://{host}:{listener_port}"
        props["listener.security.protocol.map"] += f",{name}:{name}"
    if extra:
        props.update({str(k): str(v) for k, v in extra.items()})
    return props


def _log4j2_properties(logs_dir: Path) -> dict[str, str]:
    """log4j2 config: everything to a rolling file, nothing to the console."""
    log_file = logs_dir / "server.log"
    return {
        "status": "warn",
        # Kafka logs its own shutdown; log4j's hook would close the file first.
        "shutdownHook": "disable",
        "name": "meetwire-kafka-local",
        "appender.file.type": "RollingFile",
        "appender.file.name": "file",
        "appender.file.fileName": str(log_file),
        "appender.file.filePattern": f"{log_file}.%i",
        "appender.file.layout.type": "PatternLayout",
        "appender.file.layout.pattern": "[%d] %p %m (%c)%n",
        "appender.file.policies.type": "Policies",
        "appender.file.policies.size.type": "SizeBasedTriggeringPolicy",
        "appender.file.policies.size.size": "20MB",
        "appender.file.strategy.type": "DefaultRolloverStrategy",
        "appender.file.strategy.max": "3",
        "rootLogger.level": "INFO",
        "rootLogger.appenderRef.file.ref": "file",
        # Per-request logging is noise at INFO.
        "logger.request.name": "kafka.request.logger",
        "logger.request.level": "WARN",
    }


def _format_properties(props: Mapping[str, str]) -> str:
    """Serialise for java.util.Properties.load (ISO-8859-1, backslash escapes)."""

    def esc(text: str, *, key: bool) -> str:
        out = []
        for i, ch in enumerate(text):
            if ch == "\\":
                out.append("\\\\")
            elif ch in "\n\r\t\f":
                out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}[ch])
            elif (key and ch in " =:#!") or (ch == " " and i == 0):
                out.append("\\" + ch)
            elif ord(ch) > 0x7E:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return "".join(out)

    lines = ["# Generated by stream/devtools/kafka_local.py; rewritten on every start."]
    lines += [f"{esc(k, key=True)}={esc(v, key=False)}" for k, v in props.items()]
    return "\n".join(lines) + "\n"


def _random_cluster_id() -> str:
    """Kafka-style Uuid: 16 random bytes, base64url without padding (22 chars)."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        # Kafka's own generator rejects a leading '-' (it reads as a CLI flag).
        if not cid.startswith("-"):
            return cid


# ----------------------------------------------------------------------- ports


def _free_port(host: str, exclude: int | None = None) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port != exclude:
            return port


def _check_port_free(host: str, port: int, role: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the JVM's server sockets, so TIME_WAIT leftovers of a previous
        # broker on this port do not count as "taken".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise PortInUseError(
                f"{role} port {host}:{port} is already in use ({exc.strerror}); "
                f"stop whatever holds it or pick another port"
            ) from exc


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------- process


def start(
    *,
    port: int | None = None,
    data_dir: Path,
    cache_dir: Path | None = None,
    host: str = "127.0.0.1",
    timeout_s: float = 90,
    extra_listener_config: Mapping[str, str] | None = None,
    extra_listeners: Mapping[str, int] | None = None,
) -> Broker:
    """Start a broker in ``data_dir`` and block until it serves metadata.

    A fresh ``data_dir`` is formatted with a new cluster id on free ports
    (``port`` None) or the given PLAINTEXT port. A ``data_dir`` that was
    formatted before is reused as is: same cluster id, same ports, data kept.
    """
    java = _java()
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if is_cluster(data_dir):
        raise DataDirError(f"{data_dir} holds a cluster; use start_cluster() or another data_dir")
    running = status(data_dir)
    if running is not None:
        raise BrokerAlreadyRunningError(
            f"broker pid {running.pid} already runs from {data_dir} on {running.bootstrap}; stop() it first"
        )

    storage = data_dir / STORAGE_DIR
    formatted = (storage / "meta.properties").is_file()
    state = _State.load(data_dir)
    if formatted:
        if state is None:
            raise DataDirError(
                f"{storage} is formatted but {data_dir / STATE_FILE} is missing; "
                f"delete {data_dir} to start from scratch"
            )
        if port is not None and port != state.port:
            raise DataDirError(
                f"{data_dir} was formatted for port {state.port}, not {port}; pass port=None or use a fresh data_dir"
            )
        if host != state.host:
            raise DataDirError(f"{data_dir} was formatted for host {state.host}, not {host}")
        _check_port_free(host, state.port, "PLAINTEXT")
        _check_port_free(host, state.controller_port, "CONTROLLER")
    elif port is not None:
        _check_port_free(host, port, "PLAINTEXT")

    # Ports are checked before this so a clash fails fast, even without jars.
    libs = ensure_jars(cache_dir if cache_dir is not None else default_cache_dir())
    kafka_version = _cached_version(libs) or "unknown"
    if not formatted or state is None:  # state is None only if not formatted
        port = port if port is not None else _free_port(host)
        state = _State(
            host=host,
            port=port,
            controller_port=_free_port(host, exclude=port),
            cluster_id=_random_cluster_id(),
            kafka_version=kafka_version,
        )
        state.save(data_dir)

    props = broker_properties(
        host=host,
        port=state.port,
        controller_port=state.controller_port,
        log_dir=storage,
        extra=extra_listener_config,
        extra_listeners=extra_listeners,
    )
    bootstrap = f"{host}:{state.port}"
    proc = _launch_node(
        java, libs, data_dir, props, bootstrap=bootstrap, cluster_id=state.cluster_id, formatted=formatted
    )
    try:
        _wait_ready(proc, host, state.port, data_dir, timeout_s)
    except BaseException:
        # Never leave a half-started broker behind, whatever interrupted us.
        _abandon(proc, data_dir)
        raise
    logger.info("Kafka %s pid %d ready on %s", kafka_version, proc.pid, bootstrap)
    return Broker(bootstrap=bootstrap, pid=proc.pid, data_dir=data_dir, port=state.port)


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise JavaNotFoundError("'java' not found on PATH; install a Java 17+ runtime")
    return java


def _launch_node(
    java: str,
    libs: Path,
    data_dir: Path,
    props: Mapping[str, str],
    *,
    bootstrap: str,
    cluster_id: str,
    formatted: bool,
) -> subprocess.Popen[bytes]:
    """Write the node's config, format its storage if new, start its JVM and record its pid."""
    server_props = data_dir / SERVER_PROPERTIES
    log4j_props = data_dir / LOG4J2_PROPERTIES
    logs_dir = data_dir / LOGS_DIR
    logs_dir.mkdir(exist_ok=True)
    _write_atomic(server_props, _format_properties(props))
    _write_atomic(log4j_props, _format_properties(_log4j2_properties(logs_dir)))

    jvm_args = [f"-Dlog4j2.configurationFile={log4j_props}", "-cp", f"{libs}/*"]
    if not formatted:
        tool = [java, *jvm_args, "kafka.tools.StorageTool"]
        _format_storage(tool, cluster_id, server_props)

    broker_cmd = [java, *JVM_HEAP_ARGS, *jvm_args, "kafka.Kafka", str(server_props)]
    proc = _launch(broker_cmd, data_dir)
    try:
        _write_atomic(data_dir / PID_FILE, f"{proc.pid}\n")
        _write_atomic(data_dir / BOOTSTRAP_FILE, f"{bootstrap}\n")
    except BaseException:
        _abandon(proc, data_dir)
        raise
    return proc


def _abandon(proc: subprocess.Popen[bytes], data_dir: Path) -> None:
    _kill_now(proc)
    (data_dir / PID_FILE).unlink(missing_ok=True)


def stop(data_dir: Path, timeout_s: float = 30) -> bool:
    """SIGTERM the broker of ``data_dir``, SIGKILL it after ``timeout_s``.

    Returns False if no broker was running from ``data_dir``.
    """
    data_dir = data_dir.resolve()
    pid_file = data_dir / PID_FILE
    pid = _read_pid(pid_file)
    if pid is None or not _is_our_broker(pid, data_dir):
        pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    if not _wait_exit(pid, timeout_s):
        logger.warning("pid %d ignored SIGTERM for %.0fs; killing", pid, timeout_s)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        if not _wait_exit(pid, KILL_WAIT_S):
            raise BrokerStopError(f"broker pid {pid} survived SIGKILL")
    pid_file.unlink(missing_ok=True)
    return True


def address(data_dir: Path) -> str | None:
    """``host:port`` the broker of ``data_dir`` listens on (running or not), None if it holds none."""
    state = _State.load(data_dir.resolve())
    return None if state is None else f"{state.host}:{state.port}"


def status(data_dir: Path) -> Broker | None:
    """Return the broker running from ``data_dir`` (process alive), else None."""
    data_dir = data_dir.resolve()
    pid = _read_pid(data_dir / PID_FILE)
    if pid is None or not _is_our_broker(pid, data_dir):
        return None
    state = _State.load(data_dir)
    if state is None:
        return None
    return Broker(
        bootstrap=f"{state.host}:{state.port}",
        pid=pid,
        data_dir=data_dir,
        port=state.port,
    )


def restart(
    data_dir: Path,
    *,
    cache_dir: Path | None = None,
    timeout_s: float = 90,
    stop_timeout_s: float = 30,
    extra_listener_config: Mapping[str, str] | None = None,
    extra_listeners: Mapping[str, int] | None = None,
) -> Broker:
    """Stop the broker of a formatted ``data_dir`` (if running) and start it again."""
    state = _State.load(data_dir.resolve())
    if state is None:
        raise DataDirError(f"{data_dir} holds no broker; use start()")
    stop(data_dir, timeout_s=stop_timeout_s)
    return start(
        data_dir=data_dir,
        cache_dir=cache_dir,
        host=state.host,
        timeout_s=timeout_s,
        extra_listener_config=extra_listener_config,
        extra_listeners=extra_listeners,
    )


# --------------------------------------------------------------------- cluster


def is_cluster(data_dir: Path) -> bool:
    """True if ``data_dir`` was formatted for a cluster by :func:`start_cluster`."""
    return (data_dir.resolve() / CLUSTER_FILE).is_file()


def node_dir(data_dir: Path, node_id: int) -> Path:
    """The directory of a cluster's node ``node_id`` (1, 2, ...)."""
    return data_dir.resolve() / f"{NODE_DIR_PREFIX}{node_id}"


def start_cluster(
    *,
    brokers: int = 3,
    port: int | None = None,
    data_dir: Path,
    cache_dir: Path | None = None,
    host: str = "127.0.0.1",
    timeout_s: float = 180,
) -> Cluster:
    """Start every node of a ``brokers``-node cluster in ``data_dir`` that is not running, and
    block until each serves metadata listing them all.

    A fresh ``data_dir`` is formatted with a new cluster id on free ports (node 1 on ``port``
    when given). A ``data_dir`` formatted before is reused: same nodes, ports and data.
    """
    java = _java()
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if brokers < 2:
        raise DataDirError(f"a cluster needs at least 2 brokers, not {brokers}; use start() for one")
    if (data_dir / STATE_FILE).is_file():
        raise DataDirError(f"{data_dir} holds a single broker; use start() or another data_dir")
    state = _ClusterState.load(data_dir)
    if state is not None and len(state.ports) != brokers:
        raise DataDirError(f"{data_dir} holds a {len(state.ports)}-node cluster, not {brokers}; use another data_dir")
    if state is not None and port is not None and port != state.ports[0]:
        raise DataDirError(f"{data_dir} was formatted for port {state.ports[0]}, not {port}")
    if state is not None and host != state.host:
        raise DataDirError(f"{data_dir} was formatted for host {state.host}, not {host}")
    if cluster_status(data_dir) is not None:
        raise BrokerAlreadyRunningError(f"the cluster of {data_dir} already runs; stop_cluster() it first")
    if state is None and port is not None:
        _check_port_free(host, port, "PLAINTEXT")

    libs = ensure_jars(cache_dir if cache_dir is not None else default_cache_dir())
    if state is None:
        taken: set[int] = set()
        ports = [_free_port_besides(host, taken, port if i == 0 else None) for i in range(brokers)]
        controller_ports = [_free_port_besides(host, taken) for _ in range(brokers)]
        state = _ClusterState(
            host=host,
            ports=tuple(ports),
            controller_ports=tuple(controller_ports),
            cluster_id=_random_cluster_id(),
            kafka_version=_cached_version(libs) or "unknown",
        )
        state.save(data_dir)

    # All nodes first, then the waits: no node serves metadata before the quorum has a majority.
    launched: list[tuple[int, subprocess.Popen[bytes]]] = []
    try:
        for node_id in range(1, brokers + 1):
            if status(node_dir(data_dir, node_id)) is None:
                launched.append((node_id, _launch_cluster_node(java, libs, data_dir, state, node_id)))
        for node_id, proc in launched:
            _wait_ready(proc, host, state.ports[node_id - 1], node_dir(data_dir, node_id), timeout_s, brokers=brokers)
    except BaseException:
        for node_id, proc in launched:
            _abandon(proc, node_dir(data_dir, node_id))
        raise
    cluster = cluster_status(data_dir)
    if cluster is None:
        raise BrokerStartError(f"a node of {data_dir} exited during startup:\n{_log_tail(data_dir)}")
    logger.info("Kafka %s cluster of %d nodes ready on %s", state.kafka_version, brokers, cluster.bootstrap)
    return cluster


def start_node(data_dir: Path, node_id: int, *, cache_dir: Path | None = None, timeout_s: float = 90) -> Broker:
    """Start one stopped node of a running cluster; block until it serves metadata listing every node."""
    data_dir = data_dir.resolve()
    state = _cluster_state(data_dir)
    directory = node_dir(data_dir, node_id)
    running = status(directory)
    if running is not None:
        raise BrokerAlreadyRunningError(f"node {node_id} (pid {running.pid}) already runs from {directory}")
    _check_port_free(state.host, state.ports[node_id - 1], "PLAINTEXT")
    _check_port_free(state.host, state.controller_ports[node_id - 1], "CONTROLLER")
    libs = ensure_jars(cache_dir if cache_dir is not None else default_cache_dir())
    proc = _launch_cluster_node(_java(), libs, data_dir, state, node_id)
    try:
        _wait_ready(proc, state.host, state.ports[node_id - 1], directory, timeout_s, brokers=len(state.ports))
    except BaseException:
        _abandon(proc, directory)
        raise
    node = status(directory)
    if node is None:
        raise BrokerStartError(f"node {node_id} exited during startup:\n{_log_tail(directory)}")
    return node


def stop_node(data_dir: Path, node_id: int, timeout_s: float = 30) -> bool:
    """SIGTERM one node of a cluster (a controlled shutdown), SIGKILL it after ``timeout_s``.

    Returns False if that node was not running.
    """
    _cluster_state(data_dir.resolve())
    return stop(node_dir(data_dir, node_id), timeout_s=timeout_s)


def stop_cluster(data_dir: Path, timeout_s: float = 30) -> bool:
    """Stop every node of the cluster of ``data_dir``; False if none was running.

    All nodes are told at once: stopped one by one, the last ones would lose the quorum's
    majority in the middle of their controlled shutdown and wait for it until killed.
    """
    data_dir = data_dir.resolve()
    state = _cluster_state(data_dir)
    dirs = [node_dir(data_dir, node_id) for node_id in range(1, len(state.ports) + 1)]
    running = [d for d in dirs if status(d) is not None]
    with ThreadPoolExecutor(max_workers=max(1, len(running))) as pool:
        stopped = list(pool.map(functools.partial(stop, timeout_s=timeout_s), running))
    return any(stopped)


def cluster_status(data_dir: Path) -> Cluster | None:
    """The cluster of ``data_dir`` if every node's process is alive, else None."""
    data_dir = data_dir.resolve()
    state = _ClusterState.load(data_dir)
    if state is None:
        return None
    nodes = [status(node_dir(data_dir, node_id)) for node_id in range(1, len(state.ports) + 1)]
    if any(node is None for node in nodes):
        return None
    return Cluster(bootstrap=state.bootstrap, nodes=tuple(n for n in nodes if n is not None), data_dir=data_dir)


def cluster_address(data_dir: Path) -> str | None:
    """Every node's ``host:port``, comma-separated (running or not); None if ``data_dir`` holds no cluster."""
    state = _ClusterState.load(data_dir.resolve())
    return None if state is None else state.bootstrap


def _cluster_state(data_dir: Path) -> _ClusterState:
    state = _ClusterState.load(data_dir)
    if state is None:
        raise DataDirError(f"{data_dir} holds no cluster; use start_cluster()")
    return state


def _launch_cluster_node(
    java: str, libs: Path, data_dir: Path, state: _ClusterState, node_id: int
) -> subprocess.Popen[bytes]:
    directory = node_dir(data_dir, node_id)
    directory.mkdir(exist_ok=True)
    node = state.node(node_id)
    storage = directory / STORAGE_DIR
    formatted = (storage / "meta.properties").is_file()
    if formatted:
        _check_port_free(node.host, node.port, "PLAINTEXT")
        _check_port_free(node.host, node.controller_port, "CONTROLLER")
    node.save(directory)  # status() and stop() read a node's directory as a single broker's
    props = broker_properties(
        host=node.host,
        port=node.port,
        controller_port=node.controller_port,
        log_dir=storage,
        node_id=node_id,
        voters=state.voters,
    )
    return _launch_node(
        java,
        libs,
        directory,
        props,
        bootstrap=f"{node.host}:{node.port}",
        cluster_id=state.cluster_id,
        formatted=formatted,
    )


def _free_port_besides(host: str, taken: set[int], wanted: int | None = None) -> int:
    """``wanted`` if given, else a free port; never one in ``taken``, to which it is added."""
    port = wanted if wanted is not None else _free_port(host)
    while port in taken:
        port = _free_port(host)
    taken.add(port)
    return port


def _format_storage(tool: list[str], cluster_id: str, server_props: Path) -> None:
    cmd = [*tool, "format", "-t", cluster_id, "-c", str(server_props)]
    _run_tool(cmd, what="kafka-storage format", error=BrokerStartError, timeout_s=FORMAT_TIMEOUT_S)


def _run_tool(
    cmd: list[str], *, what: str, error: type[KafkaLocalError], timeout_s: float, cwd: Path | None = None
) -> None:
    """Run a build or setup tool to completion; ``error`` carries the tail of its output on failure."""
    try:
        # argv built from which(...) and our own paths; no shell.
        proc = subprocess.run(  # noqa: S603
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise error(f"{what} timed out after {timeout_s:.0f}s") from exc
    if proc.returncode != 0:
        raise error(
            f"{what} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            f"{_tail_text(proc.stdout.decode(errors='replace'))}"
        )


def _launch(cmd: list[str], data_dir: Path) -> subprocess.Popen[bytes]:
    console = data_dir / CONSOLE_LOG
    with console.open("ab") as out:
        stamp = datetime.now(tz=UTC).isoformat(timespec="seconds")
        out.write(f"--- {stamp} starting: {' '.join(cmd)}\n".encode())
        out.flush()
        # argv built from which("java") and our own paths; no shell. Own
        # session so Ctrl-C in the caller's terminal does not hit the broker.
        proc = subprocess.Popen(  # noqa: S603
            cmd,
            cwd=data_dir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    return proc


def _wait_ready(
    proc: subprocess.Popen[bytes],
    host: str,
    port: int,
    data_dir: Path,
    timeout_s: float,
    brokers: int = 1,
) -> None:
    """Block until the node at ``host:port`` answers metadata listing ``brokers`` brokers."""
    deadline = time.monotonic() + timeout_s
    last_error = "port not open yet"
    while True:
        code = proc.poll()
        if code is not None:
            raise BrokerStartError(f"Kafka exited with code {code} during startup:\n{_log_tail(data_dir)}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BrokerStartTimeoutError(
                f"Kafka did not serve metadata on {host}:{port} in {timeout_s:.0f}s "
                f"(last error: {last_error}):\n{_log_tail(data_dir)}"
            )
        # Cheap TCP check first: aiokafka logs an ERROR per refused bootstrap.
        if _port_open(host, port):
            try:
                probe = functools.partial(
                    _metadata_ok, f"{host}:{port}", min(remaining, PROBE_TIMEOUT_S), brokers=brokers
                )
                if _run_sync(probe):
                    return
                last_error = f"metadata lists fewer than {brokers} broker(s)"
            except (KafkaError, OSError) as exc:  # TimeoutError is an OSError
                last_error = f"{type(exc).__name__}: {exc}"
        time.sleep(POLL_INTERVAL_S)


async def _metadata_ok(bootstrap: str, timeout_s: float, *, brokers: int = 1) -> bool:
    """True once a real MetadataRequest through ``bootstrap`` lists at least ``brokers`` brokers."""
    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=max(int(timeout_s * 1000), 1000))
    try:
        async with asyncio.timeout(timeout_s):
            await client.bootstrap()
            metadata = await client.fetch_all_metadata()
            return len(metadata.brokers()) >= brokers
    finally:
        await client.close()


def _run_sync(factory: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """asyncio.run, also from inside a running loop (via a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _kill_now(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=KILL_WAIT_S)
    _CHILDREN.pop(proc.pid, None)


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        _CHILDREN.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie still accepts signal 0
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _is_our_broker(pid: int, data_dir: Path) -> bool:
    """Alive and really this data_dir's Kafka, not a recycled pid."""
    if not _alive(pid):
        return False
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return True  # no procfs (macOS): trust the pid file
    config = str(data_dir / SERVER_PROPERTIES).encode()
    return b"kafka.Kafka" in argv and config in argv


def _wait_exit(pid: int, timeout_s: float) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        try:
            child.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        _CHILDREN.pop(pid, None)
        return True
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_INTERVAL_S)
    return True


# ----------------------------------------------------------------------- files


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _tail_text(text: str, lines: int = LOG_TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _tail_file(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            return _tail_text(handle.read().decode(errors="replace"), lines)
    except OSError:
        return ""


def _log_tail(data_dir: Path) -> str:
    parts = []
    for path in (data_dir / CONSOLE_LOG, data_dir / LOGS_DIR / "server.log"):
        tail = _tail_file(path)
        if tail:
            parts.append(f"==> {path} <==\n{tail}")
    return "\n".join(parts) or f"(no logs in {data_dir})"
