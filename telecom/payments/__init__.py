"""Orders (and, with the payments issue, payments, refunds and invoices)."""
