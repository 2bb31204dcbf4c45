"""The rule form. Bad input (a broken regular expression, someone else's account) is a field
error, never an exception."""

import regex
from django import forms

from banking.models import Account

from . import access
from .forms import AccountChoiceField, DateInput
from .models import Rule
from .rule_engine import STAMPED_FIELDS

# What the user sets on a rule: every field a rule run depends on (the engine's stamp, less its
# bookkeeping), as the form names them.
RULE_FIELDS = tuple(
    field.removesuffix("_id") for field in STAMPED_FIELDS if field not in {"pk", "position"}
)


class RuleForm(forms.ModelForm):
    account = AccountChoiceField(
        queryset=Account.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Any account",
        error_messages={
            "invalid_choice": "That account is not one of yours. Pick one from the list."
        },
    )
    set_category = forms.ChoiceField(label="Set category to", required=False)
    set_notes = forms.CharField(
        label="Set notes to", required=False, max_length=1000, widget=forms.Textarea({"rows": 2})
    )
    # The conditions read as a sentence: the text, then money in or out, then the amounts (the
    # other fields keep the stamp's order).
    field_order = ["name", "enabled", "stop_here", "text_field", "text_op", "text_value", "sign"]

    class Meta:
        model = Rule
        fields = ["name", "enabled", *RULE_FIELDS]
        labels = {
            "stop_here": "Stop here: later rules do not run on what this rule matched",
            "text_field": "When the",
            "text_op": "",
            "text_value": "Text",
            "sign": "Money",
            "amount_min": "Amount from",
            "amount_max": "Amount to",
            "plaid_category": "Bank's category code (primary or detailed)",
            "date_from": "From",
            "date_to": "To",
            "set_display_name": "Show the name as",
            "add_tags": "Add tags (comma separated)",
            "mark_transfer": "Mark as a transfer between my accounts",
            "exclude": "Leave out of totals",
        }
        widgets = {
            "date_from": DateInput(),
            "date_to": DateInput(),
            # Read as "When the [name] [contains] [text]": no visible label of its own.
            "text_op": forms.Select(attrs={"aria-label": "How it matches"}),
        }

    def __init__(self, *args, user, category_choices, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = access.accounts_visible(user).select_related(
            "item__institution"
        )
        self.fields["set_category"].choices = [("", "Leave as it is"), *category_choices]

    def clean_text_value(self):
        value = self.cleaned_data.get("text_value", "")
        if value and self.cleaned_data.get("text_op") == Rule.TextOp.REGEX:
            try:
                regex.compile(value)
            except regex.error as exc:
                raise forms.ValidationError(f"That is not a valid regular expression ({exc}).")
        return value

    def clean(self):
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "The upper amount is smaller than the lower one.")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data
