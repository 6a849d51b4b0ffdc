"""Settings: where they live, what overrides what, and that the token never shows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lox24tui.api import DEFAULT_BASE_URL
from lox24tui.session.config import ConfigError, Locations, inside_tmux, load_settings

from .conftest import write_config

SECRET = "7654321:c0ffee00c0ffee00c0ffee00c0ffee00"


def test_paths_follow_the_xdg_directories(tmp_path: Path) -> None:
    locations = Locations.default()
    assert locations.config_file == tmp_path / "config" / "lox24tui" / "config.toml"
    assert locations.watchlist_file == tmp_path / "data" / "lox24tui" / "watchlist.json"


def test_defaults_without_file_or_environment() -> None:
    settings = load_settings(environ={})
    assert settings.api_token is None
    assert settings.api_url == DEFAULT_BASE_URL
    assert settings.interval == 10.0 and settings.concurrency == 3
    assert settings.notify == "terminal" and settings.history_days == 90


def test_environment_overrides_the_file() -> None:
    locations = Locations.default()
    locations.config_dir.mkdir(parents=True)
    locations.config_file.write_text(
        'token = "1111111:aaaa"\napi_url = "http://file.test"\ninterval = 30\n'
    )
    from_file = load_settings(environ={})
    assert from_file.api_url == "http://file.test" and from_file.interval == 30
    assert from_file.api_token is not None and from_file.api_token.reveal() == "1111111:aaaa"
    settings = load_settings(environ={"LOX24_TOKEN": SECRET, "LOX24_API_URL": "http://env.test/"})
    assert settings.api_url == "http://env.test"
    assert settings.api_token is not None and settings.api_token.reveal() == SECRET


def test_the_token_is_masked_wherever_settings_are_shown() -> None:
    settings = load_settings(environ={"LOX24_TOKEN": SECRET})
    shown_forms = (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        repr(settings.api_token),
    )
    for shown in shown_forms:
        assert SECRET not in shown
    assert str(settings.api_token) == "7654321:c0ff…"


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("interval = 1\n", "config.toml, line 1: interval must be at least 2.0."),
        ('api_url = "ftp://x"\n', "line 1: api_url must start with http:// or https://."),
        ("not toml at all [\n", "cannot be read"),
        ("# mine\ncolour = 'red'\n", "line 2: lox24tui has no setting called colour."),
        ('notify = "loud"\n', 'notify must be one of "terminal", "desktop", "both" or "off".'),
        ("\nhistory_days = 0\n", "config.toml, line 2: history_days must be at least 1."),
        ("interval = 'often'\n", "line 1: interval must be a number."),
        ('[keys]\n"main.add" = ""\n', "line 1: keys 'main.add' needs a key"),
    ],
)
def test_a_bad_config_file_is_reported_with_its_path(content: str, complaint: str) -> None:
    locations = Locations.default()
    locations.config_dir.mkdir(parents=True)
    locations.config_file.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={})
    assert complaint in str(caught.value)
    assert "config.toml" in str(caught.value)
    assert "Input should" not in str(caught.value) and "Value error" not in str(caught.value)


def test_notify_and_history_days_come_from_the_file() -> None:
    locations = Locations.default()
    locations.config_dir.mkdir(parents=True)
    locations.config_file.write_text('notify = "both"\nhistory_days = 7\n')
    settings = load_settings(environ={})
    assert settings.notify == "both" and settings.history_days == 7


def test_tmux_is_told_by_its_variable() -> None:
    assert inside_tmux({"TMUX": "/tmp/tmux-0/default,123,0"})
    assert not inside_tmux({}) and not inside_tmux({"TMUX": ""})


def test_delivery_settings_default_and_read_from_the_file() -> None:
    defaults = load_settings(environ={})
    assert defaults.delivery is True and defaults.delivery_interval == 60
    assert defaults.account_interval == 300 and defaults.low_balance == 0
    assert defaults.read_only is False and defaults.side_requests_per_minute == 30
    locations = Locations.default()
    locations.config_dir.mkdir(parents=True)
    locations.config_file.write_text(
        "delivery = false\ndelivery_interval = 45\nlow_balance = 12.30\nread_only = true\n"
        "side_requests_per_minute = 12\n"
    )
    settings = load_settings(environ={})
    assert settings.delivery is False and settings.delivery_interval == 45
    assert settings.low_balance == Decimal("12.30") and settings.read_only is True
    assert settings.side_requests_per_minute == 12


@pytest.mark.parametrize(
    "line", ["delivery_interval = 10", "low_balance = -1", "side_requests_per_minute = 0"]
)
def test_delivery_settings_refuse_values_that_would_misbehave(line: str) -> None:
    locations = Locations.default()
    locations.config_dir.mkdir(parents=True)
    locations.config_file.write_text(line + "\n")
    with pytest.raises(ConfigError, match=line.split(" ")[0]):
        load_settings(environ={})


def problem_with(environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ or {})
    return str(caught.value)


def test_a_misspelt_key_is_named_with_its_line_and_the_key_it_meant() -> None:
    path = write_config('interval = 30\nthem = "nord"\n')
    assert (
        problem_with()
        == f"{path}, line 2: lox24tui has no setting called them; did you mean theme?"
    )


def test_a_bad_value_from_the_environment_names_the_variable() -> None:
    said = problem_with({"LOX24_API_URL": "api.lox24.eu"})
    assert (
        said
        == "the environment variable LOX24_API_URL: api_url must start with http:// or https://."
    )


@pytest.mark.parametrize("place", ["file", "environment"])
def test_a_malformed_token_is_refused_naming_where_it_came_from(place: str) -> None:
    if place == "file":
        path = write_config('interval = 30\ntoken = "abc"\n')
        said, source = problem_with(), f"{path}, line 2"
    else:
        said, source = problem_with({"LOX24_TOKEN": "abc"}), "the environment variable LOX24_TOKEN"
    assert said.startswith(f"the token in {source} cannot be used: ")
    assert "a number, a colon and a hexadecimal key" in said
    assert "abc" not in said  # the value is a secret, even a wrong one


def test_several_mistakes_name_the_file_once_and_each_line() -> None:
    path = write_config("interval = 1\ncolor = 'red'\n")
    assert problem_with() == (
        f"{path}, line 1: interval must be at least 2.0. "
        "Line 2: lox24tui has no setting called color."
    )


def test_a_timeout_over_a_minute_is_refused_in_words() -> None:
    locations = Locations.default()
    locations.config_file.parent.mkdir(parents=True, exist_ok=True)
    locations.config_file.write_text("timeout = 120\n")
    with pytest.raises(ConfigError) as refused:
        load_settings(locations)
    assert "timeout" in str(refused.value) and "60" in str(refused.value)
