from . import credit_report_xlsx
from . import credit_kpi_snapshot
from . import credit_dashboard_tile
from . import credit_weekly_digest
from . import credit_block_stat
