"""Read a file as normalised text while remembering how to write it back byte-faithfully.

Text is handled with \\n line endings; the file's line ending (LF or CRLF, whichever
dominates), UTF-8 BOM, final-newline presence and mode are kept and restored on write.
"""

from __future__ import annotations

import ast
import hashlib
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import ChangeError

__all__ = ["FileState", "read_state", "encode_text", "sha256_bytes", "python_error",
           "split_lines", "join_lines", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 8 * 1024 * 1024  # a model never sees a file this big, so it cannot edit one
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FileState:
    text: str  # \n line endings, no BOM
    sha256: str  # of the bytes on disk
    eol: str  # "\n" or "\r\n"
    bom: bool
    mode: int  # permission bits


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_state(path: Path, *, rel: str) -> FileState:
    """The file's text and how it is stored; ChangeError if it is not a UTF-8 text file."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ChangeError(f"refused: not a regular file: {rel}")
        if st.st_size > MAX_FILE_BYTES:
            raise ChangeError(f"refused: file too big to edit ({st.st_size // 1024} KiB): {rel}")
        data = path.read_bytes()
    except OSError as e:
        raise ChangeError(f"cannot read {rel}: {e.strerror or e}") from e
    if b"\0" in data:
        raise ChangeError(f"refused: binary file: {rel}")
    bom = data.startswith(_BOM)
    try:
        raw = data[len(_BOM) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError as e:
        raise ChangeError(f"refused: not UTF-8 text (byte {e.start}): {rel}") from e
    crlf = raw.count("\r\n")
    eol = "\r\n" if crlf and crlf >= raw.count("\n") - crlf else "\n"
    return FileState(raw.replace("\r\n", "\n"), sha256_bytes(data), eol, bom,
                     stat.S_IMODE(st.st_mode))


def encode_text(text: str, *, eol: str, bom: bool) -> bytes:
    """Bytes to write for normalised `text` in the file's own conventions."""
    if eol != "\n":
        text = text.replace("\n", eol)
    return (_BOM if bom else b"") + text.encode("utf-8")


def split_lines(text: str) -> tuple[list[str], bool]:
    """Lines without their newlines, and whether the text ended with a newline."""
    if not text:
        return [], False
    final = text.endswith("\n")
    lines = text.split("\n")
    return (lines[:-1] if final else lines), final


def join_lines(lines: list[str], final_newline: bool) -> str:
    if not lines:
        return ""
    return "\n".join(lines) + ("\n" if final_newline else "")


def python_error(text: str) -> tuple[int, str] | None:
    """(line, message) if `text` is not valid Python; parsing never runs the code."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escape sequences: not our business
            ast.parse(text)
    except SyntaxError as e:
        return e.lineno or 0, e.msg
    except ValueError as e:  # null bytes
        return 0, str(e)
    return None
