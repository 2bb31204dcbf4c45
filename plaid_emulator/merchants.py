"""The emulator's merchants: names, Plaid categories, channels, amounts and places.

Plaid's side of the taxonomy is kept here on purpose, apart from our app's own copy
(banking/categories.py): the emulator stands in for Plaid and must not import the app.
"""

from __future__ import annotations

import random
import string

_ALNUM = string.ascii_letters + string.digits
# Byte -> alphanumeric. The slight skew (256 is not a multiple of 62) does not matter for ids,
# and one translate() is ~20x cheaper than 37 random choices (items are made by the 10,000).
_ID_TABLE = bytes(ord(_ALNUM[i % len(_ALNUM)]) for i in range(256))

NULL_LOCATION = dict.fromkeys(
    ("address", "city", "region", "postal_code", "country", "lat", "lon", "store_number")
)


def new_id(rng: random.Random) -> str:
    # Plaid's item/account/transaction ids are 37 case-sensitive alphanumerics.
    return rng.randbytes(37).translate(_ID_TABLE).decode()


class Merchant:
    __slots__ = (
        "name",
        "raw",
        "primary",
        "detailed",
        "channel",
        "lo",
        "hi",
        "weight",
        "location",
        "website",
        "logo",
        "entity",
        "pfc",
        "counterparties",
        "ttype",
    )

    def __init__(self, name, raw, detailed, channel, lo, hi, weight, city=None, website=None):
        self.name, self.raw, self.detailed, self.channel = name, raw, detailed, channel
        self.primary = _primary(detailed)
        self.lo, self.hi, self.weight = lo, hi, weight
        self.website = website
        slug = (name or raw).lower().replace(" ", "").replace("'", "")
        self.logo = f"https://plaid-merchant-logos.plaid.com/{slug}_1.png" if name else None
        self.entity = new_id(random.Random(raw)) if name else None
        self.pfc = {"primary": self.primary, "detailed": detailed, "confidence_level": "VERY_HIGH"}
        self.counterparties = (
            [
                {
                    "name": name,
                    "type": "merchant",
                    "logo_url": self.logo,
                    "website": website,
                    "entity_id": self.entity,
                    "confidence_level": "VERY_HIGH",
                }
            ]
            if name
            else []
        )
        if city:
            addr, cty, region, postal, lat, lon, store = city
            self.location = {
                "address": addr,
                "city": cty,
                "region": region,
                "postal_code": postal,
                "country": "US",
                "lat": lat,
                "lon": lon,
                "store_number": store,
            }
        else:
            self.location = NULL_LOCATION
        self.ttype = {"online": "digital", "in store": "place"}.get(channel, "special")


_PRIMARIES = (
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
)


def _primary(detailed: str) -> str:
    return next(p for p in _PRIMARIES if detailed.startswith(p + "_"))


_SF = ("1 Market St", "San Francisco", "CA", "94105", 37.7936, -122.3950)
_NY = ("350 5th Ave", "New York", "NY", "10118", 40.7484, -73.9857)
_PW = ("13425 Community Rd", "Poway", "CA", "92064", 32.959068, -117.037666)


def _loc(base, store):
    return (*base, store)


