from django import forms

from ..models import RecurringStream

ACTIONS = {
    "rename": None,
    "not_recurring": RecurringStream.State.NOT_RECURRING,
    "untrack": RecurringStream.State.UNTRACKED,
    "track": RecurringStream.State.TRACKED,
}


class StreamActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    name = forms.CharField(max_length=100, required=False, strip=True)

    def clean(self):
        data = super().clean()
        if data.get("action") == "rename" and not data.get("name"):
            self.add_error("name", "Give the payment a name.")
        return data
