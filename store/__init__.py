"""PostgreSQL: the directory, incidents, the task read model, answers, audit and mail logs.

Keyword-only functions, one module per group of tables; SQL lives here and nowhere else.
"""
