"""The money pages' public URLs. Change these only through an issue."""

from django.urls import include, path

from . import (
    views,
    views_categories,
    views_rules,
    views_splits,
    views_tags,
    views_transfers,
)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("finance.budgets.urls")),
    path("", include("finance.alerts.urls")),
    path("", include("finance.currency.urls")),
    path("", include("finance.portability.urls")),
    path("dashboard/live/", views.dashboard_live, name="dashboard_live"),
    path("dashboard/accounts/", views.account_preferences, name="account_preferences"),
    path("transactions/", views.transaction_list, name="transaction_list"),
    path("transactions/export.csv", views.transaction_export, name="transaction_export"),
    path("transactions/<uuid:public_id>/", views.transaction_edit, name="transaction_edit"),
    path("insights/", views.insights, name="insights"),
    path("categories/", views_categories.category_list, name="category_list"),
    path("categories/<uuid:public_id>/", views_categories.category_edit, name="category_edit"),
    path(
        "categories/<uuid:public_id>/merge/",
        views_categories.category_merge_view,
        name="category_merge",
    ),
    path("tags/", views_tags.tag_list, name="tag_list"),
    path(
        "transactions/<uuid:public_id>/tags/",
        views_tags.transaction_tags,
        name="transaction_tags",
    ),
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path(
        "transfers/<uuid:public_id>/confirm/",
        views_transfers.transfer_confirm_view,
        name="transfer_confirm",
    ),
    path(
        "transfers/<uuid:public_id>/undo/",
        views_transfers.transfer_undo_view,
        name="transfer_undo",
    ),
    path(
        "transactions/<uuid:public_id>/transfer/",
        views_transfers.transaction_transfer,
        name="transaction_transfer",
    ),
    path(
        "transactions/<uuid:public_id>/split/",
        views_splits.transaction_split,
        name="transaction_split",
    ),
    path("rules/", views_rules.rule_list, name="rule_list"),
    path("rules/new/", views_rules.rule_new, name="rule_new"),
    path("rules/<uuid:public_id>/", views_rules.rule_edit, name="rule_edit"),
    path("rules/<uuid:public_id>/apply/", views_rules.rule_apply, name="rule_apply"),
    path(
        "rules/<uuid:public_id>/apply/status/",
        views_rules.rule_apply_status,
        name="rule_apply_status",
    ),
    path("rules/<uuid:public_id>/toggle/", views_rules.rule_toggle, name="rule_toggle"),
    path("rules/<uuid:public_id>/delete/", views_rules.rule_delete, name="rule_delete"),
    path("", include("finance.recurring.urls")),
    path("", include("finance.networth.urls")),
    path("", include("finance.wealth.urls")),
    path("", include("finance.households.urls")),
]
