"""The shared-data fixture: skipped off CI, a failure on CI (a silent skip there would hide a broken setup)."""

import pytest

import conftest


def test_missing_shared_data_fails_on_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SHARED", tmp_path / "absent")
    fixture = conftest.find_shared_data
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        fixture()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        fixture()
