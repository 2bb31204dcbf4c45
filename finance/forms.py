"""Forms for the finance pages. Bad input becomes a field error, never an exception."""

from decimal import Decimal

from django import forms

from banking.categories import CATEGORY_CHOICES, category_label
from banking.models import Account, Transaction

from . import access
from .categories import category_book
from .pagination import SORTS


def _amount_field(label: str) -> forms.DecimalField:
    # The size of an amount, either way: the filter matches money in and out alike.
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AccountChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        # A malformed id reads the same as someone else's: not one of yours.
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )

    def label_from_instance(self, account):
        bank = account.item.display_name
        mask = f" ••{account.mask}" if account.mask else ""
        return f"{account.name}{mask} · {bank}"


class TransactionFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or merchant"}),
    )
    account = AccountChoiceField(
        queryset=Account.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="All accounts",
        error_messages={
            "invalid_choice": "That account is not one of yours. Pick one from the list."
        },
    )
    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To", required=False, widget=DateInput())
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *CATEGORY_CHOICES]
    )
    tag = forms.CharField(label="Tag", required=False, max_length=40, strip=True)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Pending and posted"),
            ("pending", "Pending only"),
            ("posted", "Posted only"),
        ],
    )
    direction = forms.ChoiceField(
        label="Money",
        required=False,
        choices=[("", "In and out"), ("out", "Money out"), ("in", "Money in")],
    )
    min_amount = _amount_field("Amount from")
    max_amount = _amount_field("Amount to")
    # A CharField with a select: an unknown sort falls back to newest instead of an error.
    sort = forms.CharField(
        label="Sort",
        required=False,
        widget=forms.Select(
            choices=[
                ("newest", "Newest first"),
                ("oldest", "Oldest first"),
                ("largest", "Largest out first"),
                ("smallest", "Largest in first"),
            ]
        ),
    )

    def __init__(self, *args, user, household=False, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Kept for the query: the list filters by the same tree it offered.
        self.book = category_book(user=user)
        self.fields["category"].choices = [("", "All categories"), *self.book.choices()]
        self.fields["account"].queryset = (
            access.accounts_visible(user, household=household)
            .select_related("item__institution")
            .order_by("item__created_at", "type", "name")
        )

    def clean_sort(self):
        sort = self.cleaned_data.get("sort") or "newest"
        return sort if sort in SORTS else "newest"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            self.add_error("max_amount", "The upper amount is smaller than the lower one.")
        return data

    def is_filtered(self) -> bool:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        ignored = {"sort"}
        return any(v not in (None, "") for k, v in self.cleaned_data.items() if k not in ignored)


class TransactionEditForm(forms.ModelForm):
    """The user's own fields. The sync never writes these, so edits survive re-syncs."""

    category_override = forms.ChoiceField(label="Category", required=False)
    notes = forms.CharField(
        label="Notes", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Transaction
        fields = ["category_override", "notes"]

    def __init__(self, *args, category_choices=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        bank = category_label(self.instance.pfc_primary) if self.instance.pfc_primary else "none"
        self.fields["category_override"].choices = [
            ("", f"Bank's category ({bank})"),
            *(CATEGORY_CHOICES if category_choices is None else category_choices),
        ]


class AccountPreferenceForm(forms.Form):
    """One account's row on /dashboard/accounts/ (prefixed with the account's public id)."""

    nickname = forms.CharField(label="Your name for it", max_length=80, required=False)
    in_totals = forms.BooleanField(label="Count in totals", required=False)
    position = forms.IntegerField(label="Order", min_value=0, max_value=999)
