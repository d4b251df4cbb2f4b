"""The organisation: who holds which role in which unit, who may act and see, accounts and scopes."""
