"""Money is exact: integer minor units with their currency."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from services.licensing.domain.money import CURRENCIES, Money
from shared.errors import Invalid

AWKWARD = ["0.10", "0.30", "1.00", "19.99", "1234567.89", "9999999999999.99", "0.01"]


@pytest.mark.parametrize("currency", CURRENCIES)
def test_amounts_round_trip_exactly(currency):
    for amount in AWKWARD:
        money = Money.parse(amount, currency)
        assert str(money) == amount and money.amount == Decimal(amount)
        assert Money.parse(str(money), currency) == money


def test_a_tenth_plus_two_tenths_is_three_tenths():
    assert Money.parse("0.10", "USD") + Money.parse("0.20", "USD") == Money.parse("0.30", "USD")


def test_amounts_are_kept_in_minor_units():
    assert Money.parse("25000.00", "CNY") == Money(2_500_000, "CNY")
    assert Money.parse(7, "HKD").minor == 700
    assert Money.parse(Decimal("1.5"), "USD").minor == 150


def test_display_groups_thousands_and_names_the_currency():
    assert Money.parse("1234567.89", "HKD").display() == "HKD 1,234,567.89"


def test_as_dict_is_a_decimal_string_with_its_currency():
    assert Money(5, "USD").as_dict() == {"amount": "0.05", "currency": "USD"}


def test_subtraction_keeps_the_currency():
    assert Money(500, "USD") - Money(200, "USD") == Money(300, "USD")


@pytest.mark.parametrize(
    "amount", ["0.001", "-1.00", "NaN", "Infinity", "abc", 1.5, True, "1" * 14, None]
)
def test_unusable_amounts_are_refused_naming_the_field(amount):
    with pytest.raises(Invalid) as error:
        Money.parse(amount, "USD", field="price.amount")
    assert error.value.field == "price.amount"


def test_an_unknown_currency_is_refused_naming_the_currency():
    with pytest.raises(Invalid) as error:
        Money.parse("1.00", "EUR")
    assert error.value.field == "currency"


def test_two_currencies_do_not_add():
    with pytest.raises(ValueError):
        Money.parse("1.00", "USD") + Money.parse("1.00", "CNY")


def test_no_float_in_money_code():
    """Every licensing module that handles money (names Money or a minor-units column)."""
    root = Path(__file__).resolve().parents[5] / "services" / "licensing"
    money_modules = [
        path for path in root.rglob("*.py") if re.search(r"\bMoney\b|_minor\b", path.read_text())
    ]
    assert len(money_modules) >= 6
    for path in money_modules:
        assert not re.search(r"\bfloat\b", path.read_text()), f"{path} mentions float"
