"""E-mail for Regie: templates (Dutch by default, English), rendering, SMTP delivery and a
development mail catcher. No message ever carries a pupil's name or incident free text."""
