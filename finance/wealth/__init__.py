"""Investments (the portfolio page and its CSV) and liabilities (cards' and loans' terms, the
payments-due list), over what banking fetched from Plaid's Investments and Liabilities."""
