from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import HomeCurrencyForm
from .home import home_currency, home_currency_set


@login_required
@require_http_methods(["GET", "POST"])
def home_currency_edit(request):
    current = home_currency(request.user)
    form = HomeCurrencyForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        home_currency_set(user=request.user, code=form.cleaned_data["code"])
        messages.success(request, f"Your totals are now shown in {form.cleaned_data['code']}.")
        return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "finance/currency/home_currency.html",
        {"form": form, "current": current},
        status=status,
    )
