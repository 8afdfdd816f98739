"""Packing a scoring script's source directory, as Azure ML uploads it.

Honours the directory's ``.amlignore``, else its ``.gitignore`` (only the file
at the root counts, as with Azure), never packs a ``.git`` folder, and does not
descend into an ignored folder (as in git, nothing inside it can be included
again). Pattern rules follow gitignore(5), as the Swift client's IgnorePattern
does. The archive is a gzip-compressed tar with owners and times normalised, so
the same files always give the same bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from dataclasses import dataclass, field
from typing import Optional

from .errors import ModelGateError

IGNORE_FILES = (".amlignore", ".gitignore")
ALWAYS_SKIPPED = {".git"}
NORMALIZED_MTIME = 946684800  # 2000-01-01, as the Swift packer uses
# The protocol's 4 MiB message limit, less room for the rest of the deploy request.
DEFAULT_MAX_BYTES = 4 * 1024 * 1024 - 64 * 1024


@dataclass(frozen=True)
class IgnorePattern:
    """One line of an ignore file."""

    glob: str
    negated: bool = False
    directory_only: bool = False
    anchored: bool = False

    @classmethod
    def parse(cls, line: str) -> Optional["IgnorePattern"]:
        """The pattern on a line; None for blank lines and comments."""
        text = line[:-1] if line.endswith("\r") else line
        text = _trim_trailing_spaces(text)
        if not text or text.startswith("#"):
            return None
        negated = False
        if text.startswith("!"):
            negated, text = True, text[1:]
        directory_only = False
        while text.endswith("/"):
            directory_only, text = True, text[:-1]
        anchored = "/" in text[:-1] or text.startswith("/")
        if text.startswith("/"):
            text = text.lstrip("/")
            anchored = True
        if not text:
            return None
        return cls(text, negated, directory_only, anchored)

    def matches(self, path: str, is_directory: bool) -> bool:
        """Whether it matches a /-separated path relative to the ignore file's folder."""
        if self.directory_only and not is_directory:
            return False
        subject = path if self.anchored else path.rsplit("/", 1)[-1]
        return wildmatch(self.glob, subject)


@dataclass
class IgnoreRules:
    """The patterns of an ignore file; the last one that matches a path decides."""

    patterns: list[IgnorePattern] = field(default_factory=list)
    file_name: Optional[str] = None

    @classmethod
    def from_text(cls, text: str, file_name: Optional[str] = None) -> "IgnoreRules":
        lines = text.splitlines()
        return cls([p for p in (IgnorePattern.parse(line) for line in lines) if p is not None], file_name)

    @classmethod
    def for_directory(cls, directory: str) -> "IgnoreRules":
        """The directory's .amlignore, else its .gitignore, else no rules."""
        for name in IGNORE_FILES:
            path = os.path.join(directory, name)
            if os.path.exists(path):
                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        return cls.from_text(handle.read(), name)
                except OSError as error:
                    raise ModelGateError("INVALID_ARGUMENT", f"cannot read '{path}': {error}") from None
        return cls()

    def is_ignored(self, path: str, is_directory: bool) -> bool:
        for pattern in reversed(self.patterns):
            if pattern.matches(path, is_directory):
                return not pattern.negated
        return False


def wildmatch(pattern: str, text: str) -> bool:
    """git's wildmatch with WM_PATHNAME: * and ? stop at /, ** spans folders, [..] classes, \\ escapes."""
    return _match(pattern, 0, text, 0)


def _match(p: str, pi: int, t: str, ti: int) -> bool:
    while pi < len(p):
        c = p[pi]
        if c == "*":
            double = pi + 1 < len(p) and p[pi + 1] == "*"
            at_segment_start = pi == 0 or p[pi - 1] == "/"
            if double and at_segment_start:
                after = pi + 2
                if after == len(p):
                    return True  # ** at the end: everything below
                if p[after] == "/":
                    rest = after + 1  # **/: zero or more whole folders
                    if _match(p, rest, t, ti):
                        return True
                    for index in range(ti, len(t)):
                        if t[index] == "/" and _match(p, rest, t, index + 1):
                            return True
                    return False
            nxt = pi + 1
            while nxt < len(p) and p[nxt] == "*":
                nxt += 1
            index = ti
            while True:
                if _match(p, nxt, t, index):
                    return True
                if index >= len(t) or t[index] == "/":
                    return False
                index += 1
        elif c == "?":
            if ti >= len(t) or t[ti] == "/":
                return False
            pi, ti = pi + 1, ti + 1
        elif c == "[":
            end = _class_end(p, pi)
            if end is None:  # an unterminated [ is a literal
                if ti >= len(t) or t[ti] != "[":
                    return False
                pi, ti = pi + 1, ti + 1
                continue
            if ti >= len(t) or t[ti] == "/" or not _in_class(p, pi, end, t[ti]):
                return False
            pi, ti = end, ti + 1
        elif c == "\\" and pi + 1 < len(p):
            if ti >= len(t) or t[ti] != p[pi + 1]:
                return False
            pi, ti = pi + 2, ti + 1
        else:
            if ti >= len(t) or t[ti] != c:
                return False
            pi, ti = pi + 1, ti + 1
    return ti == len(t)


