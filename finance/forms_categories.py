"""Forms for the category pages."""

from django import forms

from .models import Category


class CategoryForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80, strip=True)
    kind = forms.ChoiceField(label="Counts as", choices=Category.Kind.choices)
    hidden = forms.BooleanField(label="Hide from pickers", required=False)


class CategoryAddForm(CategoryForm):
    parent = forms.ModelChoiceField(
        label="Inside",
        queryset=Category.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="Top level",
    )

    def __init__(self, *args, categories, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        del self.fields["hidden"]
        self.fields["parent"].queryset = categories.filter(
            parent__isnull=True, merged_into__isnull=True
        ).order_by("name")


class CategoryMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label="Merge into",
        queryset=Category.objects.none(),
        to_field_name="public_id",
        error_messages={"invalid_choice": "Pick one of your categories."},
    )

    def __init__(self, *args, categories, source: Category, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            categories.filter(merged_into__isnull=True).exclude(pk=source.pk).order_by("name")
        )
