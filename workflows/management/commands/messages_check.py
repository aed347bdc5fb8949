"""The English catalogue against the code: ``python manage.py messages_check`` (``make messages-check``).

SOPFlow's msgids are Indonesian (the shipped language); sopflow/locale/en translates them. This
command extracts every msgid of SOPFlow's own code and templates with ``makemessages`` into a
temporary folder (the catalogues in sopflow/locale are not touched, the hand-kept Indonesian one
least of all), then lists each msgid that sopflow/locale/en/LC_MESSAGES/django.po does not
translate (missing, empty or fuzzy), each translation whose placeholders differ from its msgid's,
and the entries no code uses any more. Exit status 1 when something is untranslated or a
placeholder is wrong, so CI and other branches see what to complete.

``--update`` instead merges the code's msgids into the English catalogue in place (new ones
empty, translations kept, unused ones dropped): the first half of ``make messages``.

A developer's tool: its output is English, like the Makefile's.
"""

import os
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

LANGUAGE = "en"
# What is not SOPFlow's own code: tests, benchmarks, deployment files, data, and the catalogues.
IGNORE = ["sopflow/locale", "tests/*", "bench/*", "deploy/*", "static/*", "var/*", "media/*", "node_modules/*",
          "staticfiles/*", "build/*", "dist/*"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")


def catalogue_path():
    return Path(settings.LOCALE_PATHS[0]) / LANGUAGE / "LC_MESSAGES" / "django.po"


@contextmanager
def in_project():
    previous = os.getcwd()
    os.chdir(settings.BASE_DIR)
    try:
        yield
    finally:
        os.chdir(previous)


def extract(into=None):
    """Run makemessages for English over the project; into ``into`` (a folder) or in place."""
    options = {"locale": [LANGUAGE], "ignore_patterns": IGNORE, "no_obsolete": True, "verbosity": 0}
    with in_project():
        if into is None:
            call_command("makemessages", **options)
        else:
            with override_settings(LOCALE_PATHS=[str(into)]):
                call_command("makemessages", **options)


def placeholders(text):
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text or ""))


def key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def translated(entry):
    if entry.fuzzy or entry.obsolete:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def wrong_placeholders(entry):
    """The forms of ``entry`` whose placeholders are not the msgid's (with ``count`` free in a
    singular, which may spell the number out)."""
    if entry.msgid_plural:
        wanted = placeholders(entry.msgid_plural)
        return [text for text in entry.msgstr_plural.values() if placeholders(text) != wanted
                and placeholders(text) != placeholders(entry.msgid)]
    return [entry.msgstr] if placeholders(entry.msgstr) != placeholders(entry.msgid) else []


def where(entry):
    return ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])


class Command(BaseCommand):
    help = "List SOPFlow's msgids without an English translation (or update the English catalogue)."

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true",
                            help="merge the code's msgids into sopflow/locale/en in place instead of checking")

    def handle(self, *args, update=False, **options):
        try:
            import polib
        except ImportError:
            raise CommandError("polib is missing: pip install -r requirements-dev.txt") from None
        if update:
            extract()
            self.stdout.write(f"Updated {catalogue_path().relative_to(settings.BASE_DIR)}; now translate its empty entries.")
            return
        with tempfile.TemporaryDirectory(prefix="sopflow-messages-") as folder:
            extract(folder)
            code = polib.pofile(str(Path(folder) / LANGUAGE / "LC_MESSAGES" / "django.po"))
        path = catalogue_path()
        ours = polib.pofile(str(path)) if path.exists() else polib.POFile()
        by_key = {key(entry): entry for entry in ours if not entry.obsolete}
        missing, wrong = [], []
        for entry in code:
            mine = by_key.get(key(entry))
            if mine is None or not translated(mine):
                missing.append(entry)
            elif wrong_placeholders(mine):
                wrong.append(mine)
        used = {key(entry) for entry in code}
        unused = [entry for entry in by_key.values() if key(entry) not in used]
        write = self.stdout.write
        for entry in missing:
            write(f"untranslated: {entry.msgid!r}  ({where(entry)})")
        for entry in wrong:
            write(f"placeholders differ: {entry.msgid!r} -> {entry.msgstr or entry.msgstr_plural!r}")
        for entry in unused:
            write(f"unused (make messages drops it): {entry.msgid!r}")
        write(f"{len(code)} msgids in the code; {len(missing)} without English, {len(wrong)} with wrong "
              f"placeholders, {len(unused)} unused in {path.relative_to(settings.BASE_DIR)}.")
        if missing or wrong:
            write("Run `make messages`, translate the empty entries of the English catalogue, run it again.")
            sys.exit(1)
