"""The one reader of tables of architectures: parsed, keyed by network, one row per network, every value checked."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evonas
import evonas.tables
from evonas.errors import DataError
from evonas.tables import PERCENT, POSITIVE, Range, read_arch_table

#: space -> (shared table, its architecture column, an accuracy column, a size column)
TABLES = {
    "nb201": ("nb201_cifar10.csv", "arch", "cifar10_valid_acc", "params_m_cifar10"),
    "darts": ("nb301_cifar10_300.csv", "genotype", "valid_acc", "nb301_params"),
    "nb101": ("nb101_cifar10_200.csv", "arch", "val_acc", "params_m"),
}


def real_rows(shared_data: Path, space: str, n: int = 12) -> pd.DataFrame:
    """Of the first 400 rows of the space's shared table, the first ``n`` that share their network with no other."""
    name, arch, *_ = TABLES[space]
    sp = evonas.get_space(space)
    frame = pd.read_csv(shared_data / name, dtype={arch: str}, nrows=400)
    keys = frame[arch].map(lambda text: sp.network_key(sp.from_native(text)))
    return frame.loc[~keys.duplicated(keep=False)].head(n).reset_index(drop=True)


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "t.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def read(path, space: str, **options):
    _, arch, acc, size = TABLES[space]
    return read_arch_table(path, evonas.get_space(space), arch=arch, values={acc: PERCENT},
                           optional={size: POSITIVE}, **options)


@pytest.mark.parametrize("space", sorted(TABLES))
def test_every_row_is_found_by_its_genome_and_by_its_text_however_padded(tmp_path, shared_data, space):
    _, arch, acc, size = TABLES[space]
    rows = real_rows(shared_data, space)
    padded = rows.assign(**{arch: "  " + rows[arch] + " "})
    table = read(write(tmp_path, padded), space)
    sp = evonas.get_space(space)
    assert len(table) == len(rows) and list(table.frame.columns) == [arch, acc, size]
    for position, text in enumerate(rows[arch]):
        genome = sp.from_native(text)
        assert table.row(genome) == table.row(text) == table.row(f"\t{text} ") == position
        assert table.frame[arch][position] == sp.to_native(genome)  # the canonical text
        assert table.genomes[position] == genome
    assert table.column(acc) == dict(zip(table.rows, rows[acc]))
    assert table.row(next(g for g in (sp.sample(np.random.default_rng(s)) for s in range(200))
                          if sp.network_key(g) not in table.rows)) is None


@pytest.mark.parametrize("space", sorted(TABLES))
def test_two_rows_of_one_network_are_refused_naming_both(tmp_path, shared_data, space):
    _, arch, *_ = TABLES[space]
    rows = real_rows(shared_data, space, n=5)
    again = rows.iloc[[2]].assign(**{arch: " " + rows[arch][2]})  # the same text, padded
    path = write(tmp_path, pd.concat([rows, again]))
    with pytest.raises(DataError, match=rf"{path}: rows 4 and 7 are the same {space} network") as err:
        read(path, space)
    assert "\n" not in str(err.value)
    first = read(path, space, duplicates="first")  # a cache two workers appended to
    assert len(first) == 5 and first.row(rows[arch][2]) == 2


def test_two_texts_of_one_nb101_network_are_one_network(shared_data):
    """Two rows of the shared NB101 table whose specs prune to the same cell: one network, whatever the text."""
    sp = evonas.get_space("nb101")
    frame = pd.read_csv(shared_data / "nb101_cifar10_200.csv", dtype={"arch": str})
    keys = frame["arch"].map(lambda text: sp.network_key(sp.from_native(text)))
    a, b = keys.index[keys == keys[keys.duplicated()].iloc[0]][:2].tolist()
    assert frame["arch"][a] != frame["arch"][b]
    with pytest.raises(DataError, match=rf"rows {a + 2} and {b + 2} are the same nb101 network"):
        read_arch_table(frame.iloc[: b + 1], sp, values={"val_acc": PERCENT})


@pytest.mark.parametrize("value, allowed", [
    ("abc", "a number in [0, 100]"), ("inf", "a number in [0, 100]"), ("nan", "a number in [0, 100]"),
    ("", "a number in [0, 100]"), ("n/a", "a number in [0, 100]"), ("100.5", "a number in [0, 100]"),
    ("-1", "a number in [0, 100]"),
])
def test_a_bad_value_is_one_line_naming_file_row_and_column(tmp_path, shared_data, value, allowed):
    rows = real_rows(shared_data, "nb201").astype({"cifar10_valid_acc": object})
    rows.loc[3, "cifar10_valid_acc"] = value
    path = write(tmp_path, rows)
    with pytest.raises(DataError) as err:
        read(path, "nb201")
    assert str(err.value) == f"--table {path}: row 5, column 'cifar10_valid_acc': {value!r} is not {allowed}"


@pytest.mark.parametrize("value", ["0", "-2", "inf", "big"])
def test_a_size_must_be_a_positive_number(tmp_path, shared_data, value):
    rows = real_rows(shared_data, "nb201").astype({"params_m_cifar10": object})
    rows.loc[0, "params_m_cifar10"] = value
    with pytest.raises(DataError, match=rf"row 2, column 'params_m_cifar10': '{value}' is not a finite number > 0"):
        read(write(tmp_path, rows), "nb201")


