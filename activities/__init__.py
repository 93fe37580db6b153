"""Every side effect of an incident, as Temporal activities.

One module per step with that step's own effects (assess alerts the board, report prepares the
hand-off, remove instructs the mentors, inform and media send checked texts, evaluate keeps the
lessons); support and confront only record their answers, which `tasks.close_task` does for
every step. `tasks` opens, closes, reassigns, reminds and escalates; `incident` loads the
context, links incidents and writes the audit log; `notify` sends e-mail once.

Every activity is idempotent: a retry after a crash writes no second row and sends no second
e-mail.
"""
