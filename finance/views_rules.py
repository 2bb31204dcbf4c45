"""The rule pages: list, new (optionally from a transaction), edit with preview, apply to
existing transactions, enable/disable and delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access
from .categories import category_book
from .forms_rules import RuleForm
from .models import Rule
from .rule_jobs import rule_apply_request
from .rules import rule_from_transaction, rule_preview


def _rule(request, public_id) -> Rule:
    return get_object_or_404(access.rules_visible(request.user), public_id=public_id)


@login_required
@require_GET
def rule_list(request):
    rules = access.rules_visible(request.user).select_related("account").order_by("position", "id")
    book = category_book(user=request.user)
    rows = [(r, book.label(r.set_category) if r.set_category else "") for r in rules]
    return render(request, "finance/rules/list.html", {"rows": rows})


def _form_page(request, rule: Rule, initial=None):
    """GET shows the form; POST with `preview` shows what it would match; POST saves."""
    book = category_book(user=request.user)
    form = RuleForm(
        request.POST or None,
        instance=rule,
        initial=initial,
        user=request.user,
        category_choices=book.choices(),
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            is_new = rule.pk is None
            if is_new:
                last = access.rules_visible(request.user).aggregate(m=Max("position"))["m"]
                rule.position = (last or 0) + 1
            form.save()
            messages.success(request, f"Saved the rule “{rule.name}”.")
            return redirect(f"/rules/{rule.public_id}/")
        preview = rule_preview(rule=form.instance)
    elif request.method == "GET" and rule.pk:
        preview = rule_preview(rule=rule)
    context = {"form": form, "rule": rule, "preview": preview}
    return render(request, "finance/rules/edit.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request):
    initial = None
    source = request.GET.get("from")
    if source:
        txn = get_object_or_404(access.transactions_visible(request.user), public_id=source)
        initial = rule_from_transaction(txn)
    return _form_page(request, Rule(user=request.user), initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, public_id):
    return _form_page(request, _rule(request, public_id))


@login_required
@require_POST
def rule_apply(request, public_id):
    """Queue the run (a background task: it may take a while); the rule page shows progress."""
    rule = _rule(request, public_id)
    if rule_apply_request(rule=rule):
        messages.success(request, "Applying your rules to the existing transactions.")
    else:
        messages.error(request, "Could not start applying the rule just now. Please try again.")
    return redirect(f"/rules/{rule.public_id}/")


@login_required
@require_GET
def rule_apply_status(request, public_id):
    """The apply-to-existing state alone, polled by the rule page while a run is under way."""
    rule = _rule(request, public_id)
    return render(request, "finance/rules/_apply_status.html", {"rule": rule})


@login_required
@require_POST
def rule_toggle(request, public_id):
    rule = _rule(request, public_id)
    access.rules_visible(request.user).filter(pk=rule.pk).update(enabled=not rule.enabled)
    return redirect("/rules/")


@login_required
@require_POST
def rule_delete(request, public_id):
    rule = _rule(request, public_id)
    rule.delete()
    messages.success(request, f"Deleted the rule “{rule.name}”.")
    return redirect("/rules/")
