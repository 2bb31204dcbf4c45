"""Forms for the budget page."""

from django import forms

from ..models import Category

CATEGORY_TOTAL = "__total__"


class BudgetAddForm(forms.Form):
    category = forms.ChoiceField(label="Category")
    amount = forms.DecimalField(
        label="Amount per month", min_value=0, max_digits=14, decimal_places=2
    )
    rollover = forms.BooleanField(label="Carry what is left into next month", required=False)

    def __init__(self, *args, categories, budgeted=frozenset(), **kwargs):
        """`budgeted`: the pks of the categories that have a budget already (None for the
        total budget): one budget per category, whatever its currency."""
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.budgeted = budgeted
        self.categories = {
            str(c.public_id): c
            for c in categories.filter(
                merged_into__isnull=True,
                hidden=False,
                kind__in=[Category.Kind.SPENDING, Category.Kind.INCOME],
            ).order_by("name")
        }
        self.fields["category"].choices = [(CATEGORY_TOTAL, "All spending (a total budget)")] + [
            (key, c.name) for key, c in self.categories.items()
        ]

    def clean_category(self):
        value = self.cleaned_data["category"]
        category = None if value == CATEGORY_TOTAL else self.categories[value]
        if (category.pk if category else None) in self.budgeted:
            what = f"a budget for {category.name}" if category else "a total budget"
            raise forms.ValidationError(f"You already have {what}; edit it.")
        return category


class BudgetAmountForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount per month", min_value=0, max_digits=14, decimal_places=2
    )
    rollover = forms.BooleanField(label="Carry what is left into next month", required=False)
