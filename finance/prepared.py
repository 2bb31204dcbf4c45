"""Queries run after every sync, built and compiled by Django once per database connection.

Building a QuerySet and compiling it to SQL costs Python time on every call, a millisecond or
two for a query with subqueries: as much as running it. The alerts hook runs the same few
queries after every sync with new values each time. A PreparedQuery asks Django for a query's
SQL once, built from stand-in values, notes where each stand-in landed among the parameters,
and later runs that SQL with the call's values in their place (prepared for the database by
the model field they are compared with, as a lookup does), converting each column as Django's
own results would. The SQL and the conversions are Django's; when a stand-in cannot be placed
(it was inlined, or appears twice), every call goes through the ORM instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, QuerySet


@dataclass(frozen=True)
class Slot:
    """One value of a prepared query: its stand-in, and the field it is compared with."""

    stand_in: Any
    field: Field


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    places: dict[str, int]
    converters: list[tuple[int, tuple[list, Any]]]
    names: tuple[str, ...]


class PreparedQuery:
    """build(**values) returns a values() QuerySet for those values; `slots` names each value
    with its stand-in (a value no real call uses) and the field it is compared with. rows()
    gives dicts, as values() does."""

    def __init__(self, build: Callable[..., QuerySet], **slots: Slot):
        self.build = build
        self.slots = slots
        self._compiled: WeakKeyDictionary[Any, _Compiled | None] = WeakKeyDictionary()

    def compiled(self) -> bool:
        """Whether this connection runs the compiled SQL (False: every call goes to the ORM)."""
        return self._compiled_for(connections[DEFAULT_DB_ALIAS]) is not None

    def rows(self, **values) -> list[dict[str, Any]]:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._compiled_for(connection)
        if compiled is None:
            return list(self.build(**values))
        params = list(compiled.params)
        for name, place in compiled.places.items():
            params[place] = self.slots[name].field.get_db_prep_value(values[name], connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for pos, (convs, expression) in compiled.converters:
            for row in rows:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _compiled_for(self, connection) -> _Compiled | None:
        if connection not in self._compiled:
            self._compiled[connection] = self._compile(connection)
        return self._compiled[connection]

    def _compile(self, connection) -> _Compiled | None:
        query = self.build(**{name: s.stand_in for name, s in self.slots.items()}).query
        # The columns in the order the SQL selects them (values() names them the same way).
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        places = {}
        for name, slot in self.slots.items():
            prepared = slot.field.get_db_prep_value(slot.stand_in, connection)
            found = [i for i, p in enumerate(params) if type(p) is type(prepared) and p == prepared]
            if len(found) != 1:
                return None
            places[name] = found[0]
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        if len(names) != len(fields):
            return None
        converters = list(compiler.get_converters(fields).items())
        return _Compiled(sql, tuple(params), places, converters, names)
