"""The task forms, one module per task kind.

Every form has two models. `Answer` is what a person submits, including names and free text;
it is validated at the edge and stored in PostgreSQL. `Outcome` is the structured part (ids,
enums, booleans, counts) that the workflow receives: the claim check that keeps personal data
out of Temporal.
"""
