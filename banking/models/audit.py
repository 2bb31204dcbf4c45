from django.conf import settings
from django.db import models


class StaffAccessLog(models.Model):
    """A staff member looked at a user's financial data in admin (who, whose, when).

    Written by banking.admin_audit; one row per (request, user whose data was on the page).
    A list page that showed no rows, or rows of no user, writes one row with no subject.
    """

    class Action(models.TextChoices):
        LIST = "list", "Viewed a list"
        DETAIL = "detail", "Viewed one record"

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text too: the log must still say who and whose after a user is deleted.
    staff_email = models.EmailField(blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject_email = models.EmailField(blank=True)
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.LIST)
    # "banking.transaction", "banking.account", ... (app_label.model_name).
    model = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0, help_text="Rows of this user on the page.")
    what = models.CharField(max_length=200)
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "-created_at"], name="staffaccess_subject")]

    def __str__(self):
        whose = self.subject_email or "no user"
        return f"{self.staff_email or 'staff'} → {whose}: {self.what}"
