from django import forms


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand: my banks are disconnected and all my data is deleted for good.",
        error_messages={"required": "Tick the box to confirm you want to delete your account."},
    )
