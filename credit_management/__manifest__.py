# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Credit Management",
    "summary": "Credit limits, live exposure, a hard block on order confirmation, "
    "releases and blocked-order statistics",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/credit-management/credit_management",
    "author": "credit_management contributors",
    "license": "LGPL-3",
    "application": True,
    "depends": ["sale_management", "account"],
    "data": [
        "security/credit_management_groups.xml",
        "security/ir.model.access.csv",
        "security/credit_management_security.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "wizards/sale_order_credit_release_views.xml",
        "wizards/res_partner_credit_limit_temporary_views.xml",
        "views/credit_exposure_views.xml",
        "views/credit_block_log_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/res_config_settings_views.xml",
        "views/sale_portal_templates.xml",
        "data/credit_report_cron_data.xml",
        "views/credit_report_views.xml",
        "report/credit_overdue_report_templates.xml",
        "views/credit_management_menus.xml",
    ],
    "demo": [
        "demo/credit_management_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "credit_management/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
