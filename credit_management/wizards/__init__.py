from . import sale_order_credit_release
from . import res_partner_credit_limit_temporary
from . import account_payment_register
from . import credit_score_backtest
