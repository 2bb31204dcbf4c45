from django import forms

from .home import currency_choices


class HomeCurrencyForm(forms.Form):
    code = forms.ChoiceField(
        label="Show my totals in",
        help_text="Amounts stay in their own currency; totals convert them at the European "
        "Central Bank's rate of each transaction's day (balances at today's).",
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        codes = sorted(set(currency_choices()) | {current})
        self.fields["code"].choices = [(c, c) for c in codes]
        self.fields["code"].initial = current
