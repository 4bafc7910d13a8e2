"""Exact money: integer minor units with their currency, never a binary fraction.

Amounts travel as decimal strings ("25000.00") and are stored as integer minor units (cents,
fen) next to their currency code; arithmetic happens on the integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from shared.errors import Invalid

# ISO 4217 minor-unit exponents of the currencies the marketplace trades in.
EXPONENTS = {"USD": 2, "CNY": 2, "HKD": 2}
CURRENCIES = tuple(EXPONENTS)
MAXIMUM = Decimal(10) ** 13  # fits a BIGINT of minor units with room to add


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    @classmethod
    def parse(cls, amount, currency: str, *, field: str = "amount") -> Money:
        """From a decimal string (or Decimal/int); more decimals than the currency has, a
        negative amount or anything that is not a number is refused, naming `field`."""
        if currency not in EXPONENTS:
            raise Invalid(f"{currency!r} is not one of {', '.join(CURRENCIES)}", field="currency")
        if isinstance(amount, bool) or not isinstance(amount, (str, int, Decimal)):
            raise Invalid("the amount must be a decimal string such as '25000.00'", field=field)
        try:
            value = Decimal(amount)
        except InvalidOperation:
            raise Invalid(f"{amount!r} is not a decimal amount", field=field) from None
        if not value.is_finite() or value < 0 or value >= MAXIMUM:
            raise Invalid(f"the amount must be at least 0 and below {MAXIMUM}", field=field)
        minor = value.scaleb(EXPONENTS[currency])
        if minor != minor.to_integral_value():
            raise Invalid(
                f"{currency} has {EXPONENTS[currency]} decimal places at most", field=field
            )
        return cls(int(minor), currency)

    @property
    def amount(self) -> Decimal:
        return Decimal(self.minor).scaleb(-EXPONENTS[self.currency])

    def __str__(self) -> str:
        """The decimal string with exactly the currency's decimals: '25000.00'."""
        return f"{self.amount:.{EXPONENTS[self.currency]}f}"

    def display(self) -> str:
        """For documents: 'USD 25,000.00'."""
        return f"{self.currency} {self.amount:,.{EXPONENTS[self.currency]}f}"

    def as_dict(self) -> dict:
        return {"amount": str(self), "currency": self.currency}

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")
