-- The amounts (in their currency) of every invoice and credit note the run changed, before and
-- after: pairs and the credit notes reversing them form only among documents of one amount.
select currency, abs(net_amount)
from changed_stg_invoices
