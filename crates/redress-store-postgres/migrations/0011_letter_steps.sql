-- The step a draft letter records when it is issued (an extension letter's extension, a response letter's
-- response), as the event's JSON; NULL when the letter records none. Written to the case's events, before the
-- `letter_issued`, in the transaction that issues the letter.
ALTER TABLE letters ADD COLUMN step TEXT;

-- A case's letters, newest first, for the case file.
CREATE INDEX letters_case_status ON letters (case_id, status, created_at);
