from . import credit_report_xlsx
from . import credit_kpi_snapshot
from . import credit_dashboard_tile
