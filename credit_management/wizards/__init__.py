from . import sale_order_credit_release
from . import res_partner_credit_limit_temporary
from . import credit_aged_balance
from . import credit_aged_balance_line
from . import credit_dso_analysis
from . import credit_dso_analysis_line
from . import credit_overdue_report
from . import credit_overdue_report_line
