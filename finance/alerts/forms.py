"""The notification settings form: on/off per alert kind, and an amount where one applies."""

from django import forms

from .preferences import Preference


class AlertSettingsForm(forms.Form):
    def __init__(self, *args, preferences: dict[str, Preference], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for kind, pref in preferences.items():
            self.fields[f"{kind}_on"] = forms.BooleanField(
                label=pref.label, required=False, initial=pref.enabled
            )
            if pref.takes_threshold:
                self.fields[f"{kind}_amount"] = forms.DecimalField(
                    label="Amount",
                    min_value=0,
                    max_digits=14,
                    decimal_places=2,
                    initial=pref.threshold,
                    error_messages={"invalid": "Enter an amount, like 500 or 99.50."},
                )

    def rows(self):
        for kind, pref in self.preferences.items():
            amount = self[f"{kind}_amount"] if pref.takes_threshold else None
            yield {"kind": kind, "on": self[f"{kind}_on"], "amount": amount}