def _class_end(p: str, start: int) -> Optional[int]:
    index = start + 1
    if index < len(p) and p[index] in "!^":
        index += 1
    if index < len(p) and p[index] == "]":  # a ] right after the opening is a member
        index += 1
    while index < len(p):
        if p[index] == "\\":
            index += 2
            continue
        if p[index] == "]":
            return index + 1
        index += 1
    return None


def _in_class(p: str, start: int, end: int, character: str) -> bool:
    close = end - 1
    index = start + 1
    negated = False
    if p[index] in "!^":
        negated, index = True, index + 1
    found = False
    while index < close:
        low = p[index]
        if low == "\\" and index + 1 < close:
            index += 1
            low = p[index]
        if index + 2 < close and p[index + 1] == "-":
            high, step = p[index + 2], 3
            if high == "\\" and index + 3 < close:
                high, step = p[index + 3], 4
            if low <= character <= high:
                found = True
            index += step
        else:
            if low == character:
                found = True
            index += 1
    return found != negated


def _trim_trailing_spaces(text: str) -> str:
    end = len(text)
    while end > 0 and text[end - 1] == " ":
        if end > 1 and text[end - 2] == "\\":
            break
        end -= 1
    return text[:end]


def list_files(root: str, rules: IgnoreRules) -> list[str]:
    """The files and symbolic links under root that the rules keep, relative and sorted."""
    result: list[str] = []

    def walk(relative: str) -> None:
        folder = os.path.join(root, relative) if relative else root
        try:
            names = sorted(os.listdir(folder))
        except OSError as error:
            raise ModelGateError("INVALID_ARGUMENT", f"cannot read '{folder}': {error}") from None
        for name in names:
            path = f"{relative}/{name}" if relative else name
            mode = os.lstat(os.path.join(root, path)).st_mode  # a link is packed as a link
            is_directory = stat.S_ISDIR(mode)
            if is_directory and name in ALWAYS_SKIPPED:
                continue
            if rules.is_ignored(path, is_directory):
                continue
            if is_directory:
                walk(path)
            elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                result.append(path)

    walk("")
    return sorted(result)


@dataclass
class SourceArchive:
    """A packed source directory."""

    directory: str
    files: list[str]
    ignore_file: Optional[str]
    data: bytes


def pack(directory: str, only: Optional[list[str]] = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceArchive:
    """Packs a directory (or just the paths in ``only``) as a .tar.gz.

    Raises ModelGateError INVALID_ARGUMENT naming the directory when it is missing,
    empty after ignoring, or packs larger than max_bytes.
    """
    root = os.path.abspath(directory)
    if not os.path.isdir(root):
        raise ModelGateError("INVALID_ARGUMENT", f"source directory '{directory}' does not exist or is not a directory")
    rules = IgnoreRules.for_directory(root) if only is None else IgnoreRules()
    files = list(only) if only is not None else list_files(root, rules)
    if not files:
        raise ModelGateError("INVALID_ARGUMENT", f"source directory '{directory}' has no files to pack "
                                                 f"(after {rules.file_name or 'ignoring nothing'})")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for relative in files:
            info = tar.gettarinfo(os.path.join(root, relative), arcname=relative)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = NORMALIZED_MTIME
            if info.isreg():
                with open(os.path.join(root, relative), "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    data = compressed.getvalue()
    if len(data) > max_bytes:
        raise ModelGateError("INVALID_ARGUMENT",
                             f"source directory '{directory}' packs to {len(data)} bytes, more than a deployment can "
                             f"carry (max: {max_bytes}); list what the service does not need in "
                             f"{rules.file_name or '.amlignore'}")
    return SourceArchive(root, files, rules.file_name, data)
