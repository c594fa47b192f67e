"""The shared-data fixture: skipped off CI, a failure on CI (a silent skip there would hide a broken setup)."""

import importlib.util
from pathlib import Path

import pytest

# by path: several test folders have a conftest.py, and `import conftest` may find another
_spec = importlib.util.spec_from_file_location("tests_conftest", Path(__file__).with_name("conftest.py"))
conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(conftest)


def test_missing_shared_data_fails_on_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "SHARED", tmp_path / "absent")
    fixture = conftest.find_shared_data
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        fixture()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        fixture()
