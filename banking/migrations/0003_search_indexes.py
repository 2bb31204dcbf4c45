# PostgreSQL only (a no-op elsewhere): trigram indexes for transaction search and a covering
# index for month totals. See banking/search_indexes.py.
from django.db import migrations

from banking import search_indexes


class Migration(migrations.Migration):
    dependencies = [("banking", "0002_default_schedules")]

    operations = [migrations.RunPython(search_indexes.create, search_indexes.drop)]
