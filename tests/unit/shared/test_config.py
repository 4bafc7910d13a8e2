"""Settings: a bad or missing value stops start-up with a message naming the variable."""

from __future__ import annotations

import pytest

from shared import config
from tests.support import PROJECT_ROOT


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("IPMARKET_KAFKA_BOOTSTRAP", "localhost", "host:port"),
        ("IPMARKET_RELAY_BATCH", "-3", "positive integer"),
        ("IPMARKET_CATALOG_DATABASE_URL", "mysql://x/y", "sqlite:/// or postgresql"),
        ("IPMARKET_LOG_LEVEL", "LOUD", "DEBUG, INFO"),
        ("IPMARKET_WEBHOOK_RETRY_SECONDS", "5,-1", "non-negative"),
        ("IPMARKET_WEBHOOK_ALLOW_PRIVATE", "maybe", "true or false"),
    ],
)
def test_a_bad_value_is_named(name, value, words):
    with pytest.raises(config.ConfigError) as error:
        config.check_all({name: value})
    assert name in str(error.value) and words in str(error.value)


def test_an_unknown_setting_is_named():
    with pytest.raises(config.ConfigError, match="IPMARKET_KAFKA_BOOTSTRAPS"):
        config.check_all({"IPMARKET_KAFKA_BOOTSTRAPS": "127.0.0.1:9092"})


def test_defaults_are_valid_and_derive_from_the_var_dir():
    config.check_all({})
    env = {"IPMARKET_VAR_DIR": "/srv/ipmarket"}
    assert config.database_url("notify", env) == "sqlite:////srv/ipmarket/notify.db"
    assert config.get("IPMARKET_MAIL_DIR", env) == "/srv/ipmarket/mail"


def test_the_readme_table_lists_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for name in config.SETTINGS:
        assert f"`{name}`" in readme, f"{name} is missing from the README's table"
