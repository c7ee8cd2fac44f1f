"""The fund (资金): the county's contract with the insurer, the premium and payout ledger,
the annual settlement (约定盈亏、年度核算) and the what-if costing of a draft tariff (测算)."""
