-- The work-queue counts (open, due this week, overdue, acknowledged late this month) read only these
-- covering indexes, never the case rows: a few milliseconds at a million cases.
CREATE INDEX cases_open_counts ON cases (is_open, due_key, confidential, assignee) WHERE is_open = 1;
DROP INDEX cases_late_acknowledged;
CREATE INDEX cases_late_acknowledged ON cases (late_acknowledged_on, confidential, assignee)
    WHERE late_acknowledged_on IS NOT NULL;
