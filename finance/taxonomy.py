"""Plaid's personal finance category (PFC) taxonomy: what a new user's category tree starts as.

Both versions are mapped. v1 is the 16 primaries below with their detailed codes; v2 (which
customers enabled after December 2025 may be the only ones to receive) adds LOAN_DISBURSEMENTS
and OTHER as primaries and renames some detailed codes. A detailed code the table does not know
falls back to its primary, and an unknown primary to "Uncategorised", so a new Plaid code never
breaks a total: it lands somewhere the user can see and move.

The kind is what every total reads: spending and income count, transfer and excluded do not.
Borrowed money (LOAN_DISBURSEMENTS) is a transfer, not income.
"""

SPENDING = "spending"
INCOME = "income"
TRANSFER = "transfer"
EXCLUDED = "excluded"

UNCATEGORISED = "UNCATEGORISED"

# primary code -> (kind, detailed suffixes after "<PRIMARY>_")
PRIMARIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "INCOME": (
        INCOME,
        (
            "DIVIDENDS",
            "INTEREST_EARNED",
            "RETIREMENT_PENSION",
            "TAX_REFUND",
            "UNEMPLOYMENT",
            "WAGES",
            "OTHER_INCOME",
        ),
    ),
    "TRANSFER_IN": (
        TRANSFER,
        (
            "CASH_ADVANCES_AND_LOANS",
            "DEPOSIT",
            "INVESTMENT_AND_RETIREMENT_FUNDS",
            "SAVINGS",
            "ACCOUNT_TRANSFER",
            "OTHER_TRANSFER_IN",
        ),
    ),
    "TRANSFER_OUT": (
        TRANSFER,
        (
            "INVESTMENT_AND_RETIREMENT_FUNDS",
            "SAVINGS",
            "WITHDRAWAL",
            "ACCOUNT_TRANSFER",
            "OTHER_TRANSFER_OUT",
        ),
    ),
    "LOAN_PAYMENTS": (
        SPENDING,
        (
            "CAR_PAYMENT",
            "CREDIT_CARD_PAYMENT",
            "PERSONAL_LOAN_PAYMENT",
            "MORTGAGE_PAYMENT",
            "STUDENT_LOAN_PAYMENT",
            "OTHER_PAYMENT",
        ),
    ),
    "LOAN_DISBURSEMENTS": (TRANSFER, ()),
    "BANK_FEES": (
        SPENDING,
        (
            "ATM_FEES",
            "FOREIGN_TRANSACTION_FEES",
            "INSUFFICIENT_FUNDS",
            "INTEREST_CHARGE",
            "OVERDRAFT_FEES",
            "OTHER_BANK_FEES",
        ),
    ),
    "ENTERTAINMENT": (
        SPENDING,
        (
            "CASINOS_AND_GAMBLING",
            "MUSIC_AND_AUDIO",
            "SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS",
            "TV_AND_MOVIES",
            "VIDEO_GAMES",
            "OTHER_ENTERTAINMENT",
        ),
    ),
    "FOOD_AND_DRINK": (
        SPENDING,
        (
            "BEER_WINE_AND_LIQUOR",
            "COFFEE",
            "FAST_FOOD",
            "GROCERIES",
            "RESTAURANT",
            "VENDING_MACHINES",
            "OTHER_FOOD_AND_DRINK",
        ),
    ),
    "GENERAL_MERCHANDISE": (
        SPENDING,
        (
            "BOOKSTORES_AND_NEWSSTANDS",
            "CLOTHING_AND_ACCESSORIES",
            "CONVENIENCE_STORES",
            "DEPARTMENT_STORES",
            "DISCOUNT_STORES",
            "ELECTRONICS",
            "GIFTS_AND_NOVELTIES",
            "OFFICE_SUPPLIES",
            "ONLINE_MARKETPLACES",
            "PET_SUPPLIES",
            "SPORTING_GOODS",
            "SUPERSTORES",
            "TOBACCO_AND_VAPE",
            "OTHER_GENERAL_MERCHANDISE",
        ),
    ),
    "HOME_IMPROVEMENT": (
        SPENDING,
        ("FURNITURE", "HARDWARE", "REPAIR_AND_MAINTENANCE", "SECURITY", "OTHER_HOME_IMPROVEMENT"),
    ),
    "MEDICAL": (
        SPENDING,
        (
            "DENTAL_CARE",
            "EYE_CARE",
            "NURSING_CARE",
            "PHARMACIES_AND_SUPPLEMENTS",
            "PRIMARY_CARE",
            "VETERINARY_SERVICES",
            "OTHER_MEDICAL",
        ),
    ),
    "PERSONAL_CARE": (
        SPENDING,
        (
            "GYMS_AND_FITNESS_CENTERS",
            "HAIR_AND_BEAUTY",
            "LAUNDRY_AND_DRY_CLEANING",
            "OTHER_PERSONAL_CARE",
        ),
    ),
    "GENERAL_SERVICES": (
        SPENDING,
        (
            "ACCOUNTING_AND_FINANCIAL_PLANNING",
            "AUTOMOTIVE",
            "CHILDCARE",
            "CONSULTING_AND_LEGAL",
            "EDUCATION",
            "INSURANCE",
            "POSTAGE_AND_SHIPPING",
            "STORAGE",
            "OTHER_GENERAL_SERVICES",
        ),
    ),
    "GOVERNMENT_AND_NON_PROFIT": (
        SPENDING,
        (
            "DONATIONS",
            "GOVERNMENT_DEPARTMENTS_AND_AGENCIES",
            "TAX_PAYMENT",
            "OTHER_GOVERNMENT_AND_NON_PROFIT",
        ),
    ),
    "TRANSPORTATION": (
        SPENDING,
        (
            "BIKES_AND_SCOOTERS",
            "GAS",
            "PARKING",
            "PUBLIC_TRANSIT",
            "TAXIS_AND_RIDE_SHARES",
            "TOLLS",
            "OTHER_TRANSPORTATION",
        ),
    ),
    "TRAVEL": (SPENDING, ("FLIGHTS", "LODGING", "RENTAL_CARS", "OTHER_TRAVEL")),
    "RENT_AND_UTILITIES": (
        SPENDING,
        (
            "GAS_AND_ELECTRICITY",
            "INTERNET_AND_CABLE",
            "RENT",
            "SEWAGE_AND_WASTE_MANAGEMENT",
            "TELEPHONE",
            "WATER",
            "OTHER_UTILITIES",
        ),
    ),
    "OTHER": (SPENDING, ()),
    UNCATEGORISED: (SPENDING, ()),
}

