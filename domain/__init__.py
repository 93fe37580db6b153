"""Pure domain of Regie: the step plan of the guidance as data and rules.

Nothing here does I/O, so every module is safe to import inside the Temporal workflow sandbox.
"""
