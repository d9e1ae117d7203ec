from __future__ import annotations

import pytest

from stream.settings import Settings, SettingsError, settings_table


@pytest.mark.parametrize(
    ("env", "attr", "expected"),
    [
        ({}, "topic_raw", "wire.raw"),
        ({"MEETWIRE_WEB_PORT": "7001"}, "web_port", 7001),
        ({"MEETWIRE_BATCH_WITHIN_S": "0.5"}, "batch_within_s", 0.5),
        ({"MEETWIRE_SSL_CAFILE": ""}, "ssl_cafile", None),
    ],
)
def test_settings_from_env_reads_and_parses(env: dict[str, str], attr: str, expected: object) -> None:
    assert getattr(Settings.from_env(env), attr) == expected


@pytest.mark.parametrize(
    ("broker", "servers", "faust"),
    [
        ("kafka://a:1,b:2", ["a:1", "b:2"], "kafka://a:1;kafka://b:2"),
        ("127.0.0.1:9092", ["127.0.0.1:9092"], "kafka://127.0.0.1:9092"),
    ],
)
def test_settings_broker_forms(broker: str, servers: list[str], faust: str) -> None:
    settings = Settings.from_env({"MEETWIRE_BROKER": broker})
    assert settings.bootstrap_servers == servers
    assert settings.faust_broker == faust


@pytest.mark.parametrize(
    "env",
    [
        {"MEETWIRE_WEB_PORT": "http"},
        {"MEETWIRE_SECURITY_PROTOCOL": "SASL_PLAINTEXT"},
        {"MEETWIRE_SECURITY_PROTOCOL": "TLS"},
        {"MEETWIRE_SASL_MECHANISM": "KERBEROS"},
        {"MEETWIRE_MAX_ITEM_BYTES": "0"},
        {"MEETWIRE_MAX_REQUEST_BYTES": "0"},
        {"MEETWIRE_HEARTBEAT_INTERVAL_S": "4"},  # over a third of the 10 s session timeout
        {"MEETWIRE_HEARTBEAT_INTERVAL_S": "0"},
        {"MEETWIRE_METADATA_MAX_AGE_S": "0"},
    ],
)
def test_settings_rejects_unusable_values(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


@pytest.mark.parametrize("password", ["s3cret-Pa55"])
def test_settings_repr_masks_secrets(password: str) -> None:
    settings = Settings.from_env(
        {
            "MEETWIRE_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "MEETWIRE_SASL_USERNAME": "svc",
            "MEETWIRE_SASL_PASSWORD": password,
        }
    )
    assert password not in repr(settings)
    assert settings.sasl_password == password


@pytest.mark.parametrize("variable", ["MEETWIRE_BROKER", "MEETWIRE_WEB_PORT", "MEETWIRE_SASL_PASSWORD"])
def test_settings_table_lists_every_variable(variable: str) -> None:
    assert f"`{variable}`" in settings_table()
