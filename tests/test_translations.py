"""The Vietnamese catalogue (locale/vi/LC_MESSAGES/django.po) is complete and compiled.

The UI is Vietnamese by default (LANGUAGE_CODE = "vi"); message ids in the code are English.
A user-facing string added to the code without a Vietnamese translation fails
``test_makemessages_would_add_no_untranslated_string``, which names it: run
``manage.py makemessages -l vi --ignore=.venv --ignore=node_modules --ignore=var
--ignore=tests``, translate, then ``manage.py compilemessages -l vi --ignore=.venv``.
"""

from __future__ import annotations

import gettext
import io
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import translation

BASE_DIR = Path(django_settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
PO_PATH = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# What `makemessages` must not look at (the same list as in the module docstring).
IGNORED = [".venv", "node_modules", "var", "tests"]
# The only files the "django" domain extracts from.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}


# --- a tiny .po reader (polib is not a dependency) ---------------------------------------

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[str, str] = field(default_factory=dict)  # "msgstr" or "msgstr[n]" -> text
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)  # "#: file:line" comments

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        where = ", ".join(self.references) or f"line {self.line} of the .po"
        return f"{self.msgid!r}{context} [{where}]"

    @property
    def untranslated(self) -> bool:
        return not self.msgstr or any(text == "" for text in self.msgstr.values())


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header and obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    awaiting_msgid: Entry | None = None  # an entry opened by msgctxt
    flags: set[str] = set()
    references: list[str] = []
    key: str | None = None
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                references += line[2:].split()
            elif not line:
                flags, references = set(), []
            # Comments open a new entry too, even without a blank line before them.
            current = awaiting_msgid = key = None
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            key, text = keyword.group(1), _unquote(keyword.group(2))
            if key == "msgctxt" or (key == "msgid" and awaiting_msgid is None):
                current = Entry(line=number, flags=flags, references=references)
                flags, references = set(), []
                entries.append(current)
            awaiting_msgid = current if key == "msgctxt" else None
        else:
            continuation = _CONTINUATION.match(line)
            if not continuation:
                raise ValueError(f"{path}:{number}: cannot read {raw!r}")
            text = _unquote(continuation.group(1))
        if current is None or key is None:
            raise ValueError(f"{path}:{number}: {raw!r} belongs to no entry")
        _append(current, key, text)
    return [e for e in entries if not (e.msgid == "" and e.msgctxt is None)]


def _append(entry: Entry, key: str, text: str) -> None:
    if key == "msgid":
        entry.msgid += text
    elif key == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif key == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        entry.msgstr[key] = entry.msgstr.get(key, "") + text


def _problems(entries: list[Entry]) -> list[str]:
    return [
        f"{e.label}{' [fuzzy]' if 'fuzzy' in e.flags else ''}"
        f"{' [untranslated]' if e.untranslated else ''}"
        for e in entries
        if e.untranslated or "fuzzy" in e.flags
    ]


# --- (a) the catalogue is complete ------------------------------------------------------


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_po(PO_PATH)
    assert len(entries) > 200, f"{PO_PATH} looks truncated: {len(entries)} entries"
    problems = _problems(entries)
    assert not problems, f"{PO_PATH} has untranslated or fuzzy entries:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_and_are_nfc():
    placeholder = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
    problems = []
    for entry in read_po(PO_PATH):
        for text in entry.msgstr.values():
            if text != unicodedata.normalize("NFC", text):
                problems.append(f"{entry.label}: not NFC")
            if "python-format" in entry.flags and sorted(placeholder.findall(text)) != sorted(
                placeholder.findall(entry.msgid)
            ):
                problems.append(f"{entry.label}: placeholders differ in {text!r}")
    assert not problems, "\n".join(problems)


# --- (b) the compiled catalogue is current ----------------------------------------------


def test_the_mo_file_exists():
    # Not compared by mtime: a fresh clone gives both files arbitrary times. The next test
    # compares their contents.
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run manage.py compilemessages -l vi"


def test_the_mo_file_holds_the_translations_of_the_po():
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in read_po(PO_PATH):
        if entry.untranslated or "fuzzy" in entry.flags or entry.msgid_plural is not None:
            continue
        if entry.msgctxt is not None:
            found = compiled.pgettext(entry.msgctxt, entry.msgid)
        else:
            found = compiled.gettext(entry.msgid)
        if found != entry.msgstr["msgstr"]:
            stale.append(entry.label)
    assert not stale, "django.mo differs from django.po (recompile):\n" + "\n".join(stale)


# --- (c) no user-facing string in the code lacks a translation --------------------------


def _copy_sources(target: Path) -> None:
    """The files makemessages reads, copied so that it writes nothing in the repository:
    run from BASE_DIR, it would also update BASE_DIR/locale whatever LOCALE_PATHS says."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = shutil.ignore_patterns(*IGNORED, "locale", ".*", "__pycache__")(folder, names)
        other_files = {
            name
            for name in names
            if Path(name).suffix not in SOURCE_SUFFIXES and not Path(folder, name).is_dir()
        }
        return set(skipped) | other_files

    shutil.copytree(BASE_DIR, target, ignore=ignore)


def test_makemessages_would_add_no_untranslated_string(settings, tmp_path, monkeypatch):
    before = PO_PATH.read_bytes(), PO_PATH.stat().st_mtime_ns
    source = tmp_path / "src"
    _copy_sources(source)
    shutil.copytree(LOCALE_DIR, source / "locale")
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)

    call_command(
        "makemessages",
        locale=["vi"],
        ignore_patterns=list(IGNORED),
        no_obsolete=True,
        verbosity=0,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    assert (PO_PATH.read_bytes(), PO_PATH.stat().st_mtime_ns) == before, "real .po touched"
    regenerated = read_po(source / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    assert regenerated, "makemessages extracted nothing"
    problems = _problems(regenerated)
    assert not problems, (
        "Strings in the code without a Vietnamese translation (run makemessages -l vi, "
        "translate them in locale/vi/LC_MESSAGES/django.po, then compilemessages):\n"
        + "\n".join(problems)
    )


# --- (d) the translations are used ------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "vietnamese"),
    [
        ("land parcel", "thửa đất"),
        ("map sheet number", "số hiệu tờ bản đồ"),
        ("max land-use coefficient", "hệ số sử dụng đất tối đa"),
        ("Water-source protection zone", "Hành lang bảo vệ nguồn nước"),
    ],
)
def test_vietnamese_is_served(message, vietnamese):
    with translation.override("vi"):
        assert translation.gettext(message) == vietnamese
    with translation.override("en"):
        assert translation.gettext(message) == message


def test_a_formatted_message_keeps_its_values():
    with translation.override("vi"):
        text = translation.gettext("File not found: %(path)s") % {"path": "thua_dat.shp"}
    assert text == "Không tìm thấy tệp: thua_dat.shp"
