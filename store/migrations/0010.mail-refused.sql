-- depends: 0009.board-month-counts
-- A mail server can refuse an e-mail for good (a 5xx reply: the address does not exist, the
-- mailbox is closed). Retrying such an e-mail never helps and kept the incident's opening
-- waiting, so it is logged as 'refused' and someone who can fix the address is told.
ALTER TABLE mail_log DROP CONSTRAINT mail_log_status_check;
ALTER TABLE mail_log ADD CONSTRAINT mail_log_status_check
    CHECK (status IN ('sending', 'sent', 'refused'));
