import { registry } from "@web/core/registry";

// A salesperson opens a quotation that breaks the credit rule: the banner says why,
// and one click asks the credit managers for a release.
registry.category("web_tour.tours").add("credit_management_blocked_order", {
    steps: () => [
        {
            trigger: ".o_form_view .alert-danger:contains('cannot be confirmed for credit reasons')",
        },
        {
            trigger: ".o_form_view .alert-danger:contains('exceeds the credit limit')",
        },
        {
            trigger: "button[name='action_credit_request_release']",
            run: "click",
        },
        {
            trigger: ".o_form_view .alert-danger:contains('A release was requested')",
        },
    ],
});