# Detailed codes whose kind differs from their primary's: none today. A credit card payment
# stays spending on purpose: when the card is linked here, finance.transfers pairs the payment
# with its arrival on the card and both leave the totals; a payment to a card that is not
# linked is real money out, which the user can still set to "excluded".
DETAILED_KINDS: dict[str, str] = {}

# v2 detailed codes that name a v1 category under another name; read onto the v1 category so
# a user's totals do not split when their data moves to v2. Unlisted v2 codes reach their
# primary through the fallback.
V2_DETAILED_ALIASES = {
    "INCOME_SALARY": "INCOME_WAGES",
    "INCOME_GIG_ECONOMY": "INCOME_WAGES",
    "INCOME_OTHER": "INCOME_OTHER_INCOME",
}


def label(code: str) -> str:
    if not code or code == UNCATEGORISED:
        return "Uncategorised"
    return code.replace("_AND_", " & ").replace("_", " ").capitalize()


def seed_rows() -> list[dict]:
    """Every category a new user starts with: {code, name, kind, parent_code}."""
    rows = []
    for primary, (kind, details) in PRIMARIES.items():
        rows.append({"code": primary, "name": label(primary), "kind": kind, "parent_code": ""})
        for suffix in details:
            code = f"{primary}_{suffix}"
            rows.append(
                {
                    "code": code,
                    "name": label(suffix),
                    "kind": DETAILED_KINDS.get(code, kind),
                    "parent_code": primary,
                }
            )
    return rows
