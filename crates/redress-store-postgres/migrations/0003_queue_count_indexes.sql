-- The work-queue counts (open, due this week, overdue, acknowledged late this month) read only these
-- covering indexes (index-only scans once vacuumed), never the case rows.
CREATE INDEX cases_open_counts ON cases (due_key) INCLUDE (confidential, assignee) WHERE is_open;
DROP INDEX cases_late_acknowledged;
CREATE INDEX cases_late_acknowledged ON cases (late_acknowledged_on) INCLUDE (confidential, assignee)
    WHERE late_acknowledged_on IS NOT NULL;
