from django import forms

from .time_zone import time_zone_names


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand: my banks are disconnected and all my data is deleted for good.",
        error_messages={"required": "Tick the box to confirm you want to delete your account."},
    )


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Where your months and weeks begin, for budgets and the weekly email.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(n, n.replace("_", " ")) for n in time_zone_names()]
