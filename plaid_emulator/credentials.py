"""Plaid Sandbox's test credentials: what a username and password lead to.

- `user_good` / `pass_good`; `user_transactions_dynamic` with any non-blank password.
- `user_good` / `error_<ERROR_CODE>`: that error when the item would be created.
- `user_good` / `mfa_device` (code 1234), `mfa_questions_<n>_<m>` (n rounds of m questions,
  answer `answer_<i>_<j>`), `mfa_selections` (answer `Yes`). At /sandbox/public_token/create
  there is nobody to answer, so MFA is skipped, as on Plaid.
- `user_custom` / a JSON document (Plaid's UserCustomPassword): accounts, balances,
  currencies and transactions of your own, `force_error`, `mfa`.
- The OAuth banks authenticate on their own consent page, so the password is never seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .errors import PlaidError, invalid_field

# Codes an error_<CODE> password can produce: the Sandbox docs' table and the user_custom
# force_error list.
ERROR_PASSWORD_CODES = (
    "COUNTRY_NOT_SUPPORTED",
    "INSTITUTION_DOWN",
    "INSTITUTION_NOT_RESPONDING",
    "INSTITUTION_NOT_AVAILABLE",
    "INSTITUTION_NO_LONGER_SUPPORTED",
    "INSUFFICIENT_CREDENTIALS",
    "INTERNAL_SERVER_ERROR",
    "INVALID_CREDENTIALS",
    "INVALID_MFA",
    "INVALID_SEND_METHOD",
    "ITEM_LOCKED",
    "ITEM_LOGIN_REQUIRED",
    "ITEM_NOT_SUPPORTED",
    "MFA_NOT_SUPPORTED",
    "NO_ACCOUNTS",
    "PLAID_ERROR",
    "PRODUCTS_NOT_SUPPORTED",
    "USER_INPUT_TIMEOUT",
    "USER_SETUP_REQUIRED",
)
MFA_QUESTIONS = re.compile(r"mfa_questions_([1-9])_([1-9])")
ACCOUNT_TYPES = ("depository", "credit", "loan", "investment", "other")


@dataclass
class Login:
    username: str
    mfa: dict | None = None  # {"type": "device" | "questions" | "selections", ...}
    custom: dict | None = None  # a parsed user_custom configuration


def _mfa(config) -> dict | None:
    if not isinstance(config, dict):
        return None
    kind = config.get("type")
    if kind == "device":
        return {"type": "device"}
    if kind == "selections":
        return {"type": "selections", "rounds": _small(config.get("selection_rounds"), 1)}
    if kind == "questions":
        return {
            "type": "questions",
            "rounds": _small(config.get("question_rounds"), 1),
            "per_round": _small(config.get("questions_per_round"), 1),
        }
    return None


def _small(v, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 9 else default


def _custom(password: str) -> dict:
    try:
        config = json.loads(password)
    except ValueError:
        raise PlaidError("INVALID_CREDENTIALS", "user_custom expects a JSON password") from None
    if not isinstance(config, dict):
        raise PlaidError("INVALID_CREDENTIALS", "user_custom expects a JSON object")
    forced = config.get("force_error")
    if isinstance(forced, str) and forced in ERROR_PASSWORD_CODES:
        raise PlaidError(forced)
    accounts = config.get("override_accounts") or []
    if not isinstance(accounts, list):
        raise invalid_field("override_accounts", "must be an array")
    for i, a in enumerate(accounts):
        if not isinstance(a, dict) or a.get("type", "depository") not in ACCOUNT_TYPES:
            raise invalid_field(f"override_accounts[{i}].type", "must be an account type")
    return config


def login(username: str, password: str, inst: dict) -> Login:
    if inst["kind"] == "oauth":
        return Login(username or "user_good")
    if username == "user_custom":
        config = _custom(password)
        return Login(username, _mfa(config.get("mfa")), config)
    if username == "user_transactions_dynamic" and password:
        return Login(username, {"type": "device"} if inst["kind"] == "mfa" else None)
    if username != "user_good":
        raise PlaidError("INVALID_CREDENTIALS")
    if password == "pass_good":
        return Login(username, {"type": "device"} if inst["kind"] == "mfa" else None)
    if password.startswith("error_") and password[6:] in ERROR_PASSWORD_CODES:
        raise PlaidError(password[6:])
    if password == "mfa_device":
        return Login(username, {"type": "device"})
    if password == "mfa_selections":
        return Login(username, {"type": "selections", "rounds": 1})
    m = MFA_QUESTIONS.fullmatch(password)
    if m:
        return Login(username, {"type": "questions", "rounds": int(m[1]), "per_round": int(m[2])})
    raise PlaidError("INVALID_CREDENTIALS")


def challenge(mfa: dict, round_no: int, inst: dict) -> dict:
    """What the Link look-alike shows for one MFA round."""
    if mfa["type"] == "device":
        return {"type": "device", "prompt": "Enter the code we sent to your phone ending 4321"}
    if mfa["type"] == "selections":
        return {
            "type": "selections",
            "prompt": f"Question {round_no + 1}: did you make a recent purchase at {inst['name']}?",
            "options": ["Yes", "No"],
        }
    return {
        "type": "questions",
        "prompt": f"Security questions, round {round_no + 1} of {mfa['rounds']}",
        "questions": [f"Question {round_no}.{j}" for j in range(mfa["per_round"])],
    }


def answer_ok(mfa: dict, round_no: int, inst: dict, body: dict) -> bool:
    if mfa["type"] == "device":
        return body.get("code") == inst.get("mfa_code", "1234")
    answers = body.get("answers")
    if not isinstance(answers, list):
        return False
    if mfa["type"] == "selections":
        return answers == ["Yes"]
    return answers == [f"answer_{round_no}_{j}" for j in range(mfa["per_round"])]
