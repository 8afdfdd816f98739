"""Packing a source directory: .amlignore over .gitignore, git's pattern rules, stable archives."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from conftest import EXAMPLE
from modelgate import InferenceConfig, ModelGateError
from modelgate.source import IgnorePattern, IgnoreRules, pack


def names(archive_bytes: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive_bytes))) as tar:
        return sorted(tar.getnames())


def rules(text: str) -> IgnoreRules:
    return IgnoreRules.from_text(text)


@pytest.mark.parametrize("pattern, path, is_dir, ignored", [
    ("*.pyc", "src/a/model.pyc", False, True),
    ("*.pyc", "model.py", False, False),
    ("/build", "build", True, True),
    ("/build", "src/build", True, False),
    ("logs/", "logs", True, True),
    ("logs/", "logs", False, False),
    ("docs/*.md", "docs/a.md", False, True),
    ("docs/*.md", "docs/sub/a.md", False, False),
    ("**/cache", "a/b/cache", True, True),
    ("a/**/z", "a/z", False, True),
    ("a/**/z", "a/b/c/z", False, True),
    ("data/**", "data/x/y", False, True),
    ("file?.txt", "file1.txt", False, True),
    ("file?.txt", "file10.txt", False, False),
    ("[abc].csv", "b.csv", False, True),
    ("[!abc].csv", "b.csv", False, False),
    ("\\#hash", "#hash", False, True),
    ("# comment", "# comment", False, False),
])
def test_patterns_follow_gitignore(pattern, path, is_dir, ignored):
    assert rules(pattern).is_ignored(path, is_dir) is ignored


def test_the_last_matching_pattern_decides_and_negation_includes_again():
    r = rules("*.log\n!keep.log\n")
    assert r.is_ignored("debug.log", False) and not r.is_ignored("keep.log", False)


def test_blank_lines_comments_and_trailing_spaces_are_ignored():
    assert IgnorePattern.parse("") is None and IgnorePattern.parse("# x") is None
    assert IgnorePattern.parse("name   ").glob == "name"
    assert IgnorePattern.parse("name\\ ").glob == "name\\ "


def test_amlignore_wins_over_gitignore_and_git_is_never_packed(tmp_path):
    (tmp_path / "score.py").write_text("def run(x): return x\n")
    (tmp_path / "notes.txt").write_text("n")
    (tmp_path / "big.bin").write_bytes(b"0" * 10)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref")
    (tmp_path / ".gitignore").write_text("notes.txt\n")
    (tmp_path / ".amlignore").write_text("*.bin\n")
    archive = pack(str(tmp_path))
    assert archive.ignore_file == ".amlignore"
    assert names(archive.data) == [".amlignore", ".gitignore", "notes.txt", "score.py"]
    (tmp_path / ".amlignore").unlink()
    assert names(pack(str(tmp_path)).data) == [".gitignore", "big.bin", "score.py"]


def test_nothing_inside_an_ignored_folder_comes_back(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("k")
    (tmp_path / "a.py").write_text("")
    (tmp_path / ".amlignore").write_text("out/\n!out/keep.txt\n")
    assert names(pack(str(tmp_path)).data) == [".amlignore", "a.py"]


def test_the_same_files_pack_to_the_same_bytes(tmp_path):
    (tmp_path / "score.py").write_text("x = 1\n")
    first = pack(str(tmp_path)).data
    (tmp_path / "score.py").touch()
    assert pack(str(tmp_path)).data == first


def test_an_empty_or_missing_directory_or_an_oversized_archive_is_refused(tmp_path):
    with pytest.raises(ModelGateError, match="no files"):
        pack(str(tmp_path))
    with pytest.raises(ModelGateError, match="does not exist"):
        pack(str(tmp_path / "missing"))
    (tmp_path / "blob").write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ModelGateError, match="more than a deployment can carry"):
        pack(str(tmp_path), max_bytes=100)


def test_the_example_packs_only_its_entry_script():
    config = InferenceConfig(entry_script="score.py", source_directory=str(EXAMPLE)).to_proto()
    assert config.entry_script == "score.py"
    assert names(config.source_archive) == [".amlignore", "score.py"]


def test_an_entry_script_without_a_source_directory_is_packed_alone():
    config = InferenceConfig(entry_script=str(EXAMPLE / "score.py")).to_proto()
    assert config.entry_script == "score.py" and names(config.source_archive) == ["score.py"]
