"""The export's ZIP, made as a stream of bytes and written to storage as it is made.

zipstream-ng deflates each file as its rows are produced and writes data descriptors after
them, so neither the rows nor the ZIP are ever whole in memory: memory is one chunk of rows
plus zlib's window, whatever the user's size (bench/export_bench.py guards it). Storage
receives a read-only, non-seekable file object; FileSystemStorage copies it chunk by chunk,
and django-storages' S3 backend uploads it in parts.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from zipstream import ZIP_DEFLATED, ZipStream

from .cells import csv_cell, json_line
from .kinds import KINDS, Kind, kind_rows
from .summary import SUMMARY

# Rows are joined into pieces of about this many bytes before they reach zlib.
PIECE = 64 * 1024
FORMAT_VERSION = "2"
# What the ZIP holds: the data (KINDS, what an import reads) and the derived summary.
EXPORTED = (*KINDS, SUMMARY)


class _Line:
    def write(self, value):
        return value


def _pieces(lines: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= PIECE:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _public(kind: Kind, row: dict) -> dict:
    return {name: row[name] for name in kind.header}


def csv_lines(kind: Kind, user) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    yield writer.writerow(kind.header)
    for row in kind_rows(kind, user):
        yield writer.writerow([csv_cell(row[name]) for name in kind.header])


def jsonl_lines(kind: Kind, user) -> Iterator[str]:
    for row in kind_rows(kind, user):
        yield json_line(_public(kind, row))


def readme() -> str:
    out = [
        "Ledgerline: all your data",
        "=========================",
        "",
        f"Format version {FORMAT_VERSION}. Each kind of data is here twice, with the same columns:",
        "<kind>.csv (RFC 4180, UTF-8, CRLF, for spreadsheets) and <kind>.jsonl (one JSON object",
        "per line, for programs).",
        "",
        "CSV: text cells are quoted; a text cell that starts with = + - @ ' (or a tab or line",
        "break), or a piece after a , ; | tab or line break that would start with = + - @, gets",
        "one apostrophe in front so spreadsheets never run it as a formula. Remove that one",
        "apostrophe to get the text back (Ledgerline's import does). yes/no are true/false.",
        'Amounts are exact decimals: unquoted in CSV, strings in JSON ("12.50").',
        "Dates are YYYY-MM-DD, times ISO 8601 in UTC. Empty = none.",
        "summary.csv / summary.jsonl are derived from the other files (totals per month);",
        "an import reads the other files and skips them.",
        "",
    ]
    for kind in EXPORTED:
        out += [f"{kind.name}.csv / {kind.name}.jsonl", f"  {kind.meaning}"]
        width = max(len(name) for name in kind.header)
        meanings = {c.name: c.meaning for c in kind.columns + kind.extra}
        out += [f"  {name.ljust(width)}  {meanings[name]}" for name in kind.header]
        out.append("")
    return "\r\n".join(out)


def zip_stream(user) -> ZipStream:
    zs = ZipStream(compress_type=ZIP_DEFLATED, compress_level=6)
    zs.add(readme(), "README.txt")
    for kind in EXPORTED:
        zs.add(_pieces(csv_lines(kind, user)), f"{kind.name}.csv")
        zs.add(_pieces(jsonl_lines(kind, user)), f"{kind.name}.jsonl")
    return zs


class StreamReader(io.RawIOBase):
    """A file object whose read() pulls the next bytes from an iterator (nothing is kept
    beyond the piece being read)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._left = memoryview(b"")
        self.size_written = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._left:
            try:
                self._left = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        self.size_written += n
        return n
