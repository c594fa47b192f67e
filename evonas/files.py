"""Files a command writes: every target checked before a byte is written, each replaced atomically.

One rule for every writer (``open(path, "x")``, git's refusal to overwrite untracked files):
a command writes where nothing is, or over a file that is its *own*. A file is a command's
own when it sits under a name only that command gives, in a folder that command writes:
a run folder's files (:data:`evonas.runfolder.RUN_FILES`), ``evonas correlate``'s files in
its ``--out`` folder, ``evonas export``'s default ``model.<format>`` beside the weights. A
file the user names (``--out FILE``, ``--draw FILE``) must not exist, nor may a file the
command writes beside it (the state dict's JSON); a folder to write into that does not exist
is one line, never a traceback. A command checks every target first (:func:`check_files`,
:func:`check_folder`), then writes each to a temporary file that :func:`os.replace` moves
into place, so a crash leaves the old file or the new one, never a torn one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Collection, Iterator, Sequence

from evonas.errors import ConfigError

#: ending of a file being written (a crash may leave one; it is nobody's result)
TMP_SUFFIX = ".tmp"


def atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that a crash leaves either the old or the new file, never a torn one."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + TMP_SUFFIX)
    with open(tmp, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_files(paths: Sequence[Path], flag: str = "--out", *, own: bool = False) -> list[Path]:
    """The files a command will write, if it may write them all; else one :class:`ConfigError` line.

    Args:
        paths: the file the user named (``paths[0]``) and those written beside it.
        flag: the flag that named ``paths[0]``, for the message.
        own: the files are the command's own (its default output, which it wrote before): an
            existing one is replaced rather than refused.

    Raises:
        ConfigError: a folder to write into does not exist, a target is a folder, two
            targets are one file, or (unless ``own``) a target exists.
    """
    paths = [Path(p) for p in paths]
    named = paths[0]
    if len({p.resolve() for p in paths}) < len(paths):
        raise ConfigError(f"{flag} {named}: the file written beside it would be {named} itself; choose another {flag}")
    for path in paths:
        what = f"{flag} {named}" if path == named else f"{flag} {named} would write {path} beside it, but"
        if not path.parent.is_dir():
            where = (f"{path.parent} is a file, not a folder" if path.parent.exists()
                     else f"the folder {path.parent} does not exist (create it, or choose another {flag})")
            raise ConfigError(f"{what}: {where}" if path == named else f"{what} {where}")
        if path.is_dir():
            raise ConfigError(f"{what} is a folder; name a file" if path == named else f"{what} {path} is a folder")
        if os.path.lexists(path) and not own:
            raise ConfigError(f"{what} {'exists' if path == named else 'that file exists'}: evonas never replaces a "
                              f"file it did not write (choose another {flag}, or delete the file)")
    return paths


def check_folder(out: Path, own: Collection[str], flag: str = "--out", *, whose: str = "a run's") -> Path:
    """``out`` if a command may write its files there: absent, empty, or holding only its ``own`` files.

    A file, or a folder holding anything else, is someone else's and is never written into
    (leftover temporary files of a crashed write are nobody's and allowed).

    Raises:
        ConfigError: ``out`` is a file, or holds a file not named in ``own``.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{flag} {out} is a file; {whose} files need a folder (choose another {flag})")
    foreign = sorted(p.name for p in out.iterdir() if p.name not in own and not p.name.endswith(TMP_SUFFIX)) if out.is_dir() else []
    if foreign:
        raise ConfigError(f"{flag} {out} holds files that are not {whose} ({', '.join(foreign[:3])}"
                          f"{', ...' if len(foreign) > 3 else ''}); choose a new or empty folder")
    return out


@contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A temporary folder inside ``folder`` for a writer that needs a path (``torch.jit.save``, ONNX export).

    On leaving the block without an error, each file written in it replaces its namesake in
    ``folder`` (:func:`os.replace`: atomic); the temporary folder is removed either way.
    Check the targets first (:func:`check_files`): this moves what it finds.
    """
    folder = Path(folder)
    tmp = Path(tempfile.mkdtemp(prefix=".evonas-", suffix=TMP_SUFFIX, dir=folder))
    try:
        yield tmp
        for written in sorted(tmp.iterdir()):
            os.replace(written, folder / written.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
