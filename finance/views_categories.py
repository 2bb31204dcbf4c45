"""The category pages: the tree, add, edit (rename, kind, hide) and merge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import access
from .categories import (
    CategoryError,
    category_add,
    category_book,
    category_merge,
    category_update,
)
from .forms_categories import CategoryAddForm, CategoryForm, CategoryMergeForm


@login_required
@require_http_methods(["GET", "POST"])
def category_list(request):
    book = category_book(user=request.user)
    categories = access.categories_visible(request.user)
    form = CategoryAddForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            category = category_add(
                user=request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                parent=form.cleaned_data["parent"],
            )
        except CategoryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Added “{category.name}”.")
            return redirect("/categories/")
    live = [c for c in book.categories if c.merged_into_id is None]
    roots = sorted((c for c in live if c.parent_id is None), key=lambda c: c.name.lower())
    tree = [
        (r, sorted((c for c in live if c.parent_id == r.pk), key=lambda c: c.name.lower()))
        for r in roots
    ]
    return render(
        request,
        "finance/categories/list.html",
        {"tree": tree, "form": form},
        status=400 if form.errors else 200,
    )


def _category(request, public_id):
    return get_object_or_404(
        access.categories_visible(request.user).filter(merged_into__isnull=True),
        public_id=public_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request, public_id):
    category = _category(request, public_id)
    initial = {"name": category.name, "kind": category.kind, "hidden": category.hidden}
    form = CategoryForm(request.POST or None, initial=initial, label_suffix="")
    merge_form = CategoryMergeForm(
        categories=access.categories_visible(request.user), source=category
    )
    if request.method == "POST" and form.is_valid():
        category_update(category=category, **form.cleaned_data)
        messages.success(request, f"Saved “{category.name}”.")
        return redirect("/categories/")
    context = {"category": category, "form": form, "merge_form": merge_form}
    return render(
        request, "finance/categories/edit.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["POST"])
def category_merge_view(request, public_id):
    category = _category(request, public_id)
    form = CategoryMergeForm(
        request.POST, categories=access.categories_visible(request.user), source=category
    )
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            moved = category_merge(source=category, target=target)
        except CategoryError as exc:
            form.add_error("target", str(exc))
        else:
            messages.success(
                request, f"Merged “{category.name}” into “{target.name}” ({moved} transactions)."
            )
            return redirect("/categories/")
    context = {
        "category": category,
        "form": CategoryForm(
            initial={"name": category.name, "kind": category.kind, "hidden": category.hidden},
            label_suffix="",
        ),
        "merge_form": form,
    }
    return render(request, "finance/categories/edit.html", context, status=400)
