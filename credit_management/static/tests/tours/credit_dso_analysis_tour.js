import { registry } from "@web/core/registry";

// A credit manager answers "which salesperson's customers pay worst, and is it getting
// better?" from the dashboard: the DSO tile opens the DSO analysis (by salesperson by
// default), Show, and the pivot gives each salesperson's DSO month by month.
registry.category("web_tour.tours").add("credit_management_dso_analysis", {
    steps: () => [
        {
            trigger: ".o_kanban_record:contains('days beyond terms') button[name='action_open']",
            run: "click",
        },
        {
            trigger: ".modal button[name='action_show']",
            run: "click",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Claire Durand')",
        },
        {
            trigger: ".o_pivot td.o_pivot_cell_value",
        },
    ],
});
