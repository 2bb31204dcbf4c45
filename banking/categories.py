"""Plaid's personal-finance categories (primary level), the only categories the site offers.

Overrides are chosen from the same list, so filters and charts never need to ask the database
which categories exist (that question costs a scan of every transaction a user has).
"""

CATEGORIES = [
    "INCOME",
    "TRANSFER_IN",
    "TRANSFER_OUT",
    "LOAN_PAYMENTS",
    "BANK_FEES",
    "ENTERTAINMENT",
    "FOOD_AND_DRINK",
    "GENERAL_MERCHANDISE",
    "HOME_IMPROVEMENT",
    "MEDICAL",
    "PERSONAL_CARE",
    "GENERAL_SERVICES",
    "GOVERNMENT_AND_NON_PROFIT",
    "TRANSPORTATION",
    "TRAVEL",
    "RENT_AND_UTILITIES",
]


def category_label(code: str) -> str:
    if not code:
        return "Uncategorised"
    return code.replace("_AND_", " & ").replace("_", " ").capitalize()


CATEGORY_CHOICES = [(code, category_label(code)) for code in CATEGORIES]
