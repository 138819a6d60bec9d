from . import sale_order_credit_release
from . import res_partner_credit_limit_temporary
from . import credit_dispute_reply