def test_file_and_column_problems_are_one_line(tmp_path, shared_data):
    with pytest.raises(DataError, match="--table .*none.csv: no such file"):
        read(tmp_path / "none.csv", "nb201")
    with pytest.raises(DataError, match="no such file"):
        read(tmp_path, "nb201")  # a folder
    rows = real_rows(shared_data, "nb201")
    path = write(tmp_path, rows.drop(columns="cifar10_valid_acc"))
    with pytest.raises(DataError, match=r"no column 'cifar10_valid_acc' \(it has index, arch, .*\); name it so"):
        read(path, "nb201", hint="; name it so")
    (tmp_path / "empty.csv").write_text("arch,cifar10_valid_acc\n")
    with pytest.raises(DataError, match="empty.csv: no rows"):
        read(tmp_path / "empty.csv", "nb201")
    (tmp_path / "nothing.csv").write_text("")
    with pytest.raises(DataError, match="nothing.csv: not a CSV table"):
        read(tmp_path / "nothing.csv", "nb201")
    (tmp_path / "binary.csv").write_bytes(b"arch\n\xff\xfe\x00\n")
    with pytest.raises(DataError, match="binary.csv: not a CSV table"):
        read(tmp_path / "binary.csv", "nb201")
    with pytest.raises(DataError, match=r"--init .*: row 2, column 'arch': '\|avg_pool.*' is not a darts architecture"):
        read_arch_table(shared_data / "nb201_cifar10.csv", evonas.get_space("darts"), arch="arch", flag="--init")


def test_an_optional_column_is_checked_only_where_it_is(tmp_path, shared_data):
    rows = real_rows(shared_data, "nb201")
    table = read(write(tmp_path, rows.drop(columns="params_m_cifar10")), "nb201")
    assert "params_m_cifar10" not in table.frame


def test_a_dataframe_reads_as_a_file_does(tmp_path, shared_data):
    rows = real_rows(shared_data, "darts")
    from_file, from_frame = read(write(tmp_path, rows), "darts"), read(rows, "darts")
    pd.testing.assert_frame_equal(from_file.frame, from_frame.frame)
    assert from_file.rows == from_frame.rows and from_frame.where == "--table <table>"
    with pytest.raises(DataError, match="--table <table>: column 'valid_acc' appears twice"):
        read(pd.concat([rows, rows[["valid_acc"]]], axis=1), "darts")
    bad = rows.assign(valid_acc=rows["valid_acc"].where(rows.index != 1, np.inf))
    with pytest.raises(DataError, match=r"--table <table>: row 3, column 'valid_acc': 'inf' is not"):
        read(bad, "darts")


def test_a_file_with_a_column_named_twice_is_refused_not_renamed(tmp_path, shared_data):
    """pandas would read the second ``valid_acc`` as ``valid_acc.1`` and the table would pass."""
    rows = real_rows(shared_data, "darts").assign(second=lambda f: f["valid_acc"])
    path = write(tmp_path, rows)
    header, body = path.read_text().split("\n", 1)
    path.write_text(header.replace("second", "valid_acc") + "\n" + body)
    with pytest.raises(DataError, match=r"t.csv: column 'valid_acc' appears twice"):
        read(path, "darts")


def test_an_architecture_column_alone_is_a_list_of_genomes(tmp_path, shared_data):
    """What a warm start reads (``--init FILE``): architectures only."""
    sp = evonas.get_space("nb201")
    rows = real_rows(shared_data, "nb201")[["arch"]]
    table = read_arch_table(write(tmp_path, rows), sp, flag="--init")
    assert [sp.to_native(g) for g in table.genomes] == list(rows["arch"])
    assert table.where.startswith("--init ")


def test_ranges_say_what_they_allow():
    assert str(PERCENT) == "a number in [0, 100]" and str(POSITIVE) == "a finite number > 0"
    assert str(Range()) == "a finite number" and str(Range(0)) == "a finite number >= 0"
    assert PERCENT.holds(np.array([0, 100, 100.1, np.nan])).tolist() == [True, True, False, False]
    assert POSITIVE.holds(np.array([0, 1e-9, np.inf])).tolist() == [False, True, False]


def test_the_reader_is_a_leaf():
    """It imports only the encodings, the errors and data libraries, so any layer may read tables."""
    tree = ast.parse(Path(evonas.tables.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {m for m in imported if m.startswith("evonas")} == {"evonas.encodings", "evonas.errors"}


@pytest.mark.parametrize("space", sorted(TABLES))
def test_ground_truth_reports_any_space_whose_table_it_is_given(shared_data, space):
    """The reader parses every space's notation, so ``--ground-truth`` is not limited to NAS-Bench-201."""
    from evonas.truth import GroundTruth

    _, arch, acc, _ = TABLES[space]
    rows = real_rows(shared_data, space)[[arch, acc]].rename(columns={arch: "arch", acc: "cifar10_test_acc"})
    truth = GroundTruth.read(rows, space)
    best = rows["cifar10_test_acc"].idxmax()
    report = truth.report(evonas.get_space(space).from_native(rows["arch"][best]))
    assert report["true_acc"] == rows["cifar10_test_acc"][best] and report["true_rank"] == 1
    assert report["table_size"] == len(rows)
