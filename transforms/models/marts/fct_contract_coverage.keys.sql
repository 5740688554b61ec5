-- The cells (body × month × currency) whose figures the run's changes touch: the cell of every
-- spend line rebuilt, before and after (a correction that moves a line to another month, or a
-- retraction, changes the cell it leaves too), and of every line whose contract match changed.
select body_id, spend_month, currency
from changed_int_spend_lines
union all
select lines.body_id, lines.spend_month, lines.currency
from int_spend_lines as lines
semi join changed_int_spend_contracts as contracts using (body_id, invoice_id, line_no)
