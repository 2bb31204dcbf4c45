from django import forms

from ..models import ManualAsset

CURRENCY_FIELD = forms.RegexField(
    regex=r"^[A-Za-z]{3}$",
    max_length=3,
    initial="USD",
    error_messages={"invalid": "Use a three-letter currency code, such as USD."},
)


class ManualAssetForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=ManualAsset.Kind.choices, label="Is it")
    category = forms.ChoiceField(choices=ManualAsset.Category.choices)
    currency = CURRENCY_FIELD
    value = forms.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        help_text="What it is worth today, or what you owe on it.",
    )


class ManualRenameForm(forms.Form):
    name = forms.CharField(max_length=80)
    category = forms.ChoiceField(choices=ManualAsset.Category.choices)


class ManualValueForm(forms.Form):
    value = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    date = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day it was worth this (today unless you say otherwise).",
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date"].initial = today

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError("The date cannot be in the future.")
        return day
