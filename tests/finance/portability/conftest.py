import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from finance import access
from finance.budgets.services import budget_set
from finance.models import DataExport, DataImport, Rule
from finance.portability.export import data_export_build
from finance.splits import Part, splits_set
from finance.tags import transaction_tags_set
from tests.reauth import recently_authenticated


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Exports are files in the default storage: each test gets its own MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organised(alice, money):
    """alice's money with tags, a split, a rule and a budget."""
    transaction_tags_set(user=alice, transaction=money["groceries"], names=["family", "=1+2"])
    splits_set(
        user=alice,
        transaction=money["flight"],
        parts=[
            Part(Decimal("300.00"), "TRAVEL", "ticket"),
            Part(Decimal("89.99"), "FOOD_AND_DRINK", "-meals on board"),
        ],
    )
    Rule.objects.create(
        user=alice, name="Coffee", text_value="starbucks", set_category="FOOD_AND_DRINK"
    )
    food = access.categories_visible(alice).get(code="FOOD_AND_DRINK")
    budget_set(
        user=alice,
        category=food,
        currency="USD",
        month=dt.date.today().replace(day=1),
        amount=Decimal("250.00"),
    )
    return money


# A fresh user to import into, recently signed in again (the upload asks for the password).
@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user(email="carol@example.com", password="carol-pass-1")


@pytest.fixture
def carol_client(carol):
    client = Client()
    client.force_login(carol)
    return recently_authenticated(client, "carol-pass-1")


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def ready_export(user) -> DataExport:
    """An export of the user's data as the task leaves it."""
    row = DataExport.objects.create(user=user, expires_at=timezone.now() + dt.timedelta(hours=1))
    assert data_export_build(export_id=row.pk) == "ready"
    row.refresh_from_db()
    return row


def export_zip(user) -> bytes:
    with ready_export(user).file.open("rb") as f:
        return f.read()


def rezip(data: bytes, name: str, change) -> bytes:
    """The same export with one file's text changed."""
    files = unzip(data)
    files[name] = change(files[name].decode()).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for file_name, content in files.items():
            archive.writestr(file_name, content)
    return out.getvalue()


def upload(client, data: bytes, callbacks, name="ledgerline-export.zip"):
    with callbacks(execute=True):
        return client.post(
            "/settings/import/",
            {"archive": SimpleUploadedFile(name, data, content_type="application/zip")},
        )


def the_import(user) -> DataImport:
    return access.data_imports_visible(user).get()
