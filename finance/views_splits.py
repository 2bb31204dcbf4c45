"""Splitting a transaction into parts."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import access
from .categories import category_book
from .splits import Part, SplitError, split_parts, splits_set


class PartForm(forms.Form):
    amount = forms.DecimalField(label="Amount", max_digits=16, decimal_places=2, required=False)
    category = forms.ChoiceField(label="Category", required=False)
    notes = forms.CharField(label="Notes", max_length=1000, required=False)

    def __init__(self, *args, category_choices=(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "The transaction's category"), *category_choices]


PartFormSet = forms.formset_factory(PartForm, extra=0, max_num=20, absolute_max=20)
BLANK_ROWS = 2


@login_required
@require_http_methods(["GET", "POST"])
def transaction_split(request, public_id):
    txn = get_object_or_404(access.transactions_editable(request.user), public_id=public_id)
    choices = category_book(user=request.user).choices()
    existing = [
        {"amount": p.amount, "category": p.category, "notes": p.notes} for p in split_parts(txn)
    ]
    formset = PartFormSet(
        request.POST or None,
        initial=existing + [{}] * BLANK_ROWS,
        form_kwargs={"category_choices": choices},
        prefix="parts",
    )
    if request.method == "POST" and formset.is_valid():
        parts = [
            Part(amount=f["amount"], category=f["category"], notes=f["notes"])
            for f in formset.cleaned_data
            if f and f.get("amount") is not None
        ]
        try:
            splits_set(user=request.user, transaction=txn, parts=parts)
        except SplitError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Saved the split." if parts else "Removed the split.")
            return redirect(f"/transactions/{txn.public_id}/")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "finance/transactions/split.html", {"txn": txn, "formset": formset}, status=status
    )
