from django.dispatch import Signal

# BEY-4: sent inside the transaction that records new bank details; kwargs: account, settings.
bank_details_changed = Signal()