# Everyday spending: (merchant, bank descriptor, PFC detailed, channel, min $, max $, weight).
SPENDING = [
    Merchant(
        "Walmart",
        "PURCHASE WM SUPERCENTER #1700",
        "GENERAL_MERCHANDISE_SUPERSTORES",
        "in store",
        12,
        180,
        6,
        _loc(_PW, "1700"),
        "walmart.com",
    ),
    Merchant(
        "Starbucks",
        "STARBUCKS STORE 08812",
        "FOOD_AND_DRINK_COFFEE",
        "in store",
        3,
        14,
        12,
        _loc(_SF, "08812"),
        "starbucks.com",
    ),
    Merchant(
        "Whole Foods",
        "WHOLEFDS MKT 10234",
        "FOOD_AND_DRINK_GROCERIES",
        "in store",
        20,
        160,
        9,
        _loc(_SF, "10234"),
        "wholefoodsmarket.com",
    ),
    Merchant(
        "Trader Joe's",
        "TRADER JOE S #236",
        "FOOD_AND_DRINK_GROCERIES",
        "in store",
        15,
        110,
        7,
        _loc(_NY, "236"),
        "traderjoes.com",
    ),
    Merchant(
        "Uber",
        "UBER *TRIP HELP.UBER.COM",
        "TRANSPORTATION_TAXIS_AND_RIDE_SHARES",
        "online",
        8,
        55,
        6,
        None,
        "uber.com",
    ),
    Merchant(
        "Lyft",
        "LYFT *RIDE SUN 11AM",
        "TRANSPORTATION_TAXIS_AND_RIDE_SHARES",
        "online",
        7,
        45,
        3,
        None,
        "lyft.com",
    ),
    Merchant(
        "Amazon",
        "AMZN Mktp US*2K4LL1TQ2",
        "GENERAL_MERCHANDISE_ONLINE_MARKETPLACES",
        "online",
        9,
        240,
        10,
        None,
        "amazon.com",
    ),
    Merchant(
        "Shell",
        "SHELL OIL 57444363801",
        "TRANSPORTATION_GAS",
        "in store",
        25,
        75,
        5,
        _loc(_PW, "5744"),
        "shell.com",
    ),
    Merchant(
        "Chipotle",
        "CHIPOTLE 1182",
        "FOOD_AND_DRINK_FAST_FOOD",
        "in store",
        9,
        28,
        6,
        _loc(_SF, "1182"),
        "chipotle.com",
    ),
    Merchant(
        "McDonald's",
        "MCDONALD'S F2244",
        "FOOD_AND_DRINK_FAST_FOOD",
        "in store",
        5,
        18,
        4,
        _loc(_NY, "2244"),
        "mcdonalds.com",
    ),
    Merchant(
        "Sweetgreen",
        "SWEETGREEN SOMA",
        "FOOD_AND_DRINK_RESTAURANT",
        "in store",
        12,
        24,
        3,
        _loc(_SF, None),
        "sweetgreen.com",
    ),
    Merchant(
        "Netflix",
        "NETFLIX.COM",
        "ENTERTAINMENT_TV_AND_MOVIES",
        "online",
        15.49,
        15.49,
        1,
        None,
        "netflix.com",
    ),
    Merchant(
        "Spotify",
        "SPOTIFY USA",
        "ENTERTAINMENT_MUSIC_AND_AUDIO",
        "online",
        10.99,
        10.99,
        1,
        None,
        "spotify.com",
    ),
    Merchant(
        "Target",
        "TARGET T-2776",
        "GENERAL_MERCHANDISE_SUPERSTORES",
        "in store",
        10,
        150,
        5,
        _loc(_NY, "2776"),
        "target.com",
    ),
    Merchant(
        "CVS",
        "CVS/PHARMACY #09921",
        "MEDICAL_PHARMACIES_AND_SUPPLEMENTS",
        "in store",
        6,
        60,
        3,
        _loc(_SF, "09921"),
        "cvs.com",
    ),
    Merchant(
        "Home Depot",
        "THE HOME DEPOT #6832",
        "HOME_IMPROVEMENT_HARDWARE",
        "in store",
        15,
        320,
        2,
        _loc(_PW, "6832"),
        "homedepot.com",
    ),
    Merchant(
        "Delta",
        "DELTA AIR 0062363598531",
        "TRAVEL_FLIGHTS",
        "online",
        180,
        640,
        0.4,
        None,
        "delta.com",
    ),
    Merchant(
        "Airbnb", "AIRBNB HMQ2TX4PZ", "TRAVEL_LODGING", "online", 140, 900, 0.3, None, "airbnb.com"
    ),
    Merchant(
        "Planet Fitness",
        "PLANET FITNESS CLUB FEES",
        "PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS",
        "other",
        24.99,
        24.99,
        1,
        None,
        "planetfitness.com",
    ),
    Merchant(None, "SQ *CORNER BAKERY", "FOOD_AND_DRINK_RESTAURANT", "in store", 4, 22, 3),
    Merchant(None, "ATM FEE", "BANK_FEES_ATM_FEES", "other", 2.5, 3.5, 0.3),
]
_WEIGHTS = [m.weight for m in SPENDING]
SALARY = Merchant(None, "ACME CORP PAYROLL PPD ID: 1234567890", "INCOME_WAGES", "other", 0, 0, 0)
RENT = Merchant(
    None, "RENT PAYMENT - SUNSET APARTMENTS", "RENT_AND_UTILITIES_RENT", "other", 0, 0, 0
)
ELECTRIC = Merchant(
    "PG&E",
    "PGANDE WEB ONLINE",
    "RENT_AND_UTILITIES_GAS_AND_ELECTRICITY",
    "online",
    60,
    160,
    0,
    None,
    "pge.com",
)
INTERNET = Merchant(
    "Comcast",
    "COMCAST CABLE COMM",
    "RENT_AND_UTILITIES_INTERNET_AND_CABLE",
    "online",
    79.99,
    79.99,
    0,
    None,
    "xfinity.com",
)
TO_SAVINGS = Merchant(None, "ONLINE TRANSFER TO SAVINGS", "TRANSFER_OUT_SAVINGS", "online", 0, 0, 0)
FROM_CHECKING = Merchant(
    None, "ONLINE TRANSFER FROM CHECKING", "TRANSFER_IN_SAVINGS", "online", 0, 0, 0
)
CARD_PAYMENT = Merchant(
    None, "CREDIT CARD AUTOPAY", "LOAN_PAYMENTS_CREDIT_CARD_PAYMENT", "other", 0, 0, 0
)
CARD_PAYMENT_IN = Merchant(
    None, "PAYMENT THANK YOU", "TRANSFER_IN_ACCOUNT_TRANSFER", "other", 0, 0, 0
)
INTEREST = Merchant(None, "INTEREST PAYMENT", "INCOME_INTEREST_EARNED", "other", 0, 0, 0)
LOAN_PAYMENT_IN = Merchant(
    None, "LOAN PAYMENT RECEIVED", "TRANSFER_IN_ACCOUNT_TRANSFER", "other", 0, 0, 0
)
LOAN_INTEREST = Merchant(None, "INTEREST CHARGED", "BANK_FEES_INTEREST_CHARGE", "other", 0, 0, 0)
