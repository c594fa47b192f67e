"""The one rule of every writer: check every target first, never replace a file it did not write, write atomically."""

import pytest

from evonas.errors import ConfigError
from evonas.files import atomic_write, check_files, check_folder, staging


def test_a_new_file_and_its_companions_may_be_written(tmp_path):
    assert check_files([tmp_path / "m.pt", tmp_path / "m.json"]) == [tmp_path / "m.pt", tmp_path / "m.json"]


@pytest.mark.parametrize(
    "paths, message",
    [
        (["old.txt"], "--out {t}/old.txt exists: evonas never replaces a file it did not write"),
        (["m.pt", "old.txt"], "--out {t}/m.pt would write {t}/old.txt beside it, but that file exists"),
        (["no/m.pt"], "the folder {t}/no does not exist"),
        (["old.txt/m.pt"], "{t}/old.txt is a file, not a folder"),
        (["sub"], "--out {t}/sub is a folder; name a file"),
        (["m.json", "m.json"], "would be {t}/m.json itself"),
    ],
)
def test_refusals_are_one_line_naming_the_flag_and_the_file(tmp_path, paths, message):
    (tmp_path / "old.txt").write_text("mine")
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError) as err:
        check_files([tmp_path / p for p in paths])
    assert message.format(t=tmp_path) in str(err.value) and "\n" not in str(err.value)


def test_a_commands_own_file_may_be_replaced(tmp_path):
    (tmp_path / "model.pt").write_text("an earlier export")
    assert check_files([tmp_path / "model.pt"], own=True)
    with pytest.raises(ConfigError, match="no/model.pt: the folder"):
        check_files([tmp_path / "no" / "model.pt"], own=True)  # own files still need their folder


def test_a_folder_is_a_commands_only_if_it_holds_nothing_else(tmp_path):
    out = tmp_path / "out"
    assert check_folder(out, {"a.csv"}) == out  # absent
    out.mkdir()
    (out / "a.csv").write_text("")
    (out / "b.csv.tmp").write_text("")  # a crashed write's leftover is nobody's
    check_folder(out, {"a.csv"})
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"--out .*out holds files that are not a run's \(notes.txt\)"):
        check_folder(out, {"a.csv"})
    with pytest.raises(ConfigError, match="is a file"):
        check_folder(out / "notes.txt", {"a.csv"})


def test_staged_files_replace_their_targets_only_when_all_were_written(tmp_path):
    (tmp_path / "m.pt").write_text("old")
    with pytest.raises(RuntimeError):
        with staging(tmp_path) as tmp:
            (tmp / "m.pt").write_text("new")
            raise RuntimeError("the writer failed half-way")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"] and (tmp_path / "m.pt").read_text() == "old"
    with staging(tmp_path) as tmp:
        (tmp / "m.pt").write_text("new")
        (tmp / "m.json").write_text("{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.pt"] and (tmp_path / "m.pt").read_text() == "new"


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    atomic_write(tmp_path / "a.json", b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
