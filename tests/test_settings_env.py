"""Settings helpers refuse malformed values instead of guessing."""
import os
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from ramq_portal import env


@given(value=st.sampled_from(["1", "true", "TRUE", " yes ", "on"]))
def test_true_values_are_read_as_true(value):
    with mock.patch.dict(os.environ, {"X_FLAG": value}):
        assert env.env_bool("X_FLAG", False) is True


@given(value=st.text(alphabet=st.characters(blacklist_categories=['Cs'], blacklist_characters='\x00'), min_size=1, max_size=10).filter(lambda v: v.strip().lower() not in {"1", "true", "yes", "on", "0", "false", "no", "off", ""}))
def test_anything_else_is_refused_as_a_boolean(value):
    with mock.patch.dict(os.environ, {"X_FLAG": value}), pytest.raises(ImproperlyConfigured):
        env.env_bool("X_FLAG", False)


def test_integers_dates_and_urls_are_checked(monkeypatch):
    monkeypatch.setenv("X_INT", "douze")
    with pytest.raises(ImproperlyConfigured):
        env.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "-3")
    with pytest.raises(ImproperlyConfigured):
        env.env_int("X_INT", 1, minimum=0)
    monkeypatch.setenv("X_DATE", "2027-02-30")
    with pytest.raises(ImproperlyConfigured):
        env.env_date("X_DATE", date(2026, 1, 1))
    monkeypatch.setenv("X_URL", "mysql://db/x")
    with pytest.raises(ImproperlyConfigured):
        env.env_url("X_URL", ("postgres", "postgresql"))
    monkeypatch.setenv("X_URL", "postgres://u@127.0.0.1:5432/db")
    assert env.env_url("X_URL", ("postgres",)) == "postgres://u@127.0.0.1:5432/db"
    monkeypatch.setenv("X_LIST", " a.example, ,b.example ")
    assert env.env_list("X_LIST", []) == ["a.example", "b.example"]
