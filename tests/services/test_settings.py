"""Per-device settings: declared once with type and default; stored values round-trip."""

from __future__ import annotations

import pytest

from lr_desk import settings
from lr_desk.store.models import Setting


def test_every_option_is_declared_with_a_default_of_its_type():
    assert set(settings.OPTIONS) == {"advisor_id", "site_code", "autosave_seconds",
                                     "search_limit", "demo_filled", "reference_checksum",
                                     "central_url", "central_pull_url", "device_name",
                                     "sync_minutes",
                                     "lock_minutes", "retention_years"}
    for name, option in settings.OPTIONS.items():
        assert option.name == name
        assert type(option.default) is option.type
        assert option.description


def test_defaults_before_anything_is_stored(store):
    with store.session() as s:
        for name, option in settings.OPTIONS.items():
            if name != "reference_checksum":  # opening the store loaded the reference data
                assert settings.get(s, name) == option.default
    assert settings.OPTIONS["site_code"].default == "walton"
    assert settings.OPTIONS["search_limit"].default == 50


@pytest.mark.parametrize("name, value", [
    ("advisor_id", "01a201bd-161a-7136-aef8-315674e58210"),
    ("site_code", "southport"),
    ("autosave_seconds", 10),
    ("search_limit", 200),
    ("demo_filled", True),
])
def test_put_and_get_round_trip_across_sessions(store, name, value):
    with store.session() as s:
        settings.put(s, name, value)
    store.engine.dispose()
    with store.session() as s:
        assert settings.get(s, name) == value
        assert type(settings.get(s, name)) is type(value)


def test_put_twice_keeps_one_row(store):
    with store.session() as s:
        settings.put(s, "search_limit", 20)
    with store.session() as s:
        settings.put(s, "search_limit", 30)
    with store.session() as s:
        assert settings.get(s, "search_limit") == 30
        assert s.query(Setting).filter_by(key="search_limit").count() == 1


@pytest.mark.parametrize("name, value", [
    ("search_limit", "50"),
    ("autosave_seconds", 2.5),
    ("site_code", None),
    ("demo_filled", "yes"),
    ("demo_filled", 1),
    ("search_limit", True),
])
def test_a_value_of_the_wrong_type_is_refused(store, name, value):
    with pytest.raises(TypeError, match=name), store.session() as s:
        settings.put(s, name, value)
    with store.session() as s:
        assert s.get(Setting, name) is None


def test_an_unknown_setting_is_an_error(store):
    with store.session() as s:
        with pytest.raises(KeyError):
            settings.get(s, "colour_scheme")
        with pytest.raises(KeyError):
            settings.put(s, "colour_scheme", "dark")


@pytest.mark.parametrize("stored", ["lots", True, None, [50]])
def test_a_stored_value_of_the_wrong_type_reads_as_the_default(store, stored):
    with store.session() as s:
        s.add(Setting(key="search_limit", value=stored))
    with store.session() as s:
        assert settings.get(s, "search_limit") == 50
