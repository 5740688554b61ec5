-- Savings against guarantees, continued (docs/savings.md).

-- Which month's index a baseline is indexed to (the agreement's `index_month` rule, per contract
-- year and stream): the invoice's month, or the first month of the record's contract year.
-- Agreements loaded before the rule existed index to the invoice month, as they always did.
-- (DuckDB cannot add a column with a not-null constraint: the loader always writes it.)
alter table savings_guarantees add column index_month varchar default 'invoice-month';
