"""Liabilities: a credit card's statement cycle and the terms of student loans and mortgages.

A card's statement closes on the 28th and is due 25 days later; its balances come from the
card's own transactions, so they agree with /transactions/sync. A loan is paid on its due day
while the item's clock moves (activity.advance adds the payment and the interest charge as
transactions on the loan account), so the balance owed amortises the way the backfill of
balances can see.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

STATEMENT_DAY = 28
DUE_AFTER_DAYS = 25
# subtype: (annual rate %, monthly payment, due day, origination, original principal, term)
TERMS = {
    "mortgage": (3.99, 640.00, 1, date(2014, 6, 1), 98500.00, "30 year"),
    "student": (5.25, 185.00, 15, date(2017, 9, 1), 24000.00, "10 year"),
}
SERVICER = {
    "city": "San Matias",
    "region": "CA",
    "street": "123 Relaxation Road",
    "postal_code": "99415",
    "country": "US",
}


def _last_on(today: date, day_no: int) -> date:
    d = today.replace(day=day_no)
    if d > today:
        d = (d.replace(day=1) - timedelta(days=1)).replace(day=day_no)
    return d


def _next_on(today: date, day_no: int) -> date:
    d = today.replace(day=day_no)
    if d <= today:
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=day_no)
    return d


def is_due(acct: dict, day: date) -> bool:
    terms = TERMS.get(acct["subtype"]) if acct["type"] == "loan" else None
    return bool(terms) and day.day == terms[2]


def split(acct: dict, balance: float) -> tuple[float, float]:
    """(payment, interest) of this month's payment on `balance` owed."""
    rate, payment = TERMS[acct["subtype"]][:2]
    interest = round(balance * rate / 100 / 12, 2)
    return min(payment, round(balance + interest, 2)), interest


def _payoff(balance: float, rate: float, payment: float, today: date) -> date:
    r = rate / 100 / 12
    months = math.ceil(-math.log(1 - r * balance / payment) / math.log(1 + r)) if balance else 0
    return today + timedelta(days=round(months * 30.44))


def _ytd(acct: dict, balance: float, today: date) -> tuple[float, float]:
    # The payments since January at today's balance: close enough for a year-to-date line.
    payments = _last_on(today, TERMS[acct["subtype"]][2]).month
    payment, interest = split(acct, balance)
    return round(interest * payments, 2), round((payment - interest) * payments, 2)


def loan(acct: dict, balance: float, today: date) -> dict:
    rate, payment, due_day, origin, principal, term = TERMS[acct["subtype"]]
    last = _last_on(today, due_day)
    nxt = _next_on(today, due_day)
    ytd_interest, ytd_principal = _ytd(acct, balance, today)
    common = {
        "account_id": acct["account_id"],
        "account_number": "4277" + acct["mask"],
        "last_payment_amount": payment,
        "last_payment_date": last.isoformat(),
        "next_payment_due_date": nxt.isoformat(),
        "origination_date": origin.isoformat(),
        "origination_principal_amount": principal,
        "ytd_interest_paid": ytd_interest,
        "ytd_principal_paid": ytd_principal,
    }
    payoff = _payoff(balance, rate, payment, today).isoformat()
    if acct["subtype"] == "mortgage":
        return {
            **common,
            "current_late_fee": 0.0,
            "escrow_balance": 1820.45,
            "has_pmi": False,
            "has_prepayment_penalty": False,
            "interest_rate": {"percentage": rate, "type": "fixed"},
            "loan_type_description": "conventional",
            "loan_term": term,
            "maturity_date": payoff,
            "next_monthly_payment": payment,
            "past_due_amount": 0.0,
            "property_address": {
                "city": "Malakoff",
                "country": "US",
                "postal_code": "14236",
                "region": "NY",
                "street": "2992 Cameron Road",
            },
        }
    return {
        **common,
        "disbursement_dates": [origin.isoformat()],
        "expected_payoff_date": payoff,
        "guarantor": "DEPT OF ED",
        "interest_rate_percentage": rate,
        "is_overdue": False,
        "last_statement_issue_date": (nxt - timedelta(days=21)).isoformat(),
        "last_statement_balance": round(balance, 2),
        "loan_name": "Consolidation",
        "loan_status": {"end_date": payoff, "type": "repayment"},
        "minimum_payment_amount": payment,
        "outstanding_interest_amount": 0.0,
        "payment_reference_number": "4277" + acct["mask"],
        "pslf_status": {
            "estimated_eligibility_date": None,
            "payments_made": None,
            "payments_remaining": None,
        },
        "repayment_plan": {"description": "Standard Repayment", "type": "standard"},
        "sequence_number": "1",
        "servicer_address": SERVICER,
    }


def card(acct: dict, start_balance: float, txns: list, today: date) -> dict:
    """The card's last statement (closed on the 28th) from its posted transactions."""
    stmt = _last_on(today, STATEMENT_DAY)
    due = stmt + timedelta(days=DUE_AFTER_DAYS)
    posted = [t for t in txns if not t.pending]
    closing = round(start_balance + sum(t.amount for t in posted if t.date <= stmt.isoformat()), 2)
    payments = sorted((t for t in posted if t.amount < 0), key=lambda t: t.date)
    last = payments[-1] if payments else None
    paid_since = -sum(t.amount for t in payments if t.date > stmt.isoformat())
    minimum = round(min(max(closing, 0.0), max(25.0, closing * 0.02)), 2)
    return {
        "account_id": acct["account_id"],
        "aprs": [
            {
                "apr_percentage": 12.5,
                "apr_type": "purchase_apr",
                "balance_subject_to_apr": max(closing, 0.0),
                "interest_charge_amount": 0.0,
            },
            {
                "apr_percentage": 25.0,
                "apr_type": "cash_apr",
                "balance_subject_to_apr": 0.0,
                "interest_charge_amount": 0.0,
            },
        ],
        "is_overdue": today > due and paid_since < minimum,
        "last_payment_amount": -last.amount if last else None,
        "last_payment_date": last.date if last else None,
        "last_statement_issue_date": stmt.isoformat(),
        "last_statement_balance": closing,
        "minimum_payment_amount": minimum,
        "next_payment_due_date": due.isoformat() if closing > 0 else None,
    }
