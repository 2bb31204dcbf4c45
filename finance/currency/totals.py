"""A total in the home currency that remembers what it is made of.

Each amount goes in with its own currency and day; the total is what could be converted, and
the breakdown keeps, per currency, the original sum, its converted value and any part that
could not be converted (no rate, or an unofficial currency such as a crypto code). That part is
never in the total: pages show it apart, by name.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .convert import Converter, money_round

ZERO = Decimal("0")


@dataclass
class CurrencyPart:
    currency: str
    official: bool = True
    original: Decimal = ZERO
    converted: Decimal = ZERO  # in the home currency, unrounded
    missing: Decimal = ZERO  # in `currency`: what had no rate

    @property
    def converted_rounded(self) -> Decimal:
        return money_round(self.converted)


@dataclass
class HomeTotal:
    home: str
    # Not part of the value: two totals are equal when their sums are.
    converter: Converter = field(compare=False, repr=False)
    parts: dict[tuple[str, bool], CurrencyPart] = field(default_factory=dict)

    def add(self, amount: Decimal, currency: str, day: dt.date, *, official: bool = True):
        part = self.parts.get((currency, official))
        if part is None:
            part = self.parts[(currency, official)] = CurrencyPart(currency, official)
        part.original += amount
        converted = (
            self.converter.convert(amount, currency, self.home, day)
            if official and currency
            else None
        )
        if converted is None:
            part.missing += amount
        else:
            part.converted += converted

    @property
    def amount(self) -> Decimal:
        """The rounded total of everything that could be converted."""
        return money_round(sum((p.converted for p in self.parts.values()), ZERO))

    @property
    def exact(self) -> Decimal:
        return sum((p.converted for p in self.parts.values()), ZERO)

    @property
    def breakdown(self) -> list[CurrencyPart]:
        """Per currency, the home currency first, then by code."""
        return sorted(self.parts.values(), key=lambda p: (p.currency != self.home, p.currency))

    @property
    def mixed(self) -> bool:
        return any(p.currency != self.home for p in self.parts.values())

    @property
    def unconverted(self) -> list[CurrencyPart]:
        return [p for p in self.breakdown if p.missing]

    def __bool__(self) -> bool:
        return bool(self.parts)
