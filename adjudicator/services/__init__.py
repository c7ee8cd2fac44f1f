"""Services of the stored system: each takes a Context, checks the acting user's role, does
one unit of work in one transaction, and records it in the event chain."""
